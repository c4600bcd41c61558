import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json, side } from './sides.ts'

const rules = compileRules({})

test('a status of the same class is one status difference, then headers and body still compare', () => {
  const diffs = compareSides({ ...json({ a: 1 }), status: 200 }, { ...json({ a: 2 }), status: 203 }, rules)
  assert.deepEqual(diffs[0], { kind: 'status', path: 'status', at: 'status', change: 'changed', class: 'status', primary: '200', candidate: '203' })
  assert.equal(diffs.length, 2)
  assert.equal(diffs[1]!.path, '$.a')
})

test('a status of another class is the only difference: the bodies are different documents', () => {
  const diffs = compareSides({ ...json({ a: 1 }, { 'x-h': '1' }), status: 200 }, { ...json({ error: 'x' }, { 'x-h': '2' }), status: 500 }, rules)
  assert.deepEqual(diffs, [{ kind: 'status', path: 'status', at: 'status', change: 'changed', class: 'status', primary: '200', candidate: '500' }])
})

test('an upstream error on one side is a single status difference and nothing else is compared', () => {
  const failed = side(null, { status: 0, error: 'ECONNRESET' })
  const ok = json({ a: 1 }, { 'x-extra': 'only here' })
  const diffs = compareSides(ok, failed, rules)
  assert.deepEqual(diffs, [{ kind: 'status', path: 'status', at: 'status', change: 'error', class: 'status', primary: '200', candidate: 'error ECONNRESET' }])
  assert.deepEqual(compareSides(failed, ok, rules).map((d) => [d.change, d.primary]), [['error', 'error ECONNRESET']])
})

test('both sides failing with the same code agree; different codes differ', () => {
  const reset = side(null, { status: 0, error: 'ECONNRESET' })
  const timeout = side(null, { status: 0, error: 'UND_ERR_HEADERS_TIMEOUT' })
  assert.deepEqual(compareSides(reset, { ...reset }, rules), [])
  const diffs = compareSides(reset, timeout, rules)
  assert.equal(diffs.length, 1)
  assert.equal(diffs[0]!.candidate, 'error UND_ERR_HEADERS_TIMEOUT')
})

test('identical responses match', () => {
  assert.deepEqual(compareSides(json({ a: [1, 2] }), json({ a: [1, 2] }), rules), [])
})
