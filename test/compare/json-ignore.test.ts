import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { CompiledRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const paths = (a: unknown, b: unknown, rules: CompiledRules) => compareSides(json(a), json(b), rules).map((d) => d.at)

test('an exact path is skipped, whether it changed, appeared or disappeared', () => {
  const rules = compileRules({ ignore: ['$.meta.generatedAt'] })
  assert.deepEqual(paths({ meta: { generatedAt: 1, v: 1 } }, { meta: { generatedAt: 2, v: 1 } }, rules), [])
  assert.deepEqual(paths({ meta: { generatedAt: 1 } }, { meta: {} }, rules), [])
  assert.deepEqual(paths({ meta: {} }, { meta: { generatedAt: 1 } }, rules), [])
  // Siblings are still compared.
  assert.deepEqual(paths({ meta: { generatedAt: 1, v: 1 } }, { meta: { generatedAt: 2, v: 2 } }, rules), ['$.meta.v'])
})

test('[*] matches every array element', () => {
  const rules = compileRules({ ignore: ['$.items[*].updatedAt'] })
  const a = { items: [{ id: 1, updatedAt: 'a' }, { id: 2, updatedAt: 'b' }] }
  const b = { items: [{ id: 1, updatedAt: 'c' }, { id: 3, updatedAt: 'd' }] }
  assert.deepEqual(paths(a, b, rules), ['$.items[1].id'])
})

test('.* matches any one object key', () => {
  const rules = compileRules({ ignore: ['$.*.etag'] })
  const a = { user: { etag: 1, n: 1 }, cart: { etag: 2 }, etag: 3 }
  const b = { user: { etag: 9, n: 1 }, cart: { etag: 8 }, etag: 4 }
  // `$.*.etag` is one level down only: the top-level etag still counts.
  assert.deepEqual(paths(a, b, rules), ['$.etag'])
})

test('a whole subtree is skipped, however deep the change inside it', () => {
  const rules = compileRules({ ignore: ['$.debug'] })
  assert.deepEqual(paths({ debug: { a: [1, { b: 2 }] }, x: 1 }, { debug: { a: [3] }, x: 1 }, rules), [])
})

test('quoted keys and specific indices can be ignored', () => {
  const rules = compileRules({ ignore: ['$["a.b"]', "$['x y'].z", '$.list[0]'] })
  assert.deepEqual(paths({ 'a.b': 1, 'x y': { z: 1 }, list: [1, 2] }, { 'a.b': 2, 'x y': { z: 2 }, list: [9, 2] }, rules), [])
  assert.deepEqual(paths({ list: [1, 2] }, { list: [1, 3] }, rules), ['$.list[1]'])
})

test('several patterns sharing prefixes are all honoured', () => {
  const rules = compileRules({ ignore: ['$.a.b', '$.a.*.c', '$.*.d'] })
  const a = { a: { b: 1, x: { c: 1, e: 1 }, d: 1, f: 1 } }
  const b = { a: { b: 2, x: { c: 2, e: 2 }, d: 2, f: 2 } }
  assert.deepEqual(paths(a, b, rules), ['$.a.x.e', '$.a.f'])
})

test('"$" ignores the whole JSON body', () => {
  assert.deepEqual(paths({ a: 1 }, { a: 2 }, compileRules({ ignore: ['$'] })), [])
})

test('a malformed path is refused with a message naming it', () => {
  assert.throws(() => compileRules({ ignore: ['items.id'] }), /invalid path "items\.id".*must start with \$/)
  assert.throws(() => compileRules({ ignore: ['$.items[x]'] }), /invalid path "\$\.items\[x\]"/)
  assert.throws(() => compileRules({ unordered: ['$.a['] }), /unterminated/)
  assert.throws(() => compileRules({ arrayKeys: { '$.a': '' } }), /must name an element field/)
})
