// The dashboard highlights differences in pretty-printed bodies: each concrete location a difference names
// (`$.items[3].price`, `$.items[id=42].price`, `line 4`) maps to the lines of its value.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { highlightedLines, indexBody, locate, parsePath } from '../src/admin/dashboard/body-lines.ts'

const pretty = (v: unknown): string => JSON.stringify(v, null, 2)
const linesOf = (text: string, at: string): string[] => {
  const index = indexBody(text)
  const r = locate(index, at)
  return r === null ? [] : index.lines.slice(r.start, r.end + 1).map((l) => l.trim())
}

const body = pretty({
  id: 7,
  items: [{ sku: 'a', price: 1 }, { sku: 'b', price: 2 }, { sku: 'c', price: 3 }, { sku: 'd', price: 4, tags: ['x', 'y'] }],
  lines: [{ id: 41, qty: 1 }, { id: 42, qty: 5 }, { id: 'a-1', qty: 9 }],
  'odd key': { 'x.y': true, '"quoted"': null },
  empty: {},
  list: [],
  meta: { note: 'a ": tricky, string {', n: -1.5e-7 }
})

test('a concrete path finds the line of a scalar and every line of a container', () => {
  assert.deepEqual(linesOf(body, '$.id'), ['"id": 7,'])
  assert.deepEqual(linesOf(body, '$.items[3].price'), ['"price": 4,'])
  assert.deepEqual(linesOf(body, '$.items[1]'), ['{', '"sku": "b",', '"price": 2', '},'])
  assert.deepEqual(linesOf(body, '$.items[3].tags[1]'), ['"y"'])
  assert.deepEqual(linesOf(body, '$.empty'), ['"empty": {},'])
  assert.deepEqual(linesOf(body, '$.meta.n'), ['"n": -1.5e-7'])
  assert.equal(linesOf(body, '$').length, body.split('\n').length)
})

test('keys that are not identifiers, and strings that look like JSON syntax, are read right', () => {
  assert.deepEqual(linesOf(body, '$["odd key"]["x.y"]'), ['"x.y": true,'])
  assert.deepEqual(linesOf(body, '$["odd key"]["\\"quoted\\""]'), ['"\\"quoted\\"": null'])
  assert.deepEqual(linesOf(body, '$.meta.note'), ['"note": "a \\": tricky, string {",'])
})

test('an element of an array matched by key ([id=42], [id="a-1"]) is found by its key field', () => {
  assert.deepEqual(linesOf(body, '$.lines[id=42].qty'), ['"qty": 5'])
  assert.deepEqual(linesOf(body, '$.lines[id="a-1"].qty'), ['"qty": 9'])
  assert.deepEqual(linesOf(body, '$.lines[id=43].qty'), [])
  assert.deepEqual(linesOf(body, '$.lines[id="42"].qty'), [], 'the string "42" is not the number 42')
})

test('a path absent from this side (a removed or added field) highlights nothing', () => {
  assert.deepEqual(linesOf(body, '$.email'), [])
  assert.deepEqual(linesOf(body, '$.items[9]'), [])
  assert.deepEqual(linesOf(body, 'header:cache-control'), [])
  assert.deepEqual(linesOf(body, 'status'), [])
})

test('a wildcard names the whole array; `line N` a line of a text body; `body` all of it', () => {
  const items = linesOf(body, '$.items[*]')
  assert.equal(items[0], '"items": [')
  assert.equal(items.at(-1), '],')
  assert.deepEqual(linesOf('alpha\nbeta\ngamma', 'line 2'), ['beta'])
  assert.deepEqual(linesOf('alpha\nbeta', 'line 3'), [])
  assert.deepEqual(linesOf('alpha\nbeta', 'body'), ['alpha', 'beta'])
})

test('a truncated body keeps what it has: open containers run to its last line', () => {
  const cut = body.slice(0, body.indexOf('"price": 3'))
  assert.deepEqual(linesOf(cut, '$.items[2].sku'), ['"sku": "c",'])
  const items = linesOf(cut, '$.items')
  assert.equal(items.length, cut.split('\n').length - 2)
  assert.deepEqual(linesOf(cut, '$.lines'), [])
})

test('lines of several differences are collected, each once', () => {
  const index = indexBody(body)
  const lines = highlightedLines(index, ['$.id', '$.items[0]', '$.items[0].price', 'status'])
  assert.deepEqual([...lines].sort((a, b) => a - b), [1, 3, 4, 5, 6])
})

test('paths are parsed like the comparator renders them', () => {
  assert.deepEqual(parsePath('$.a[2]["b c"][k="v]"].d[*]'), [
    { kind: 'key', name: 'a' }, { kind: 'index', index: 2 }, { kind: 'key', name: 'b c' },
    { kind: 'keyed', field: 'k', value: '"v]"' }, { kind: 'key', name: 'd' }, { kind: 'any' }
  ])
  assert.equal(parsePath('line 4'), null)
  assert.equal(parsePath('$.a..b'), null)
})
