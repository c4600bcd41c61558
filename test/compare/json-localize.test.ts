// The localized JSON comparison (json-localize.ts) must say exactly what the full comparison says: checked on
// thousands of generated pairs against a walk of both fully parsed documents, plus the cases that must fall back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { CompiledRules, Difference } from '../../src/compare/compare-sides.ts'
import { compareJson } from '../../src/compare/json-walk.ts'
import { DifferenceList } from '../../src/compare/difference-list.ts'
import { localizeJsonChange } from '../../src/compare/json-localize.ts'
import { jsonText } from './sides.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The reference: both documents parsed whole and walked. */
function full (ta: string, tb: string, rules: CompiledRules): Difference[] {
  const list = new DifferenceList(rules.maxDifferences)
  compareJson(JSON.parse(ta), JSON.parse(tb), rules.json, rules.numericTolerance, list)
  return list.items
}

const viaEngine = (ta: string, tb: string, rules: CompiledRules): Difference[] => compareSides(jsonText(ta), jsonText(tb), rules)

// Deterministic generator (mulberry32).
function prng (seed: number): () => number {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6d2b79f5) >>> 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r)
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}

const KEYS = ['id', 'name', 'price', 'items', 'tags', 'meta', 'a.b', 'ключ', 'q"uote', 'emoji😀', 'x', 'y']
const STRINGS = ['', 'plain', 'line\nbreak', 'tab\there', 'quote"d', 'back\\slash', 'ünïcödé', '😀 emoji', '\u0001ctl', '</script>']

function gen (r: () => number, depth: number): unknown {
  const pick = r()
  if (depth > 3 || pick < 0.45) {
    const k = Math.floor(r() * 7)
    if (k === 0) return null
    if (k === 1) return r() < 0.5
    if (k === 2) return Math.floor(r() * 1000) - 500
    if (k === 3) return Math.round(r() * 1e6) / 1e3
    if (k === 4) return r() * 1e21
    return STRINGS[Math.floor(r() * STRINGS.length)]
  }
  if (pick < 0.7) return Array.from({ length: Math.floor(r() * 5) }, (_, i) => (r() < 0.5 ? { id: i + Math.floor(r() * 3), v: gen(r, depth + 2) } : gen(r, depth + 1)))
  const o: Record<string, unknown> = {}
  const n = Math.floor(r() * 5)
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]!] = gen(r, depth + 1)
  return o
}

/** One random edit somewhere in the tree (a deep copy is edited). */
function mutate (r: () => number, doc: unknown): unknown {
  const copy = structuredClone(doc)
  const containers: Array<Record<string, unknown> | unknown[]> = []
  const collect = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return
    containers.push(v as Record<string, unknown> | unknown[])
    for (const c of Object.values(v)) collect(c)
  }
  collect(copy)
  if (containers.length === 0) return gen(r, 0)
  const c = containers[Math.floor(r() * containers.length)]!
  const op = Math.floor(r() * 6)
  if (Array.isArray(c)) {
    const i = Math.floor(r() * (c.length + 1))
    if (op === 0 || c.length === 0) c.splice(i, 0, gen(r, 3))
    else if (op === 1) c.splice(Math.min(i, c.length - 1), 1)
    else if (op === 2 && c.length > 1) c.reverse()
    else c[Math.min(i, c.length - 1)] = gen(r, 3)
  } else {
    const keys = Object.keys(c)
    const key = keys.length > 0 && op < 4 ? keys[Math.floor(r() * keys.length)]! : KEYS[Math.floor(r() * KEYS.length)]!
    if (op === 0) delete c[key]
    else if (op === 5 && keys.length > 1) { const v = c[keys[0]!]; delete c[keys[0]!]; c[keys[0]!] = v }
    else c[key] = gen(r, 3)
  }
  return copy
}

const RULES: Array<[string, CompiledRules]> = [
  ['no rules', compileRules({})],
  ['ignore', compileRules({ ignore: ['$.meta', '$.items[*].name', '$.*.x'] })],
  ['arrayKeys', compileRules({ arrayKeys: { '$.items': 'id', '$.*.items': 'id' } })],
  ['unordered', compileRules({ unordered: ['$.tags', '$.items[*].v'] })],
  ['tolerance', compileRules({ numericTolerance: 0.5 })],
  ['few differences', compileRules({}, { maxDifferences: 2 })]
]

