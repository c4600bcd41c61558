import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})
const text = (body: string | Uint8Array, type = 'text/plain') => side(body, { headers: { 'content-type': type } })

test('with equal line counts every differing line is reported, each at its own path', () => {
  const a = 'one\ntwo\nthree\nfour\n'
  const b = 'one\ntwo\nTHREE\nFOUR\n'
  assert.deepEqual(compareSides(text(a), text(b), rules), [
    { kind: 'body', path: 'body:line:3', at: 'line 3', change: 'changed', class: 'value', primary: '"three"', candidate: '"THREE"' },
    { kind: 'body', path: 'body:line:4', at: 'line 4', change: 'changed', class: 'value', primary: '"four"', candidate: '"FOUR"' }
  ])
  const many = Array.from({ length: 50 }, (_, i) => `l${i}`)
  assert.equal(compareSides(text(many.join('\n')), text(many.map((l) => l.toUpperCase()).join('\n')), rules).length, 20, 'at most 20 lines')
})

test('when line counts differ only the first differing line is reported (the rest is shifted)', () => {
  const diffs = compareSides(text('a\nb\nc\nd'), text('a\nx\nb\nc\nd'), rules)
  assert.deepEqual(diffs.map((d) => [d.path, d.at]), [['body:line:2', 'line 2']])
})

test('different line counts are mentioned in the rendering', () => {
  const diffs = compareSides(text('a\nb\nc'), text('a\nb'), rules)
  assert.deepEqual(diffs.map((d) => [d.at, d.change, d.primary, d.candidate]), [['line 3', 'removed', '"c" (3 lines)', '(no such line; 2 lines)']])
  const added = compareSides(text('a'), text('a\nx\ny'), rules)
  assert.deepEqual(added.map((d) => [d.at, d.change, d.primary, d.candidate]), [['line 2', 'added', '(no such line; 1 lines)', '"x" (3 lines)']])
  const changed = compareSides(text('a\nb'), text('a\nB\nc'), rules)
  assert.deepEqual(changed.map((d) => [d.primary, d.candidate]), [['"b" (2 lines)', '"B" (3 lines)']])
})

test('CRLF and LF line endings are not a difference; a final newline is', () => {
  assert.deepEqual(compareSides(text('a\r\nb\r\n'), text('a\nb\n'), rules), [])
  assert.deepEqual(compareSides(text('a\nb\n'), text('a\nb'), rules).map((d) => [d.at, d.change]), [['line 3', 'removed']])
})

test('xml, javascript and +xml types are compared as text', () => {
  for (const type of ['application/xml', 'application/javascript', 'image/svg+xml', 'text/html; charset=utf-8']) {
    assert.deepEqual(compareSides(text('<a/>\n<b/>', type), text('<a/>\n<c/>', type), rules).map((d) => d.at), ['line 2'], type)
  }
})

test('long lines are truncated in the rendering', () => {
  const d = compareSides(text('x'.repeat(5000)), text('y'.repeat(5000)), rules)[0]!
  assert.ok(d.primary!.length <= 201)
})

test('a latin1 charset is honoured', () => {
  const a = text(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'text/plain; charset=iso-8859-1') // "café" in latin1
  const b = text('café', 'text/plain; charset=iso-8859-1')
  const d = compareSides(a, b, rules)[0]!
  assert.equal(d.primary, '"café"')
  assert.notEqual(d.candidate, '"café"')
  assert.deepEqual(compareSides(a, text('café', 'text/plain; charset=utf-8'), rules).filter((x) => x.kind === 'body'), [])
})
