import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'
import { ReplyRing } from '../src/compare/reply-ring.ts'

const drain = (ring: ReplyRing): unknown[] => {
  const out: unknown[] = []
  ring.read((v) => out.push(v))
  return out
}

test('a reply ring hands values over in order across its end, refuses what does not fit now, and takes it once read', { timeout: 20_000 }, () => {
  const ring = new ReplyRing(ReplyRing.memory(160))
  assert.deepEqual(drain(ring), [])
  let next = 0
  let seen = 0
  // Records of 12-35 bytes in a 160-byte ring: every few writes wrap, some with a WRAP mark and some with < 4 bytes left.
  for (let round = 0; round < 200; round++) {
    while (ring.write({ n: next, s: 'y'.repeat(next % 24) })) next++
    assert.ok(next > seen, `round ${round}: nothing fitted in an empty ring`)
    const got = drain(ring) as Array<{ n: number }>
    assert.deepEqual(got.map((v) => v.n), Array.from({ length: next - seen }, (_, k) => seen + k))
    seen = next
  }
  assert.equal(ring.write({ big: 'z'.repeat(200) }), false, 'a value larger than the ring was accepted')
  // A record exactly as long as the space before the reader must not be taken: the ring would then look empty.
  const exact = new ReplyRing(ReplyRing.memory(160))
  const str = (need: number): string => 'x'.repeat(need - 6) // 4 bytes of length, 2 quotes
  assert.ok(exact.write(str(40)))
  assert.deepEqual(drain(exact), [str(40)])
  assert.ok(exact.write(str(115)), 'reader at 40: 115 bytes fit before the end')
  assert.equal(exact.write(str(40)), false, 'took the 40 bytes before the reader')
  assert.deepEqual(drain(exact), [str(115)])
  assert.equal(ring.write([1, 2, 3]), true)
  assert.deepEqual(drain(ring), [[1, 2, 3]])
  // A length that runs past the end (memory overwritten: a bug) is an error, not an endless or out-of-bounds read.
  const memory = ReplyRing.memory(160)
  const corrupt = new ReplyRing(memory)
  assert.ok(corrupt.write({ a: 1 }))
  Buffer.from(memory, 8).writeUInt32LE(1000, 0)
  assert.throws(() => drain(corrupt), /runs past the end/)
})

test('a reply ring between a real worker and this thread loses and reorders nothing', { timeout: 60_000 }, async () => {
  const count = 20_000
  const memory = ReplyRing.memory(4096)
  const ring = new ReplyRing(memory)
  const worker = new Worker(new URL('./fixtures/ring-writer.ts', import.meta.url), { workerData: { memory, count } })
  const done = new Promise<{ full: number }>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
  const got: number[] = []
  const deadline = Date.now() + 30_000
  while (got.length < count && Date.now() < deadline) {
    ring.read((v) => got.push((v as { i: number }).i))
    await sleep(1)
  }
  const { full } = await done
  await worker.terminate()
  assert.equal(got.length, count)
  for (let i = 0; i < count; i++) if (got[i] !== i) assert.fail(`record ${i} arrived as ${got[i]}`)
  // 20,000 records of ~20-330 bytes through 4 KB: the writer must have found the ring full, or the wrap was never tested.
  assert.ok(full > 0, 'the ring never filled up')
})
