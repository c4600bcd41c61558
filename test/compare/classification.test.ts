import { test } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { Difference } from '../../src/compare/compare-sides.ts'
import { json, jsonText, side } from './sides.ts'

const rules = compileRules({ arrayKeys: { '$.keyed': 'id' }, unordered: ['$.bag'] })
const klass = (d: Difference[]) => d.map((x) => `${x.kind}/${x.change}/${x.class}`)

test('every change kind maps to its documented class', () => {
  const a = { changed: 1, removed: 1, type: 1, list: [1, 2], keyed: [{ id: 1 }], bag: ['a'] }
  const b = { changed: 2, added: 1, type: '1', list: [1], keyed: [{ id: 2 }], bag: ['b'] }
  const diffs = compareSides({ ...json(a, { 'x-h': '1' }), status: 200 }, { ...json(b, { 'x-h': '2' }), status: 201 }, rules)
  assert.deepEqual(klass(diffs), [
    'status/changed/status',
    'header/changed/header',
    'body/changed/value', // scalar
    'body/removed/schema', // object key
    'body/type/schema',
    'body/removed/value', // array element by index
    'body/removed/value', // keyed element
    'body/added/value',
    'body/removed/value', // multiset element
    'body/added/value',
    'body/added/schema' // object key
  ])
})

test('errors, invalid JSON, undecodable bodies and content-type changes', () => {
  assert.deepEqual(klass(compareSides(json(1), side(null, { status: 0, error: 'ETIMEDOUT' }), rules)), ['status/error/status'])
  assert.deepEqual(klass(compareSides(jsonText('{}'), jsonText('{'), rules)), ['body/invalid_json/schema'])
  const gz = side(zlib.gzipSync('{}').subarray(0, 5), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
  assert.deepEqual(klass(compareSides({ ...gz, body: zlib.gzipSync('{}') }, gz, rules)), ['body/undecodable/value'])
  const html = side('<p>', { headers: { 'content-type': 'text/html' } })
  assert.deepEqual(klass(compareSides(json({}), html, rules)), ['header/changed/header', 'body/type/schema'])
})
