import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const rules = compileRules({ unordered: ['$.tags', '$.rows'] })
const brief = (a: unknown, b: unknown) => compareSides(json(a), json(b), rules).map((d) => `${d.path} ${d.at} ${d.change} ${d.primary ?? d.candidate}`)

test('an unordered array ignores order', () => {
  assert.deepEqual(brief({ tags: ['a', 'b', 'c'] }, { tags: ['c', 'a', 'b'] }), [])
  // The same pair without the rule differs.
  assert.equal(compareSides(json({ tags: ['a', 'b', 'c'] }), json({ tags: ['c', 'a', 'b'] }), compileRules({})).length, 3)
})

test('elements compare as a multiset: counts matter', () => {
  assert.deepEqual(brief({ tags: ['a', 'a', 'b'] }, { tags: ['a', 'b', 'b'] }), ['$.tags[*] $.tags[1] removed "a"', '$.tags[*] $.tags[2] added "b"'])
})

test('1 and "1" are different elements', () => {
  assert.deepEqual(brief({ tags: [1] }, { tags: ['1'] }), ['$.tags[*] $.tags[0] removed 1', '$.tags[*] $.tags[0] added "1"'])
})

test('object elements match by canonical JSON: key order inside them does not matter', () => {
  const a = { rows: [{ x: 1, y: { p: 1, q: 2 } }, { x: 2 }] }
  const b = { rows: [{ x: 2 }, { y: { q: 2, p: 1 }, x: 1 }] }
  assert.deepEqual(brief(a, b), [])
  assert.deepEqual(brief(a, { rows: [{ x: 2 }, { x: 1, y: { p: 1, q: 3 } }] }), [
    '$.rows[*] $.rows[0] removed {"x":1,"y":{"p":1,"q":2}}',
    '$.rows[*] $.rows[1] added {"x":1,"y":{"p":1,"q":3}}'
  ])
})

test('the string "{}" and the object {} are different elements', () => {
  assert.equal(brief({ rows: ['{}'] }, { rows: [{}] }).length, 2)
})

test('ignore rules apply inside unordered elements', () => {
  const r = compileRules({ unordered: ['$.rows'], ignore: ['$.rows[*].at'] })
  const a = { rows: [{ id: 1, at: 't1' }, { id: 2, at: 't2' }] }
  const b = { rows: [{ id: 2, at: 't9' }, { id: 1, at: 't8' }] }
  assert.deepEqual(compareSides(json(a), json(b), r), [])
})