test('on generated pairs, the engine reports exactly what a walk of both whole documents reports', () => {
  const r = prng(20261127)
  let localized = 0
  let pairs = 0
  for (let i = 0; i < 3000; i++) {
    const base: Record<string, unknown> = { items: gen(r, 1), tags: gen(r, 2), meta: gen(r, 2) }
    for (const k of KEYS.slice(0, Math.floor(r() * 6))) base[k] = gen(r, 1)
    let other = mutate(r, base)
    if (r() < 0.3) other = mutate(r, other)
    const pretty = r() < 0.2
    const ta = pretty ? JSON.stringify(base, null, 2) : JSON.stringify(base)
    const tb = pretty && r() < 0.8 ? JSON.stringify(other, null, 2) : JSON.stringify(other)
    if (localizeJsonChange(enc(ta), enc(tb)) !== null) localized++
    for (const [name, rules] of RULES) {
      pairs++
      assert.deepEqual(viaEngine(ta, tb, rules), full(ta, tb, rules), `${name}, pair ${i}:\n${ta}\n${tb}`)
    }
  }
  // The generated edits must mostly take the localized path, or this test would only test the fallback.
  assert.ok(localized > 2000, `only ${localized} of 3000 pairs were localized`)
  assert.equal(pairs, 3000 * RULES.length)
})

test('the container is the innermost one holding the change, with its path', () => {
  const a = '{"meta":{"n":1},"items":[{"id":1,"stock":120,"tags":["x"]},{"id":2,"stock":300}]}'
  const b = '{"meta":{"n":1},"items":[{"id":1,"stock":125,"tags":["x"]},{"id":2,"stock":300}]}'
  const chain = localizeJsonChange(enc(a), enc(b))
  assert.ok(chain !== null)
  assert.deepEqual(chain.segs, ['items', 0])
  const last = chain.starts.length - 1
  assert.equal(a.slice(chain.starts[last], chain.endsA[last]), '{"id":1,"stock":120,"tags":["x"]}')
  assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => `${d.path} ${d.at} ${d.primary}→${d.candidate}`), ['$.items[*].stock $.items[0].stock 120→125'])
})

test('documents of every size, small and over the scanner\'s reused 1 MB buffer, in turn: same answers', () => {
  const doc = (n: number, stock: number): string => JSON.stringify({ items: Array.from({ length: n }, (_, i) => ({ id: i, name: `item ${i}`, stock: i === n >> 1 ? stock : 7 })) })
  for (const n of [3, 40_000, 5, 40_000, 2]) {
    const a = doc(n, 1)
    const b = doc(n, 2)
    assert.ok(localizeJsonChange(enc(a), enc(b)) !== null, `${a.length} bytes localized`)
    assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => `${d.at} ${d.primary}→${d.candidate}`), [`$.items[${n >> 1}].stock 1→2`])
    // A valid document right after a larger one: nothing of the larger one may be read as this one's end.
    assert.equal(localizeJsonChange(enc(a.slice(0, -1)), enc(b.slice(0, -1))), null, `${a.length - 1} bytes, truncated`)
  }
})

test('a change that spans two members moves the container out to their parent', () => {
  const pad = '"pad":"' + 'p'.repeat(40) + '"'
  const a = `{${pad},"o":{"a":{"x":1},"b":{"y":2}},${pad.replace('pad', 'pad2')}}`
  const b = `{${pad},"o":{"a":{"x":7},"b":{"y":8}},${pad.replace('pad', 'pad2')}}`
  const chain = localizeJsonChange(enc(a), enc(b))
  assert.ok(chain !== null)
  assert.deepEqual(chain.segs, ['o'])
  assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => d.at), ['$.o.a.x', '$.o.b.y'])
})

