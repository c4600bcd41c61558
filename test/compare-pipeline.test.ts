// The comparison pipeline stays off the client path: bounded queue with counted drops, large bodies compared
// in a worker while the proxy keeps serving, and a secondary that is the primary itself.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually, metricValue } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

function bigJson (items: number, price: number): Buffer {
  const list = Array.from({ length: items }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', 'c'], price: i === 7 ? price : 1.5, note: 'lorem ipsum dolor sit amet' }))
  return Buffer.from(JSON.stringify({ count: items, items: list }))
}

async function serving (body: Buffer): Promise<Upstream> {
  const u = await startUpstream((req, res) => {
    if (req.url === '/small') { res.end('{"ok":true}'); return }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
  cleanups.push(u.close)
  return u
}

async function proxy (flags: Record<string, string>, file?: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy({ 'log-level': 'warn', ...flags }, file)
  cleanups.push(p.stop)
  return p
}
const metrics = async (p: TestProxy): Promise<string> => await (await fetch(`${p.adminUrl}/metrics`)).text()

test('a full compare queue drops exchanges, stops sending copies it cannot compare, and counts both', async () => {
  const primary = await serving(bigJson(8000, 1))
  const candidate = await serving(bigJson(8000, 2))
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { compare: { queueSize: 1, workers: 1 } })
  await Promise.all(Array.from({ length: 30 }, async (_, i) => await request(`${p.url}/big/${i}`)))
  const counts = async (): Promise<{ compared: number; dropped: number; skipped: number }> => {
    const t = await metrics(p)
    return {
      compared: metricValue(t, 'shadowsplit_diffs_total', { result: 'diverge' }),
      dropped: metricValue(t, 'shadowsplit_mirror_skipped_total', { reason: 'diff_queue_full' }),
      skipped: metricValue(t, 'shadowsplit_diffs_total', { result: 'skipped' })
    }
  }
  await eventually(async () => { const c = await counts(); return c.compared + c.dropped === 30 }, 20_000, 'every request to be compared or dropped')
  const c = await counts()
  assert.ok(c.dropped > 0, 'nothing was dropped')
  // Copies made and then dropped at the queue are diffs "skipped"; the rest were never sent to the candidate.
  assert.equal(candidate.seen.length, c.compared + c.skipped)
  assert.ok(candidate.seen.length < 30, 'copies were sent that could never be compared')
  await eventually(async () => metricValue(await metrics(p), 'shadowsplit_compare_queue_depth') === 0, 5000, 'the queue to drain')
})

test('a 5 MB JSON body is compared in a worker while the proxy keeps serving with low event-loop delay', async () => {
  const a = bigJson(60_000, 1)
  const b = bigJson(60_000, 2)
  assert.ok(a.length > 5_000_000)
  const primary = await serving(a)
  const candidate = await serving(b)
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { capture: { bodyLimit: '8MiB' } })
  await request(`${p.url}/small`) // warm up the worker and the pools
  // What the main thread would stall for if it compared these bodies itself: at least parsing both.
  const t0 = performance.now()
  JSON.parse(a.toString())
  JSON.parse(b.toString())
  const parseMs = performance.now() - t0
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const big = request(`${p.url}/big`)
  let served = 0
  const started = Date.now()
  let compared = false
  while (!compared && Date.now() - started < 20_000) {
    assert.equal((await request(`${p.url}/small`)).status, 200)
    served++
    compared = metricValue(await metrics(p), 'shadowsplit_divergent_fields_total', { path: '$.items[*].price' }) === 1
  }
  delay.disable()
  assert.equal((await big).body.length, a.length)
  assert.ok(compared, 'the 5 MB pair was not compared')
  const e = (await json(`${p.adminUrl}/api/endpoints`)).body.find((x: { endpoint: string }) => x.endpoint === '/big')
  assert.deepEqual(e.divergentPaths.map((d: { path: string }) => d.path), ['$.items[*].price'])
  const maxMs = delay.max / 1e6
  assert.ok(served > 3, `only ${served} requests were served during the comparison`)
  assert.ok(maxMs < Math.max(40, parseMs), `event loop stalled ${maxMs.toFixed(1)} ms; parsing both bodies takes ${parseMs.toFixed(1)} ms`)
})

test('secondary: primary sends a share of mirrored requests to the primary twice, to learn noise', async () => {
  let n = 0
  const primary = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: ++n })))
  cleanups.push(primary.close)
  const candidate = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: -1 })))
  cleanups.push(candidate.close)
  const p = await proxy({ primary: primary.url, candidate: candidate.url, secondary: 'primary' }, { defaultRoute: { secondaryPercent: 50 } })
  for (let i = 0; i < 200; i++) await request(`${p.url}/t`)
  await eventually(async () => (await json(`${p.adminUrl}/api/endpoints`)).body[0]?.compared === 200, 10_000, 'every exchange to be compared')
  const copies = primary.seen.filter((r) => r.headers['x-shadowsplit-shadow'] === '1').length
  assert.ok(copies > 60 && copies < 140, `${copies} of 200 sent to the primary twice at 50 %`)
  assert.equal(metricValue(await metrics(p), 'shadowsplit_requests_total', { target: 'secondary' }), copies)
  const e = (await json(`${p.adminUrl}/api/endpoints`)).body[0]
  assert.equal(e.noiseCompared, copies)
  assert.deepEqual(e.noisyPaths.map((x: { path: string }) => x.path), ['$.at'])
})

test('compare workers run at a lower CPU priority than the proxy (Linux)', { skip: process.platform !== 'linux' && 'per-thread nice is Linux only' }, async () => {
  const primary = await serving(bigJson(10, 1))
  const candidate = await serving(bigJson(10, 2))
  const { getPriority } = await import('node:os')
  const { readdirSync, readFileSync } = await import('node:fs')
  const before = new Set(readdirSync('/proc/self/task'))
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { compare: { workers: 1, workerNice: 7 } })
  await request(`${p.url}/warm`)
  await eventually(async () => metricValue(await metrics(p), 'shadowsplit_diffs_total', { result: 'diverge' }) === 1, 5000, 'a comparison')
  const fresh = readdirSync('/proc/self/task').filter((t) => !before.has(t))
  const niced = fresh.filter((t) => getPriority(Number(t)) === getPriority() + 7)
  assert.ok(niced.length >= 1, `no thread at nice +7 among ${fresh.map((t) => `${t}:${readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim()}`).join(', ')}`)
  assert.equal(getPriority(), getPriority(process.pid), 'the main thread keeps its priority')
})
