import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const rules = compileRules({})
const brief = (a: unknown, b: unknown) => compareSides(json(a), json(b), rules).map((d) => `${d.at} ${d.change} ${d.class}`)

test('arrays compare element by element', () => {
  assert.deepEqual(brief({ xs: [1, 2, 3] }, { xs: [1, 5, 3] }), ['$.xs[1] changed value'])
  assert.deepEqual(brief({ xs: [{ p: 1 }, { p: 2 }] }, { xs: [{ p: 1 }, { p: 3 }] }), ['$.xs[1].p changed value'])
})

test('extra or missing elements at the end are added/removed, class value', () => {
  assert.deepEqual(brief({ xs: [1, 2] }, { xs: [1, 2, 3, 4] }), ['$.xs[2] added value', '$.xs[3] added value'])
  assert.deepEqual(brief({ xs: [1, 2, 3] }, { xs: [1] }), ['$.xs[1] removed value', '$.xs[2] removed value'])
})

test('a reordered array is a difference when order matters', () => {
  assert.deepEqual(brief({ xs: ['a', 'b'] }, { xs: ['b', 'a'] }), ['$.xs[0] changed value', '$.xs[1] changed value'])
})

test('an empty array against a non-empty one lists the elements', () => {
  assert.deepEqual(brief([], [{ id: 1 }]), ['$[0] added value'])
})
