import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { jsonText } from './sides.ts'

const rules = compileRules({})

test('a JSON body that does not parse is an invalid_json difference at $, class schema', () => {
  const diffs = compareSides(jsonText('{"a":1}'), jsonText('{"a":1'), rules)
  assert.equal(diffs.length, 1)
  const d = diffs[0]!
  assert.deepEqual([d.kind, d.path, d.at, d.change, d.class, d.primary], ['body', '$', '$', 'invalid_json', 'schema', undefined])
  assert.match(d.candidate!, /^invalid JSON: /)
})

test('the primary failing to parse is reported on the primary side', () => {
  const d = compareSides(jsonText('<html>oops</html>'), jsonText('{"a":1}'), rules)[0]!
  assert.equal(d.change, 'invalid_json')
  assert.match(d.primary!, /^invalid JSON/)
  assert.equal(d.candidate, undefined)
})

test('two bodies that both fail to parse are compared as text', () => {
  const diffs = compareSides(jsonText('not json\nline two'), jsonText('not json\nline 2'), rules)
  assert.deepEqual(diffs.map((d) => [d.path, d.at, d.change]), [['body:line:2', 'line 2', 'changed']])
})

test('a UTF-8 BOM does not make a body invalid', () => {
  assert.deepEqual(compareSides(jsonText('\uFEFF{"a":1}'), jsonText('{"a":1}'), rules), [])
})
