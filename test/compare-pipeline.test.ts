// The comparison pipeline stays off the client path: bounded queue with counted drops, large bodies compared
// in a worker while the proxy keeps serving, and a secondary that is the primary itself.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { getPriority } from 'node:os'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually, metricValue, writeConfig, metricsText } from './helpers/proxy.ts'
import { startCli } from './helpers/cli.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'
import { bigJson } from './helpers/bodies.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

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

test('a full compare queue drops exchanges, stops sending copies it cannot compare, and counts both', async () => {
  const primary = await serving(bigJson(8000, 1))
  const candidate = await serving(bigJson(8000, 2))
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { compare: { queueSize: 1, workers: 1 } })
  await Promise.all(Array.from({ length: 30 }, async (_, i) => await request(`${p.url}/big/${i}`)))
  const counts = async (): Promise<{ compared: number; dropped: number; skipped: number }> => {
    const t = await metricsText(p)
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
  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_compare_queue_depth') === 0, 5000, 'the queue to drain')
  // Dropped exchanges gave their captured bytes back too (capture.maxBytes). The samples of these 640 KB pairs hold
  // theirs until they are built: 1.6-4.1 s after the queue drained here alone, longer beside other test files.
  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_capture_bytes') === 0, 30_000, 'every captured byte given back')
})

test('a route with compare.enabled false mirrors and times every copy, compares none, sends none to the secondary, and is never held back by a full queue', async () => {
  const primary = await serving(bigJson(8000, 1))
  const candidate = await serving(bigJson(8000, 2))
  const p = await proxy({ primary: primary.url, candidate: candidate.url, secondary: 'primary' }, {
    compare: { queueSize: 1, workers: 1 },
    routes: [{ name: 'load', match: { prefix: '/load' }, compare: { enabled: false } }]
  })
  // The compared requests fill the one-deep queue while the uncompared ones are in flight.
  await Promise.all(Array.from({ length: 60 }, async (_, i) => await request(`${p.url}/${i % 2 === 0 ? 'big' : 'load'}/${i}`)))
  const loadCopies = (): number => candidate.seen.filter((r) => r.url.startsWith('/load/')).length
  await eventually(async () => loadCopies() === 30, 10_000, 'every /load request to be copied')
  const byEndpoint = async (): Promise<Array<{ endpoint: string; mirrored: number; compared: number; latency: { candidate: { count: number } } }>> =>
    (await json(`${p.adminUrl}/api/endpoints`)).body
  await eventually(async () => (await byEndpoint()).some((e) => e.endpoint.startsWith('/load') && e.latency.candidate.count === 30), 10_000, 'the copies to be timed')
  const t = await metricsText(p)
  assert.ok(metricValue(t, 'shadowsplit_mirror_skipped_total', { reason: 'diff_queue_full' }) > 0, 'the compared route never filled the queue: the test proves nothing')
  const load = (await byEndpoint()).find((e) => e.endpoint.startsWith('/load'))!
  assert.equal(load.mirrored, 30)
  assert.equal(load.compared, 0)
  assert.equal(metricValue(t, 'shadowsplit_diffs_total', { endpoint: load.endpoint }), 0, 'an uncompared exchange counted as a diff')
  assert.equal(metricValue(t, 'shadowsplit_exchanges_total', { endpoint: load.endpoint }), 30)
  // The secondary only serves noise learning: compared requests reach the primary twice, uncompared ones never.
  const twice = (prefix: string): number => primary.seen.filter((r) => r.url.startsWith(prefix) && r.headers['x-shadowsplit-shadow'] === '1').length
  assert.ok(twice('/big/') > 0, 'no compared request went to the secondary: the test proves nothing')
  assert.equal(twice('/load/'), 0)
})

