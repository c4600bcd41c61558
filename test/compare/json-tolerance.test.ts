import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

test('numbers within numericTolerance are equal; beyond it they differ', () => {
  const rules = compileRules({ numericTolerance: 0.01 })
  assert.deepEqual(compareSides(json({ p: 10.001, xs: [1.005] }), json({ p: 10.0, xs: [1] }), rules), [])
  assert.deepEqual(compareSides(json({ p: 10.02 }), json({ p: 10.0 }), rules).map((d) => d.path), ['$.p'])
})

test('without a tolerance any numeric difference counts', () => {
  assert.deepEqual(compareSides(json({ p: 0.1 + 0.2 }), json({ p: 0.3 }), compileRules({})).map((d) => d.path), ['$.p'])
})

test('tolerance never makes a number equal to a string', () => {
  const diffs = compareSides(json({ p: 1 }), json({ p: '1' }), compileRules({ numericTolerance: 5 }))
  assert.deepEqual(diffs.map((d) => d.change), ['type'])
})

test('a negative or non-finite tolerance is refused at compile time', () => {
  assert.throws(() => compileRules({ numericTolerance: -1 }), /numericTolerance/)
  assert.throws(() => compileRules({ numericTolerance: Number.NaN }), /numericTolerance/)
})
