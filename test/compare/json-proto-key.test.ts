import { test } from 'node:test'
import assert from 'node:assert/strict'
import { changeset, compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { jsonText } from './sides.ts'

test('a __proto__ key is compared as an ordinary key', () => {
  const rules = compileRules({})
  const diffs = compareSides(jsonText('{"__proto__":{"admin":false},"a":1}'), jsonText('{"__proto__":{"admin":true},"a":1}'), rules)
  assert.deepEqual(diffs.map((d) => [d.path, d.change, d.primary, d.candidate]), [['$.__proto__.admin', 'changed', 'false', 'true']])
  assert.deepEqual(compareSides(jsonText('{"__proto__":{"x":1}}'), jsonText('{}'), rules).map((d) => [d.path, d.change]), [['$.__proto__', 'removed']])
  assert.deepEqual(compareSides(jsonText('{}'), jsonText('{"__proto__":1}'), rules).map((d) => [d.path, d.change]), [['$.__proto__', 'added']])
})

test('__proto__ and constructor keys pollute nothing, through every rule kind and the changeset', () => {
  const rules = compileRules({ arrayKeys: { '$.items': 'id' }, unordered: ['$.tags'], ignore: ['$.__proto__.ignored'] })
  const a = '{"__proto__":{"polluted":1,"ignored":1},"constructor":{"prototype":{"polluted":1}},"items":[{"id":"__proto__","v":1}],"tags":[{"__proto__":1}]}'
  const b = '{"__proto__":{"polluted":2,"ignored":2},"constructor":{"prototype":{"polluted":2}},"items":[{"id":"__proto__","v":2}],"tags":[{"__proto__":2}]}'
  const diffs = compareSides(jsonText(a), jsonText(b), rules)
  assert.deepEqual(diffs.map((d) => d.at), [
    '$.__proto__.polluted',
    '$.constructor.prototype.polluted',
    '$.items[id="__proto__"].v',
    '$.tags[0]',
    '$.tags[0]'
  ])
  changeset(jsonText(a), jsonText(b), rules)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false)
})
