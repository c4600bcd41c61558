import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compareSidesDetailed, compileRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const a = json({ xs: Array.from({ length: 250 }, (_, i) => i) })
const b = json({ xs: Array.from({ length: 250 }, (_, i) => i + 1) })

test('at most 100 differences are returned by default; the rest are counted', () => {
  const rules = compileRules({})
  const result = compareSidesDetailed(a, b, rules)
  assert.equal(result.differences.length, 100)
  assert.equal(result.truncated, true)
  assert.equal(result.omitted, 150)
  assert.equal(result.differences[99]!.at, '$.xs[99]')
  assert.deepEqual(compareSides(a, b, rules), result.differences)
})

test('the cap is configurable per compiled rule set', () => {
  const result = compareSidesDetailed(a, b, compileRules({}, { maxDifferences: 3 }))
  assert.deepEqual(result.differences.map((d) => d.at), ['$.xs[0]', '$.xs[1]', '$.xs[2]'])
  assert.equal(result.omitted, 247)
  assert.throws(() => compileRules({}, { maxDifferences: 0 }), /maxDifferences/)
})

test('under the cap nothing is truncated', () => {
  const result = compareSidesDetailed(json({ a: 1 }), json({ a: 2 }), compileRules({}))
  assert.deepEqual([result.differences.length, result.truncated, result.omitted], [1, false, 0])
})