/** CPU time of a process's main thread in ms (Linux, 10 ms ticks): unlike wall time, a busy machine does not blur it. */
function mainThreadCpuMs (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

test('a 5 MB JSON body is compared in a worker: the proxy keeps serving and its event loop does not parse', { skip: process.platform !== 'linux' && 'reads per-thread CPU time from /proc' }, async () => {
  const a = bigJson(60_000, 1)
  const b = bigJson(60_000, 2)
  assert.ok(a.length > 5_000_000)
  // /same answers identically on both sides (settled by the byte-equal fast path), /diff differs in one field.
  const side = (other: Buffer) => async (): Promise<Upstream> => {
    const u = await startUpstream((req, res) => {
      const body = req.url === '/diff' ? other : a
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    })
    cleanups.push(u.close)
    return u
  }
  const primary = await side(a)()
  const candidate = await side(b)()
  const run = await startCli(['--config', writeConfig({ primary: primary.url, candidate: candidate.url, capture: { bodyLimit: '8MiB' } })])
  cleanups.push(async () => { run.child.kill('SIGKILL') })
  const admin = `http://127.0.0.1:${run.adminPort}`
  /**
   * Main-thread CPU the proxy spends on one big exchange and its comparison, serving ten small requests
   * meanwhile. Nothing polls the proxy during the window: the end is read from its log (one line per divergence).
   */
  const cost = async (path: string, done: () => boolean): Promise<number> => {
    const pid = run.child.pid!
    const before = mainThreadCpuMs(pid)
    const big = request(`http://127.0.0.1:${run.port}${path}`)
    for (let i = 0; i < 10; i++) {
      assert.equal((await request(`http://127.0.0.1:${run.port}/small`)).status, 200, 'a small request failed during the comparison')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal((await big).body.length, a.length)
    await eventually(done, 30_000, `${path} to be compared`)
    return mainThreadCpuMs(pid) - before
  }
  await request(`http://127.0.0.1:${run.port}/small`) // warm up the worker and the pools
  // /same is settled inline the moment its exchange completes; /diff logs its divergence once the worker is done.
  let sameDone = false
  const same = await cost('/same', () => { const r = sameDone; sameDone = true; return r })
  const diff = await cost('/diff', () => run.lines.some((l) => l.msg === 'divergence' && l.endpoint === '/diff'))
  const text = await (await fetch(`${admin}/metrics`)).text()
  assert.equal(metricValue(text, 'shadowsplit_diffs_total', { endpoint: '/same', result: 'match' }), 1)
  assert.equal(metricValue(text, 'shadowsplit_diffs_total', { endpoint: '/diff', result: 'diverge' }), 1)
  const e = (await json(`${admin}/api/endpoints`)).body.find((x: { endpoint: string }) => x.endpoint === '/diff')
  assert.deepEqual(e.divergentPaths.map((d: { path: string }) => d.path), ['$.items[*].price'])
  // What comparing these bodies costs a thread (parse both, walk them), measured here the same way.
  const { compareSides, compileRules } = await import('../src/compare/compare-sides.ts')
  const sideOf = (body: Buffer) => ({ status: 200, error: null, headers: { 'content-type': 'application/json' }, body, length: body.length, sha256: null })
  const t0 = mainThreadCpuMs(process.pid)
  assert.equal(compareSides(sideOf(a), sideOf(b), compileRules({})).length, 1)
  const inline = mainThreadCpuMs(process.pid) - t0
  // The two exchanges move the same bytes; only /diff needs a structural comparison. Had the proxy's event loop
  // done it, /diff would cost it that much more CPU than /same.
  assert.ok(diff - same < inline / 2, `the proxy's main thread spent ${diff} ms on /diff and ${same} ms on /same; comparing inline costs ${inline} ms`)
})

test('secondary: primary sends a share of mirrored requests to the primary twice, to learn noise', async () => {
  let n = 0
  const primary = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: ++n })))
  cleanups.push(primary.close)
  const candidate = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: -1 })))
  cleanups.push(candidate.close)
  // Room for all 200 exchanges even while the worker thread is still starting on a loaded machine: this test is
  // about noise learning, not about the queue (whose overflow is tested above and counted, never silent).
  const p = await proxy({ primary: primary.url, candidate: candidate.url, secondary: 'primary' }, { defaultRoute: { secondaryPercent: 50 }, compare: { queueSize: 1000 } })
  for (let i = 0; i < 200; i++) await request(`${p.url}/t`)
  await eventually(async () => (await json(`${p.adminUrl}/api/endpoints`)).body[0]?.compared === 200, 10_000, 'every exchange to be compared')
  const copies = primary.seen.filter((r) => r.headers['x-shadowsplit-shadow'] === '1').length
  assert.ok(copies > 60 && copies < 140, `${copies} of 200 sent to the primary twice at 50 %`)
  assert.equal(metricValue(await metricsText(p), 'shadowsplit_requests_total', { target: 'secondary' }), copies)
  const e = (await json(`${p.adminUrl}/api/endpoints`)).body[0]
  assert.equal(e.noiseCompared, copies)
  assert.deepEqual(e.noisyPaths.map((x: { path: string }) => x.path), ['$.at'])
})

interface ThreadInfo { tid: number; comm: string; nice: number; policy: number }

