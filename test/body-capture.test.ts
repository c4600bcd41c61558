// The bounded copy of a body: every byte up to the limit in one dedicated buffer, a digest past it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { BodyCapture } from '../src/proxy/capture.ts'

const chunks = (b: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size))

for (const announced of [true, false]) {
  test(`a body under the limit is kept whole in its own buffer (${announced ? 'known' : 'unknown'} length)`, () => {
    const body = randomBytes(100_000)
    const c = new BodyCapture(1 << 20)
    if (announced) c.expect(body.length)
    for (const part of chunks(body, 16_384)) c.add(part)
    const got = c.finish()
    assert.ok(got.bytes !== null && got.bytes.equals(body))
    assert.equal(got.bytes.byteOffset, 0)
    assert.equal(got.bytes.buffer.byteLength, body.length, 'a dedicated, transferable buffer')
    assert.equal(got.sha256, null)
  })
}

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
