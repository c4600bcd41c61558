import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { CompiledRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const keyed = compileRules({ arrayKeys: { '$.items': 'id' } })
const brief = (a: unknown, b: unknown, rules: CompiledRules = keyed) =>
  compareSides(json(a), json(b), rules).map((d) => `${d.path} ${d.at} ${d.change}`)

test('elements are matched by key, so a reorder is not a difference', () => {
  const a = { items: [{ id: 1, p: 10 }, { id: 2, p: 20 }, { id: 3, p: 30 }] }
  const b = { items: [{ id: 3, p: 30 }, { id: 1, p: 10 }, { id: 2, p: 20 }] }
  assert.deepEqual(brief(a, b), [])
  // Without the rule the same pair differs at every position.
  assert.equal(brief(a, b, compileRules({})).length, 6)
})

test('a change inside a keyed element is reported at [id=K], index-free as [*]', () => {
  const a = { items: [{ id: 1, p: 10 }, { id: 42, p: 20 }] }
  const b = { items: [{ id: 42, p: 21 }, { id: 1, p: 10 }] }
  assert.deepEqual(brief(a, b), ['$.items[*].p $.items[id=42].p changed'])
})

test('string keys are quoted in the concrete path', () => {
  assert.deepEqual(brief({ items: [{ id: 'a-1', v: 1 }] }, { items: [{ id: 'a-1', v: 2 }] }), ['$.items[*].v $.items[id="a-1"].v changed'])
})

test('unmatched elements are removed/added', () => {
  const a = { items: [{ id: 1 }, { id: 2 }] }
  const b = { items: [{ id: 2 }, { id: 3 }] }
  assert.deepEqual(brief(a, b), ['$.items[*] $.items[id=1] removed', '$.items[*] $.items[id=3] added'])
})

test('1 and "1" are different keys', () => {
  assert.deepEqual(brief({ items: [{ id: 1 }] }, { items: [{ id: '1' }] }), ['$.items[*] $.items[id=1] removed', '$.items[*] $.items[id="1"] added'])
})

test('duplicate keys fall back to comparing by index', () => {
  const a = { items: [{ id: 1, v: 'a' }, { id: 1, v: 'b' }] }
  const b = { items: [{ id: 1, v: 'b' }, { id: 1, v: 'a' }] }
  assert.deepEqual(brief(a, b), ['$.items[*].v $.items[0].v changed', '$.items[*].v $.items[1].v changed'])
})

test('an element without the key (or with a non-scalar key) falls back to index on both sides', () => {
  assert.deepEqual(brief({ items: [{ id: 1 }, { x: 1 }] }, { items: [{ x: 1 }, { id: 1 }] }).map((s) => s.split(' ')[1]),
    ['$.items[0].id', '$.items[0].x', '$.items[1].x', '$.items[1].id'])
  assert.deepEqual(brief({ items: [{ id: [1] }] }, { items: [{ id: [2] }] }), ['$.items[*].id[*] $.items[0].id[0] changed'])
})

test('array key paths take wildcards and apply at every matching array', () => {
  const rules = compileRules({ arrayKeys: { '$.*[*].lines': 'sku' } })
  const a = { orders: [{ lines: [{ sku: 'A', n: 1 }, { sku: 'B', n: 2 }] }] }
  const b = { orders: [{ lines: [{ sku: 'B', n: 3 }, { sku: 'A', n: 1 }] }] }
  assert.deepEqual(brief(a, b, rules), ['$.orders[*].lines[*].n $.orders[0].lines[sku="B"].n changed'])
})

test('a root array can be keyed with "$"', () => {
  assert.deepEqual(brief([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 1 }], compileRules({ arrayKeys: { $: 'id' } })), [])
})