test('changes far apart (over half the document between them) are not localized: parsing it all is cheaper', () => {
  const items = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` }))
  const a = JSON.stringify({ at: '10:00:01', items, last: 1 })
  const b = JSON.stringify({ at: '10:00:02', items, last: 2 })
  assert.equal(localizeJsonChange(enc(a), enc(b)), null)
  assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => d.at), ['$.at', '$.last'])
})

test('a duplicate key on the way to the change falls back: JSON.parse keeps the last one', () => {
  const a = '{"a":{"x":1},"a":{"x":2}}'
  const b = '{"a":{"x":3},"a":{"x":2}}'
  assert.equal(localizeJsonChange(enc(a), enc(b)), null)
  assert.deepEqual(viaEngine(a, b, compileRules({})), [])
  // The same with the keys spelled differently: "\u0061" is "a".
  const c = '{"\\u0061":{"x":1},"a":{"x":2}}'
  const d = '{"\\u0061":{"x":3},"a":{"x":2}}'
  assert.equal(localizeJsonChange(enc(c), enc(d)), null)
  assert.deepEqual(viaEngine(c, d, compileRules({})), [])
})

test('what the scanner cannot vouch for falls back to the full comparison', () => {
  const cases: Array<[string, string, string]> = [
    ['byte-order mark', '\ufeff{"a":[1]}', '\ufeff{"a":[2]}'],
    ['invalid in the common part (trailing comma)', '{"a":[1],"b":2,}', '{"a":[3],"b":2,}'],
    ['invalid in the common part (bad escape)', '{"s":"\\x","a":[1]}', '{"s":"\\x","a":[3]}'],
    ['invalid number in the common part', '{"n":01,"a":[1]}', '{"n":01,"a":[3]}'],
    ['a scalar root', '12', '13'],
    ['trailing text', '{"a":[1]} x', '{"a":[2]} x'],
    ['one document a prefix of the other', '{"a":[1]}', '{"a":[1]}  '],
    // The scanner reads a zero-padded copy: a zero byte or another raw control character inside a string, and a
    // document that ends inside a string, must still be invalid rather than run into the padding.
    ['raw control character in a string', '{"s":"a\u0001b","a":[1]}', '{"s":"a\u0001b","a":[2]}'],
    ['raw zero byte in a string', '{"s":"a\u0000b","a":[1]}', '{"s":"a\u0000b","a":[2]}'],
    ['raw zero byte in a key', '{"k\u0000":1,"a":[1]}', '{"k\u0000":1,"a":[2]}'],
    ['raw zero byte between tokens', '{"a":[1],\u0000"b":2}', '{"a":[2],\u0000"b":2}'],
    ['ends inside a string', '{"a":[1],"s":"abc', '{"a":[2],"s":"abc'],
    ['ends inside a key', '{"a":[1],"ke', '{"a":[2],"ke'],
    ['ends on a backslash inside a string', '{"a":[1],"s":"abc\\', '{"a":[2],"s":"abc\\'],
    ['ends inside a literal', '{"a":[1],"t":tru', '{"a":[2],"t":tru'],
    ['ends inside a number', '{"a":[1],"n":1.', '{"a":[2],"n":1.']
  ]
  for (const [name, a, b] of cases) assert.equal(localizeJsonChange(enc(a), enc(b)), null, name)
})

test('both documents invalid the same way: still compared as text, as before', () => {
  const a = '{"a":[1],"b":2,}'
  const b = '{"a":[3],"b":2,}'
  assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => `${d.path} ${d.change}`), ['body:line:1 changed'])
})

test('a candidate container that does not parse is invalid JSON, not a crash', () => {
  const a = '{"meta":{"n":1},"items":[{"id":1}]}'
  const b = '{"meta":{"n":1},"items":[{"id":1,}]}'
  assert.deepEqual(viaEngine(a, b, compileRules({})).map((d) => `${d.path} ${d.change} ${d.class}`), ['$ invalid_json schema'])
})

test('an array matched by key above the change is compared whole, so a changed key is removed + added', () => {
  const rules = compileRules({ arrayKeys: { '$.items': 'id' } })
  const a = '{"items":[{"id":1,"p":1},{"id":2,"p":2}]}'
  const b = '{"items":[{"id":3,"p":1},{"id":2,"p":2}]}'
  assert.deepEqual(viaEngine(a, b, rules).map((d) => `${d.at} ${d.change}`), ['$.items[id=1] removed', '$.items[id=3] added'])
  assert.deepEqual(viaEngine(a, b, rules), full(a, b, rules))
})

test('an ignored subtree holding every change: no difference, without parsing the rest', () => {
  const rules = compileRules({ ignore: ['$.meta'] })
  assert.deepEqual(viaEngine('{"meta":{"at":"10:00:01"},"v":[1]}', '{"meta":{"at":"10:00:02"},"v":[1]}', rules), [])
})
