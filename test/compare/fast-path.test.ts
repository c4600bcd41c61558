import { test } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})

test('identical raw bytes under the same encoding are not decoded or parsed', () => {
  // Corrupt gzip claiming JSON: decoding it would be an undecodable difference, so an empty result shows
  // the bytes were never decoded.
  const corrupt = zlib.gzipSync('{"a":1}').subarray(0, 8)
  const h = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
  assert.deepEqual(compareSides(side(corrupt, { headers: h }), side(new Uint8Array(corrupt), { headers: h }), rules), [])
  assert.equal(compareSides(side(corrupt, { headers: h }), side(zlib.gzipSync('{"a":1}'), { headers: h }), rules).length, 1)
})

test('the same bytes under different encodings are decoded before judging', () => {
  const h = (enc: string) => ({ 'content-type': 'application/json', 'content-encoding': enc })
  const bytes = zlib.gzipSync('{"a":1}')
  assert.deepEqual(compareSides(side(bytes, { headers: h('gzip') }), side(bytes, { headers: h('br') }), rules).map((d) => d.path),
    ['header:content-encoding', 'body:encoding'])
})
