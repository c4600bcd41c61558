import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import type { SideInput } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const png = (bytes: number[]) => side(new Uint8Array(bytes), { headers: { 'content-type': 'image/png' } })
const tooLarge = (bytes: Uint8Array): SideInput => ({ ...side(null, { headers: { 'content-type': 'application/json' } }), length: bytes.byteLength, sha256: sha(bytes) })

test('binary bodies compare by length and SHA-256', () => {
  assert.deepEqual(compareSides(png([1, 2, 3]), png([1, 2, 3]), rules), [])
  const diffs = compareSides(png([1, 2, 3]), png([1, 2, 4, 5]), rules)
  assert.deepEqual(diffs, [{
    kind: 'body',
    path: 'body:bytes',
    at: 'body',
    change: 'changed',
    class: 'value',
    primary: `3 bytes, sha256 ${sha(new Uint8Array([1, 2, 3]))}`,
    candidate: `4 bytes, sha256 ${sha(new Uint8Array([1, 2, 4, 5]))}`
  }])
})

test('a missing content type is compared as bytes', () => {
  assert.deepEqual(compareSides(side('{"a":1}'), side('{"a":2}'), rules).map((d) => d.path), ['body:bytes'])
})

test('a body too large to capture is compared by length and hash against the other side\'s bytes', () => {
  const bytes = new TextEncoder().encode('{"big":true}')
  const captured = side(bytes, { headers: { 'content-type': 'application/json' } })
  assert.deepEqual(compareSides(tooLarge(bytes), captured, rules), [])
  assert.deepEqual(compareSides(captured, tooLarge(bytes), rules), [])
  assert.deepEqual(compareSides(tooLarge(bytes), tooLarge(bytes), rules), [])
  const other = new TextEncoder().encode('{"big":false}')
  const diffs = compareSides(tooLarge(bytes), tooLarge(other), rules)
  assert.deepEqual(diffs.map((d) => [d.path, d.change, d.class]), [['body:bytes', 'changed', 'value']])
  assert.equal(diffs[0]!.primary, `12 bytes, sha256 ${sha(bytes)}`)
})

test('same hash but a different length is still a difference', () => {
  const bytes = new TextEncoder().encode('abc')
  assert.equal(compareSides(tooLarge(bytes), { ...tooLarge(bytes), length: 4 }, rules).length, 1)
})

test('a too-large body whose hash is missing never matches', () => {
  const bytes = new TextEncoder().encode('abc')
  const unknown = { ...tooLarge(bytes), sha256: null }
  assert.match(compareSides(unknown, unknown, rules)[0]!.primary!, /sha256 unknown/)
})
