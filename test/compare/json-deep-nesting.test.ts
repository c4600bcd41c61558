import { test } from 'node:test'
import assert from 'node:assert/strict'
import { changeset, compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { jsonText } from './sides.ts'

const rules = compileRules({})
const nested = (depth: number, leaf: string) => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth)

test('100,000 levels of nesting compare without a stack overflow', () => {
  const depth = 100_000
  assert.deepEqual(compareSides(jsonText(nested(depth, '1')), jsonText(nested(depth, ' 1')), rules), [])
  const diffs = compareSides(jsonText(nested(depth, '1')), jsonText(nested(depth, '2')), rules)
  assert.equal(diffs.length, 1)
  const d = diffs[0]!
  // Past 256 levels the rest is compared as one canonical text, reported at the depth where the walk stopped.
  assert.equal(d.change, 'changed')
  assert.equal(d.class, 'value')
  assert.equal(d.path, '$' + '.a'.repeat(256))
  assert.ok(d.primary!.length <= 201)
})

test('a difference above the cut-off depth is still found structurally', () => {
  const a = `{"x":1,"deep":${nested(10_000, '1')}}`
  const b = `{"x":2,"deep":${nested(10_000, '1')}}`
  assert.deepEqual(compareSides(jsonText(a), jsonText(b), rules).map((d) => d.path), ['$.x'])
})

test('deep arrays are handled the same way', () => {
  const deep = (leaf: string) => '['.repeat(50_000) + leaf + ']'.repeat(50_000)
  const diffs = compareSides(jsonText(deep('1')), jsonText(deep('2')), rules)
  assert.equal(diffs.length, 1)
  assert.equal(diffs[0]!.path, '$' + '[*]'.repeat(256))
})

test('the changeset of deeply nested bodies does not overflow either', () => {
  const atoms = changeset(jsonText(nested(50_000, '1')), jsonText(nested(50_000, '2')), rules)
  assert.equal(atoms.length, 1)
})
