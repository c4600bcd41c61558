import { test } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})
const A = JSON.stringify({ items: [{ id: 1, price: 10 }, { id: 2, price: 20 }], note: 'x'.repeat(300) })
const B = A.replace('"price":20', '"price":21')

function encoded (encoding: string, bytes: Uint8Array): ReturnType<typeof side> {
  return side(bytes, { headers: { 'content-type': 'application/json', 'content-encoding': encoding } })
}
const plain = (text: string) => side(text, { headers: { 'content-type': 'application/json' } })
const onlyPrice = (diffs: ReturnType<typeof compareSides>) => diffs.map((d) => `${d.at} ${d.primary}→${d.candidate}`)

const codecs: Array<[string, (b: Buffer) => Buffer]> = [
  ['gzip', (b) => zlib.gzipSync(b)],
  ['x-gzip', (b) => zlib.gzipSync(b)],
  ['deflate', (b) => zlib.deflateSync(b)],
  ['br', (b) => zlib.brotliCompressSync(b)]
]

for (const [name, compress] of codecs) {
  test(`${name} bodies are compared decoded`, () => {
    const a = encoded(name, compress(Buffer.from(A)))
    const b = encoded(name, compress(Buffer.from(B)))
    assert.deepEqual(onlyPrice(compareSides(a, b, rules)), ['$.items[1].price 20→21'])
    assert.deepEqual(compareSides(a, encoded(name, compress(Buffer.from(A))), rules), [])
  })
}

test('zstd bodies are compared decoded when this Node has zlib.zstdDecompressSync', { skip: typeof zlib.zstdDecompressSync !== 'function' }, () => {
  const a = encoded('zstd', zlib.zstdCompressSync(Buffer.from(A)))
  assert.deepEqual(compareSides(a, plain(A), rules), [])
  assert.deepEqual(onlyPrice(compareSides(a, encoded('zstd', zlib.zstdCompressSync(Buffer.from(B))), rules)), ['$.items[1].price 20→21'])
})

test('raw deflate (no zlib header) is accepted under content-encoding: deflate', () => {
  const a = encoded('deflate', zlib.deflateRawSync(Buffer.from(A)))
  assert.deepEqual(onlyPrice(compareSides(a, plain(B), rules)), ['$.items[1].price 20→21'])
})

test('a chain "gzip, br" is undone last coding first', () => {
  const chained = zlib.brotliCompressSync(zlib.gzipSync(Buffer.from(A)))
  const a = encoded('gzip, br', chained)
  assert.deepEqual(compareSides(a, plain(A), rules), [])
  assert.deepEqual(onlyPrice(compareSides(a, plain(B), rules)), ['$.items[1].price 20→21'])
})

test('a different encoding of the same content is not a difference, content-encoding header included', () => {
  const a = encoded('gzip', zlib.gzipSync(Buffer.from(A), { level: 1 }))
  assert.deepEqual(compareSides(a, encoded('br', zlib.brotliCompressSync(Buffer.from(A))), rules), [])
  assert.deepEqual(compareSides(a, plain(A), rules), [])
})

test('a corrupt body is undecodable, and the encoding header difference is then reported', () => {
  const gz = zlib.gzipSync(Buffer.from(A))
  const corrupt = gz.subarray(0, gz.length - 12)
  const diffs = compareSides(encoded('gzip', gz), encoded('gzip', corrupt), rules)
  assert.equal(diffs.length, 1)
  assert.equal(diffs[0]!.path, 'body:encoding')
  assert.equal(diffs[0]!.change, 'undecodable')
  assert.equal(diffs[0]!.class, 'value')
  assert.equal(diffs[0]!.primary, undefined)
  assert.match(diffs[0]!.candidate!, /^gzip: /)

  const vsPlain = compareSides(plain(A), encoded('gzip', corrupt), rules)
  assert.deepEqual(vsPlain.map((d) => `${d.path} ${d.change}`), ['header:content-encoding added', 'body:encoding undecodable'])
})

test('an unknown coding is undecodable', () => {
  const diffs = compareSides(encoded('compress', Buffer.from('abc')), plain(A), rules)
  assert.deepEqual(diffs.map((d) => `${d.path} ${d.change}`), ['header:content-encoding removed', 'body:encoding undecodable'])
  assert.match(diffs[1]!.primary!, /unsupported content-encoding compress/)
})

test('a zip bomb stops at the decoded-size bound instead of inflating fully', () => {
  const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 1 })
  const bounded = compileRules({}, { maxDecodedBytes: 1024 * 1024 })
  const diffs = compareSides(encoded('gzip', bomb), plain(A), bounded)
  const undecodable = diffs.find((d) => d.change === 'undecodable')
  assert.ok(undecodable, 'expected an undecodable difference')
  // The zlib error, not the final size check: inflating stopped at the bound instead of finishing first.
  assert.equal(undecodable.primary, 'gzip: decoded body over 1048576 bytes')
  // The same bomb under the 64 MiB default decodes: the bound above is what stopped it.
  assert.equal(compareSides(encoded('gzip', bomb), plain(A), rules).some((d) => d.change === 'undecodable'), false)
})

test('a 1 GiB bomb stops at the 64 MiB default bound', () => {
  // 128 gzip members of 8 MiB of zeros each: about 1 MiB on the wire, 1 GiB inflated.
  const member = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 })
  const bomb = Buffer.concat(Array.from({ length: 128 }, () => member))
  const peakBefore = process.resourceUsage().maxRSS
  const diffs = compareSides(encoded('gzip', bomb), plain(A), rules)
  assert.equal(diffs.find((d) => d.change === 'undecodable')!.primary, 'gzip: decoded body over 67108864 bytes')
  // maxRSS is a high-water mark (KiB): inflating the whole GiB would have raised it by about 1,000,000.
  assert.ok(process.resourceUsage().maxRSS - peakBefore < 400 * 1024, 'peak memory grew by more than 400 MiB')
})
