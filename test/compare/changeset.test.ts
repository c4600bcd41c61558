import { test } from 'node:test'
import assert from 'node:assert/strict'
import { changeset, compileRules } from '../../src/compare/compare-sides.ts'
import { json, jsonText, side } from './sides.ts'

interface Atom { type: string; path: string; value?: unknown; oldValue?: unknown }
const atoms = (a: unknown, b: unknown, config = {}) => changeset(json(a), json(b), compileRules(config)) as Atom[]

test('JSON bodies give json-diff-ts atoms with JSONPath paths', () => {
  assert.deepEqual(atoms({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'y' } }).map((x) => [x.type, x.path, x.oldValue, x.value]),
    [['UPDATE', '$.b.c', 'x', 'y']])
})

test('arrayKeys become embeddedObjKeys: keyed elements are matched by key', () => {
  const a = { items: [{ id: 1, p: 1 }, { id: 2, p: 2 }] }
  const b = { items: [{ id: 2, p: 3 }, { id: 1, p: 1 }] }
  const keyed = atoms(a, b, { arrayKeys: { '$.items': 'id' } })
  assert.deepEqual(keyed.map((x) => [x.type, x.path]), [['UPDATE', "$.items[?(@.id=='2')].p"]])
  assert.ok(atoms(a, b).length > 1)
})

test('wildcard array keys apply at each matching array', () => {
  const a = { orders: [{ lines: [{ sku: 'A', n: 1 }, { sku: 'B', n: 2 }] }] }
  const b = { orders: [{ lines: [{ sku: 'B', n: 2 }, { sku: 'A', n: 5 }] }] }
  const keyed = atoms(a, b, { arrayKeys: { '$.*[*].lines': 'sku' } })
  assert.deepEqual(keyed.map((x) => x.path), ["$.orders[0].lines[?(@.sku=='A')].n"])
})

test('ignored paths, wildcards included, are left out', () => {
  const a = { meta: { at: 1 }, items: [{ id: 1, updatedAt: 'a', v: 1 }], user: { etag: 1 } }
  const b = { meta: { at: 2 }, items: [{ id: 1, updatedAt: 'b', v: 2 }], user: { etag: 2 } }
  const out = atoms(a, b, { ignore: ['$.meta.at', '$.items[*].updatedAt', '$.*.etag'] })
  assert.deepEqual(out.map((x) => x.path), ['$.items[0].v'])
})

test('unordered arrays are sorted first, so a reorder is no change', () => {
  assert.deepEqual(atoms({ tags: ['b', 'a', { x: 1 }] }, { tags: [{ x: 1 }, 'a', 'b'] }, { unordered: ['$.tags'] }), [])
})

test('non-JSON bodies, invalid JSON and identical bodies give []', () => {
  const rules = compileRules({})
  const text = (s: string) => side(s, { headers: { 'content-type': 'text/plain' } })
  assert.deepEqual(changeset(text('a'), text('b'), rules), [])
  assert.deepEqual(changeset(jsonText('{'), jsonText('{}'), rules), [])
  assert.deepEqual(changeset(json({ a: 1 }), json({ a: 1 }), rules), [])
  assert.deepEqual(changeset(side(null, { status: 0, error: 'ECONNRESET' }), json({}), rules), [])
})

test('an array under a key named like an Object.prototype member does not confuse json-diff-ts', () => {
  const out = atoms({ constructor: [1, 2], items: [{ id: 1 }] }, { constructor: [1, 3], items: [{ id: 1 }] }, { arrayKeys: { '$.items': 'id' } })
  assert.deepEqual(out.map((x) => x.path), ['$.constructor[1]'])
  const proto = changeset(jsonText('{"__proto__":[1,2],"items":[{"id":1}]}'), jsonText('{"__proto__":[1,3],"items":[{"id":1}]}'),
    compileRules({ arrayKeys: { '$.items': 'id' } })) as Atom[]
  assert.deepEqual(proto.map((x) => [x.path, x.value]), [['$.__proto__[1]', 3]])
})