/** A thread of this process: its name, nice value and scheduling policy (/proc stat field 41). */
function threadInfo (tid: string): ThreadInfo {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { tid: Number(tid), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: getPriority(Number(tid)), policy: Number(fields[41 - 3]) }
}

/** Runs `start`, then returns a reader of the threads it started (their state read afresh at each call). */
async function freshThreads (start: () => Promise<void>): Promise<() => ThreadInfo[]> {
  const before = new Set(readdirSync('/proc/self/task'))
  await start()
  const fresh = readdirSync('/proc/self/task').filter((t) => !before.has(t))
  return () => fresh.filter((t) => existsSync(`/proc/self/task/${t}`)).map(threadInfo)
}

const SCHED_OTHER = 0
const SCHED_IDLE = 5
const describe = (ts: ThreadInfo[]): string => ts.map((t) => `${t.tid}:${t.comm}:nice ${t.nice}:policy ${t.policy}`).join(', ')

test('compare workers run at a lower nice value than the proxy with workerPolicy nice (Linux)', { skip: process.platform !== 'linux' && 'per-thread nice is Linux only' }, async () => {
  const primary = await serving(bigJson(10, 1))
  const candidate = await serving(bigJson(10, 2))
  const threads = await freshThreads(async () => {
    const p = await proxy({ primary: primary.url, candidate: candidate.url }, { compare: { workers: 1, workerPolicy: 'nice', workerNice: 7 } })
    await request(`${p.url}/warm`)
    await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_diffs_total', { result: 'diverge' }) === 1, 5000, 'a comparison')
  })
  const niced = threads().filter((t) => t.nice === getPriority() + 7 && t.policy === SCHED_OTHER)
  assert.equal(niced.length, 1, `one thread at nice +7 expected among ${describe(threads())}`)
  assert.equal(getPriority(), getPriority(process.pid), 'the main thread keeps its priority')
})

test('compare workers run under SCHED_IDLE by default, the proxy\'s threads do not (Linux)', { skip: process.platform !== 'linux' && 'scheduling policies per thread are Linux only' }, async () => {
  const primary = await serving(bigJson(10, 1))
  const candidate = await serving(bigJson(10, 2))
  const threads = await freshThreads(async () => {
    const p = await proxy({ primary: primary.url, candidate: candidate.url }, { compare: { workers: 2 } })
    await request(`${p.url}/warm`)
    await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_diffs_total', { result: 'diverge' }) === 1, 5000, 'a comparison')
  })
  // A worker lowers its own priority as it starts: the second may not have started by the first comparison.
  await eventually(async () => threads().filter((t) => t.policy === SCHED_IDLE).length === 2, 5000, 'both workers under SCHED_IDLE')
  assert.deepEqual(threads().filter((t) => t.policy === SCHED_IDLE).map((t) => t.comm), ['WorkerThread', 'WorkerThread'], describe(threads()))
  const main = readFileSync('/proc/self/stat', 'utf8')
  assert.equal(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[41 - 3]), SCHED_OTHER, 'the main thread keeps its policy')
})

test('without chrt the compare workers fall back to nice, with a warning naming why (Linux)', { skip: process.platform !== 'linux' && 'scheduling policies per thread are Linux only' }, async () => {
  const primary = await serving(bigJson(10, 1))
  const candidate = await serving(bigJson(10, 2))
  const run = await startCli(['--primary', primary.url, '--candidate', candidate.url], { PATH: '/nonexistent', SHADOWSPLIT_LOG_LEVEL: 'info' })
  try {
    await eventually(async () => run.lines.some((l) => l.msg === 'compare workers could not lower their CPU priority as configured'), 10_000, 'the fallback warning')
    const line = run.lines.find((l) => l.msg === 'compare workers could not lower their CPU priority as configured')!
    assert.equal(line.asked, 'idle')
    assert.equal(line.applied, 'nice')
    assert.match(String(line.reason), /chrt not found/)
    const pid = run.child.pid!
    const threads = readdirSync(`/proc/${pid}/task`).map((t) => ({ t, nice: getPriority(Number(t)), stat: readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8') }))
    const niced = threads.filter((x) => x.nice === getPriority(pid) + 10 && x.stat.includes('(WorkerThread)'))
    assert.ok(niced.length >= 1, `a worker at nice +10 expected: ${threads.map((x) => `${x.t}:${x.nice}`).join(', ')}`)
  } finally {
    run.child.kill('SIGTERM')
    await run.exited
  }
})
