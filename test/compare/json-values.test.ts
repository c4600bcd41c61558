import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { Difference } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const rules = compileRules({})
const run = (a: unknown, b: unknown): Difference[] => compareSides(json(a), json(b), rules)
const one = (a: unknown, b: unknown): Omit<Difference, 'kind'> => {
  const diffs = run(a, b)
  assert.equal(diffs.length, 1, JSON.stringify(diffs))
  const { kind, ...rest } = diffs[0]!
  assert.equal(kind, 'body')
  return rest
}

test('a changed scalar is a value change with both values rendered', () => {
  assert.deepEqual(one({ a: 1, b: 'x' }, { a: 1, b: 'y' }), { path: '$.b', at: '$.b', change: 'changed', class: 'value', primary: '"x"', candidate: '"y"' })
  assert.deepEqual(one({ ok: true }, { ok: false }), { path: '$.ok', at: '$.ok', change: 'changed', class: 'value', primary: 'true', candidate: 'false' })
})

test('a field missing on the candidate is removed, class schema', () => {
  assert.deepEqual(one({ a: 1, b: { c: 2 } }, { a: 1 }), { path: '$.b', at: '$.b', change: 'removed', class: 'schema', primary: '{"c":2}' })
})

test('a field only on the candidate is added, class schema', () => {
  assert.deepEqual(one({ a: 1 }, { a: 1, extra: [1] }), { path: '$.extra', at: '$.extra', change: 'added', class: 'schema', candidate: '[1]' })
})

test('keys in another order are not a difference', () => {
  assert.deepEqual(run({ a: 1, b: 2, c: { x: 1, y: 2 } }, { c: { y: 2, x: 1 }, b: 2, a: 1 }), [])
})

test('a type change (number vs string, object vs array) is class schema', () => {
  assert.deepEqual(one({ n: 1 }, { n: '1' }), { path: '$.n', at: '$.n', change: 'type', class: 'schema', primary: '1', candidate: '"1"' })
  assert.equal(one({ n: {} }, { n: [] }).change, 'type')
  assert.equal(one([1], { 0: 1 }).path, '$')
})

test('null against a value is a type change in both directions; null against null matches', () => {
  assert.deepEqual(one({ v: null }, { v: 0 }), { path: '$.v', at: '$.v', change: 'type', class: 'schema', primary: 'null', candidate: '0' })
  assert.equal(one({ v: { a: 1 } }, { v: null }).change, 'type')
  assert.deepEqual(run({ v: null }, { v: null }), [])
})

test('nested changes are reported at their full path, each once', () => {
  const a = { user: { profile: { name: 'Ann', address: { city: 'Oslo', zip: '0150' } } } }
  const b = { user: { profile: { name: 'Ann', address: { city: 'Bergen', zip: '0150', country: 'NO' } } } }
  assert.deepEqual(run(a, b).map((d) => `${d.path} ${d.change} ${d.class}`), [
    '$.user.profile.address.city changed value',
    '$.user.profile.address.country added schema'
  ])
})

test('a top-level scalar body compares at $', () => {
  assert.deepEqual(one(1, 2), { path: '$', at: '$', change: 'changed', class: 'value', primary: '1', candidate: '2' })
})

test('long values are rendered truncated to about 200 characters', () => {
  const d = one({ s: 'a'.repeat(1000) }, { s: 'b'.repeat(1000) })
  assert.ok(d.primary!.length <= 201 && d.primary!.endsWith('…'), d.primary)
  const big = one({ o: { list: Array.from({ length: 500 }, (_, i) => i) } }, { o: 1 })
  assert.ok(big.primary!.length <= 201 && big.primary!.startsWith('{"list":[0,1,2'), big.primary)
})

test('truncation never splits a surrogate pair', () => {
  const d = one({ s: 'a'.repeat(198) + '😀😀' }, { s: 'b' })
  assert.equal(d.primary, `"${'a'.repeat(198)}…`)
})
