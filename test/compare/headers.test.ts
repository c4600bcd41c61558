import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { Difference } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})
const withHeaders = (headers: Record<string, string | string[]>) => side('same body', { headers })
const brief = (d: Difference[]) => d.map((x) => `${x.path} ${x.change} ${x.primary ?? '-'} ${x.candidate ?? '-'}`)

test('date, server, age, etag, via, x-request-id and content-length are ignored by default', () => {
  const a = withHeaders({ date: 'Mon', server: 'a', age: '1', etag: '"x"', via: '1.1 a', 'x-request-id': '1', 'content-length': '9' })
  const b = withHeaders({ date: 'Tue', server: 'b', age: '2', etag: '"y"', via: '1.1 b', 'x-request-id': '2', 'content-length': '10' })
  assert.deepEqual(compareSides(a, b, rules), [])
})

test('a header on one side only is added or removed, a different value is changed', () => {
  const a = withHeaders({ 'cache-control': 'no-store', 'x-old': '1' })
  const b = withHeaders({ 'cache-control': 'max-age=60', 'x-new': '2' })
  assert.deepEqual(brief(compareSides(a, b, rules)), [
    'header:cache-control changed no-store max-age=60',
    'header:x-old removed 1 -',
    'header:x-new added - 2'
  ])
  assert.ok(compareSides(a, b, rules).every((d) => d.kind === 'header' && d.class === 'header' && d.at === d.path))
})

test('set-cookie compares cookie names only, never values', () => {
  const a = withHeaders({ 'set-cookie': ['sid=abc; Path=/', 'theme=dark'] })
  assert.deepEqual(compareSides(a, withHeaders({ 'set-cookie': ['sid=zzz; Path=/; HttpOnly', 'theme=light'] }), rules), [])
  const diffs = compareSides(a, withHeaders({ 'set-cookie': ['sid=zzz', 'lang=en'] }), rules)
  assert.deepEqual(diffs.map((d) => [d.path, d.at, d.change, d.primary, d.candidate]), [
    ['header:set-cookie', 'header:set-cookie:theme', 'removed', 'theme', undefined],
    ['header:set-cookie', 'header:set-cookie:lang', 'added', undefined, 'lang']
  ])
  // Missing altogether on one side: still names only, the session id stays out of the sample.
  const gone = compareSides(a, withHeaders({}), rules)
  assert.deepEqual(gone.map((d) => d.at), ['header:set-cookie:sid', 'header:set-cookie:theme'])
  assert.ok(!JSON.stringify(gone).includes('abc'))
})

test('ignoreHeaders and header:NAME entries of ignore add to the defaults, case-insensitively', () => {
  const a = withHeaders({ 'x-trace': '1', 'x-build': 'a', 'x-kept': '1' })
  const b = withHeaders({ 'x-trace': '2', 'x-build': 'b', 'x-kept': '2' })
  const custom = compileRules({ ignoreHeaders: ['X-Trace'], ignore: ['header:x-build'] })
  assert.deepEqual(brief(compareSides(a, b, custom)), ['header:x-kept changed 1 2'])
  assert.equal(compareSides(a, b, rules).length, 3)
})

test('multi-valued headers compare as ordered lists; one value equals a one-element list', () => {
  assert.deepEqual(compareSides(withHeaders({ vary: 'accept' }), withHeaders({ vary: ['accept'] }), rules), [])
  assert.deepEqual(compareSides(withHeaders({ link: ['<a>', '<b>'] }), withHeaders({ link: ['<a>', '<b>'] }), rules), [])
  assert.deepEqual(brief(compareSides(withHeaders({ link: ['<a>', '<b>'] }), withHeaders({ link: ['<b>', '<a>'] }), rules)),
    ['header:link changed ["<a>","<b>"] ["<b>","<a>"]'])
  assert.equal(compareSides(withHeaders({ link: '<a>' }), withHeaders({ link: ['<a>', '<b>'] }), rules).length, 1)
})

test('content-type compares normalized: case, spacing and charset quoting are not differences', () => {
  const a = withHeaders({ 'content-type': 'text/plain; charset=utf-8' })
  assert.deepEqual(compareSides(a, withHeaders({ 'content-type': 'Text/Plain;charset="UTF-8"' }), rules), [])
  assert.deepEqual(brief(compareSides(a, withHeaders({ 'content-type': 'text/plain; charset=iso-8859-1' }), rules)),
    ['header:content-type changed text/plain; charset=utf-8 text/plain; charset=iso-8859-1'])
})
