// The compare worker pool when a worker dies or its reply ring is found corrupt: the worker's unfinished tasks
// fail with the reason, results it wrote before are still delivered, and a new worker takes its place.
// Real worker threads (test/fixtures/pool-worker.ts speaks the worker protocol and misbehaves on cue).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WorkerPool } from '../src/compare/pool.ts'
import type { WorkerReply, WorkerRequest } from '../src/compare/protocol.ts'

const FIXTURE = new URL('./fixtures/pool-worker.ts', import.meta.url)
let nextId = 1
/** A task for the fixture: only id and rulesKey (what the fixture should do) are read. */
const task = (what: 'ok' | 'message' | 'throw' | 'exit' | 'overrun' | 'garbage'): WorkerRequest => ({ id: nextId++, type: 'compare', rulesKey: what } as unknown as WorkerRequest)

async function withPool (body: (pool: WorkerPool, rooms: () => number) => Promise<void>): Promise<void> {
  let rooms = 0
  const pool = new WorkerPool(1, () => { rooms++ }, { policy: 'nice', nice: 0 }, () => {}, FIXTURE)
  try {
    await body(pool, () => rooms)
  } finally {
    await pool.close()
  }
}

const outcome = (r: WorkerReply): string => r.ok ? 'ok' : `failed: ${r.error}`

for (const [what, reason] of [
  ['throw', /^failed: compare worker crashed: fixture worker told to throw on task \d+$/],
  ['exit', /^failed: compare worker exited with code 7$/],
  ['overrun', /^failed: compare worker replaced: reply ring: a record of 2097152 bytes at \d+ runs past the end$/],
  ['garbage', /^failed: compare worker replaced: reply ring: the record of 4 bytes at \d+ is not JSON \(SyntaxError\)$/]
] as const) {
  const does = { throw: 'throws', exit: 'exits', overrun: 'writes a record past its ring\'s end', garbage: 'writes a record that is not JSON' }[what]
  test(`a compare worker that ${does} fails only its unfinished tasks, with the reason, and is replaced`, { timeout: 20_000 }, async () => {
    await withPool(async (pool, rooms) => {
      // In order on one worker: two answered (as a message, then through the ring: a result the pool must collect
      // before failing the rest) before it goes wrong, one that makes it go wrong, and one queued behind that it never reads.
      const before = [pool.run(task('message'), []), pool.run(task('ok'), [])]
      const bad = pool.run(task(what), [])
      const behind = pool.run(task('ok'), [])
      assert.deepEqual((await Promise.all(before)).map(outcome), ['ok', 'ok'])
      assert.match(outcome(await bad), reason)
      assert.match(outcome(await behind), reason)
      assert.ok(rooms() > 0, 'the pipeline was not told that room was made')
      // The replacement answers, through its ring and as a message.
      assert.ok(pool.hasRoom)
      assert.deepEqual((await Promise.all([pool.run(task('ok'), []), pool.run(task('message'), [])])).map(outcome), ['ok', 'ok'])
      assert.equal(pool.size, 1)
    })
  })
}

test('a pool\'s ring replies are settled even when no task is sent after them (the poll timer)', { timeout: 20_000 }, async () => {
  await withPool(async (pool) => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => pool.run(task('ok'), [])))
    assert.deepEqual(replies.map(outcome), Array(10).fill('ok'))
  })
})
