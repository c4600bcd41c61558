// The bounded copy of a body: every byte up to the limit in memory shared with the compare workers, a digest past it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { BodyCapture } from '../src/proxy/capture.ts'

const chunks = (b: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size))

for (const announced of [true, false]) {
  test(`a body under the limit is kept whole in shared memory (${announced ? 'known' : 'unknown'} length)`, () => {
    const body = randomBytes(100_000)
    const c = new BodyCapture(1 << 20)
    if (announced) c.expect(body.length)
    for (const part of chunks(body, 16_384)) c.add(part)
    const got = c.finish()
    assert.ok(got.bytes !== null && got.bytes.equals(body))
    assert.ok(got.bytes.buffer instanceof SharedArrayBuffer, 'reaches a worker by reference')
    assert.equal(got.bytes.length, body.length)
    assert.equal(got.sha256, null)
  })
}

test('captured bodies share slabs without overlapping, and a large one gets memory of its own', () => {
  const kept: Array<[Buffer, Buffer]> = []
  // Sizes that are not multiples of 8, enough of them to fill more than one 1 MiB slab.
  for (let i = 0; i < 120; i++) {
    const body = randomBytes(1 + ((i * 7919) % 30_000))
    for (const announced of [true, false]) {
      const c = new BodyCapture(1 << 20)
      if (announced) c.expect(body.length)
      for (const part of chunks(body, 4096)) c.add(part)
      kept.push([body, c.finish().bytes!])
    }
  }
  for (const [body, got] of kept) assert.ok(got.equals(body), 'a later capture overwrote an earlier one')
  assert.ok(new Set(kept.map(([, got]) => got.buffer)).size > 1, 'more than one slab used')
  const big = randomBytes(600_000)
  const c = new BodyCapture(1 << 20)
  c.expect(big.length)
  c.add(big)
  const got = c.finish().bytes!
  assert.ok(got.equals(big))
  assert.equal(got.buffer.byteLength, big.length, 'a body over a quarter slab has a buffer of its own')
  assert.ok(got.buffer instanceof SharedArrayBuffer)
})

test('past the limit only the length and a SHA-256 of every byte are kept', () => {
  const body = randomBytes(300_000)
  const c = new BodyCapture(200_000)
  c.expect(body.length)
  for (const part of chunks(body, 65_536)) c.add(part)
  const got = c.finish()
  assert.equal(got.bytes, null)
  assert.equal(got.length, body.length)
  assert.equal(got.sha256, createHash('sha256').update(body).digest('hex'))
})

test('fewer or more bytes than announced are still captured exactly', () => {
  const body = randomBytes(5000)
  const short = new BodyCapture(1 << 20)
  short.expect(8000)
  short.add(body)
  assert.ok(short.finish().bytes!.equals(body))
  const long = new BodyCapture(1 << 20)
  long.expect(1000)
  for (const part of chunks(body, 700)) long.add(part)
  assert.ok(long.finish().bytes!.equals(body))
})
