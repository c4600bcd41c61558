import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})

for (const status of [204, 304, 101, 103]) {
  test(`status ${status}: only status and headers are compared`, () => {
    const a = side('stray bytes', { status, headers: { 'content-type': 'application/json', 'x-v': '1' } })
    const b = side('other stray', { status, headers: { 'content-type': 'application/json', 'x-v': '2' } })
    assert.deepEqual(compareSides(a, b, rules).map((d) => d.path), ['header:x-v'])
  })
}

test('200 against 204: the status differs, and the bodies are not compared', () => {
  const a = side('{"a":1}', { status: 200, headers: { 'content-type': 'application/json' } })
  const b = side('', { status: 204, headers: { 'content-type': 'application/json' } })
  assert.deepEqual(compareSides(a, b, rules).map((d) => d.path), ['status'])
})

test('two empty bodies (HEAD-like) are not compared, whatever their content-type or encoding claims', () => {
  const a = side('', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
  const b = side('', { headers: { 'content-type': 'application/json', 'content-encoding': 'br' } })
  assert.deepEqual(compareSides(a, b, rules), [])
})

test('a body on one side only is a schema difference at "body"', () => {
  const full = side('{"a":1}', { headers: { 'content-type': 'application/json' } })
  const empty = side('', { headers: { 'content-type': 'application/json' } })
  assert.deepEqual(compareSides(full, empty, rules), [{ kind: 'body', path: 'body', at: 'body', change: 'removed', class: 'schema', primary: '7 bytes' }])
  assert.deepEqual(compareSides(empty, full, rules).map((d) => [d.change, d.candidate]), [['added', '7 bytes']])
})
