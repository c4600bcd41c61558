import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json, side } from './sides.ts'

const rules = compileRules({})

test('JSON against HTML is a header difference plus a body schema difference, and nothing more', () => {
  const html = side('<html><body>error</body></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } })
  const diffs = compareSides(json({ a: 1 }), html, rules)
  assert.deepEqual(diffs.map((d) => [d.kind, d.path, d.change, d.class, d.primary, d.candidate]), [
    ['header', 'header:content-type', 'changed', 'header', 'application/json', 'text/html; charset=utf-8'],
    ['body', 'body:content-type', 'type', 'schema', 'application/json', 'text/html']
  ])
})

test('two JSON types of different essence still have their contents compared', () => {
  const problem = side('{"a":2}', { headers: { 'content-type': 'application/problem+json' } })
  const diffs = compareSides(json({ a: 1 }), problem, rules)
  assert.deepEqual(diffs.map((d) => d.path), ['header:content-type', 'body:content-type', '$.a'])
})

test('the primary content type picks the comparator: +json is JSON', () => {
  const h = { 'content-type': 'application/vnd.api+json' }
  assert.deepEqual(compareSides(side('{"a":1, "b":2}', { headers: h }), side('{"b":2,"a":1}', { headers: h }), rules), [])
})

test('a charset parameter alone does not change how bodies compare', () => {
  const a = side('{"a":1}', { headers: { 'content-type': 'application/json; charset=utf-8' } })
  const diffs = compareSides(a, json({ a: 2 }), rules)
  assert.deepEqual(diffs.map((d) => d.path), ['header:content-type', '$.a'])
})
