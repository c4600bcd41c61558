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
const task = (what: 'ok' | 'message' | 'held' | 'throw' | 'exit' | 'overrun' | 'garbage'): WorkerRequest => ({ id: nextId++, type: 'compare', rulesKey: what } as unknown as WorkerRequest)

/** A poll interval no test lasts: ring replies then only arrive when the pool collects them some other way. */
const NO_POLL = 3_600_000

async function withPool (body: (pool: WorkerPool, rooms: () => number) => Promise<void>, pollMs?: number): Promise<void> {
  let rooms = 0
  const pool = new WorkerPool(1, () => { rooms++ }, { policy: 'nice', nice: 0 }, () => {}, FIXTURE, pollMs)
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
      // One answered (as a message, taken in before the rest is sent: its arrival collects the ring). Then, in order
      // on one worker: one whose reply the bad task writes to the ring just before it goes wrong; the bad one; and
      // one queued behind that it never reads. A worker that dies gets no poll timer and sends no later message: only
      // the pool collecting its ring before failing the rest delivers the held reply. A corrupt ring is only found by
      // reading it (the poll), which delivers the reply before it.
      assert.equal(outcome(await pool.run(task('message'), [])), 'ok')
      const held = pool.run(task('held'), [])
      const bad = pool.run(task(what), [])
      const behind = pool.run(task('ok'), [])
      assert.equal(outcome(await held), 'ok')
      assert.match(outcome(await bad), reason)
      assert.match(outcome(await behind), reason)
      assert.ok(rooms() > 0, 'the pipeline was not told that room was made')
      // The replacement answers, through its ring (collected when the message after it comes) and as a message.
      assert.ok(pool.hasRoom)
      assert.deepEqual((await Promise.all([pool.run(task('ok'), []), pool.run(task('message'), [])])).map(outcome), ['ok', 'ok'])
      assert.equal(pool.size, 1)
    }, what === 'throw' || what === 'exit' ? NO_POLL : undefined)
  })
}

test('a pool\'s ring replies are settled even when no task is sent after them (the poll timer)', { timeout: 20_000 }, async () => {
  await withPool(async (pool) => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => pool.run(task('ok'), [])))
    assert.deepEqual(replies.map(outcome), Array(10).fill('ok'))
  })
})

test('ring replies written before a message are settled before it, in order', { timeout: 20_000 }, async () => {
  await withPool(async (pool) => {
    const order: string[] = []
    void pool.run(task('held'), []).then((r) => { order.push(`held ${outcome(r)}`) })
    await pool.run(task('message'), []).then((r) => { order.push(`message ${outcome(r)}`) })
    assert.deepEqual(order, ['held ok', 'message ok'])
  }, NO_POLL)
})
