// The benchmark harness's interleaved runs: targets of a group take turns in slices (ABC CBA …) and each target's
// slices become one sample whose percentiles come from the merged latency distribution. The last test checks
// that the distribution wrk prints through bench/wrk/report.lua gives back wrk's own percentiles, against a real
// server on loopback (skipped where wrk is not installed).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { runRounds, sliceSeconds } from '../bench/lib/rounds.ts'
import type { Interleave, Target } from '../bench/lib/rounds.ts'
import type { LoadOptions, LoadResult, LoadTool } from '../bench/lib/load-result.ts'
import { mergeHistograms, percentileUs, poolLoads } from '../bench/lib/histogram.ts'
import type { Histogram } from '../bench/lib/histogram.ts'
import { parseWrk } from '../bench/lib/wrk.ts'
import { median, quantile } from '../bench/lib/stats.ts'
import { sliceNote, twinNote } from '../bench/suites/compare-e2e.ts'
import { startUpstream } from './helpers/upstream.ts'

function load (histogram: Histogram | undefined, seconds: number, p50Ms = 1, p99Ms = 1): LoadResult {
  const requests = histogram === undefined ? 100 : histogram.reduce((a, [, c]) => a + c, 0)
  return { requests, seconds, rps: requests / seconds, p50Ms, p99Ms, badStatus: 0, socketErrors: 0, timeouts: 0, ...(histogram === undefined ? {} : { histogram }) }
}

test('a pooled p99 weighs each slice by its requests, not each slice alike', () => {
  // One slice with a 50 ms tail in 1 % of its requests, one without: alone the first's p99 is the tail, pooled it is not.
  const slow: Histogram = [[1000, 99], [50_000, 1]]
  const quiet: Histogram = [[1000, 100]]
  assert.equal(percentileUs(slow, 99), 50_000)
  const pooled = poolLoads([load(slow, 2), load(quiet, 2)])
  assert.equal(pooled.requests, 200)
  assert.equal(pooled.seconds, 4)
  assert.equal(pooled.rps, 50)
  assert.equal(pooled.p99Ms, 1)
  // Two such slices pooled: the tail is 1 % of all requests again.
  assert.equal(poolLoads([load(slow, 2), load(slow, 2)]).p99Ms, 50)
  assert.deepEqual(mergeHistograms([[[3, 1], [1, 2]], [[2, 5], [3, 1]]]), [[1, 2], [2, 5], [3, 2]])
})

test('without a distribution for every slice, the worst slice stands in for the pooled percentile', () => {
  const pooled = poolLoads([load([[1000, 100]], 1, 1, 1), load(undefined, 1, 2, 7)])
  assert.equal(pooled.p99Ms, 7)
  assert.equal(pooled.p50Ms, 2)
  assert.equal(pooled.histogram, undefined)
})

test('an interleave group takes turns in led-in slices, order reversed each slice, and pools every target per round', async () => {
  const calls: Array<{ url: string; durationS: number; ratePerS: number | undefined }> = []
  const events: string[] = []
  // Each target answers in its own latency, 10 requests per slice; B's third slice has a slow tail.
  const tool: LoadTool = {
    describe: 'recording',
    run: async (url: string, o: LoadOptions): Promise<LoadResult> => {
      calls.push({ url, durationS: o.durationS, ratePerS: o.ratePerS })
      events.push(`load ${url.slice(7)} ${o.durationS}`)
      const base = url === 'http://b' ? 2000 : 1000
      // Lead-ins are 1 s, measured slices 2 s.
      const slicesOfB = calls.filter((c) => c.url === 'http://b' && c.durationS === 2).length
      const h: Histogram = url === 'http://b' && slicesOfB === 3 ? [[base, 5], [90_000, 5]] : [[base, 10]]
      return load(h, o.durationS)
    }
  }
  const merged: number[][] = []
  const group: Interleave<number> = { slices: 3, leadInS: 1, merge: (xs) => { merged.push(xs); return xs.reduce((a, x) => a + x, 0) } }
  const target = (name: string, interleave?: Interleave<number>): Target<number> => ({
    name,
    url: `http://${name}`,
    procs: [],
    warmup: false,
    before: async () => { events.push(`before ${name}`) },
    after: async (l) => { events.push(`after ${name}`); return l.requests },
    ...(interleave === undefined ? {} : { interleave, load: () => ({ connections: 4, ratePerS: 100 }) })
  })
  const { samples, aborted } = await runRounds([target('s'), target('a', group), target('b', group)],
    { rounds: 2, durationS: 6, warmupS: 1, connections: 8, tool, progress: () => {} })
  assert.equal(aborted, null)
  assert.equal(sliceSeconds(6, 3), 2)
  // Each slice: an unmeasured lead-in of 1 s at the slice's own load, then the 2 s slice.
  const round = ['s', 'a', 'a', 'b', 'b', 'b', 'b', 'a', 'a', 'a', 'a', 'b', 'b'].map((n) => `http://${n}`)
  assert.deepEqual(calls.map((c) => c.url), [...round, ...round])
  const durations = [6, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]
  assert.deepEqual(calls.map((c) => c.durationS), [...durations, ...durations])
  assert.ok(calls.filter((c) => c.url !== 'http://s').every((c) => c.ratePerS === 100))
  // The lead-in comes before the slice's before hook, so the hook's counters leave it out.
  assert.deepEqual(events.slice(0, 11), ['before s', 'load s 6', 'after s', 'load a 1', 'before a', 'load a 2', 'after a', 'load b 1', 'before b', 'load b 2', 'after b'])
  const a = samples.get('a') ?? []
  const b = samples.get('b') ?? []
  assert.equal(samples.get('s')?.length, 2)
  assert.equal(a.length, 2)
  assert.equal(a[0]?.load.requests, 30)
  assert.equal(a[0]?.load.seconds, 6)
  assert.equal(a[0]?.load.p99Ms, 1)
  assert.equal(a[0]?.extra, 30)
  assert.deepEqual(merged[0], [10, 10, 10])
  // B's slow slice (5 of its 30 requests at 90 ms in round 1) sets the pooled p99 of that round only.
  assert.equal(b[0]?.load.p99Ms, 90)
  assert.equal(b[0]?.load.p50Ms, 2)
  assert.equal(b[1]?.load.p99Ms, 2)
  // The slices stay available one by one, in the order they ran: B's slow one is its third of round 1.
  const sliceP99 = (l: LoadResult): number => percentileUs(l.histogram ?? [], 99) / 1000
  assert.deepEqual(b[0]?.slices?.map(sliceP99), [2, 2, 90])
  assert.deepEqual(b[1]?.slices?.map(sliceP99), [2, 2, 2])
  assert.equal(samples.get('s')?.[0]?.slices, undefined)
})

test('quantiles interpolate between the two nearest values, and the median is the 0.5 quantile', () => {
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([4, 1, 3, 2]), 2.5)
  assert.equal(quantile([5, 1, 4, 2, 3], 0.25), 2)
  assert.equal(quantile([1, 2, 3, 4], 0.75), 3.25)
  assert.equal(quantile([7], 0.9), 7)
  assert.ok(Number.isNaN(median([])))
})

test('compare-e2e\'s slice-by-slice line pairs the k-th slices of the same round, never across rounds', () => {
  const run = (p99s: number[]): { load: LoadResult; cpuPct: null; extra: null; slices: LoadResult[] } => ({
    load: load(undefined, 1), cpuPct: null, extra: null, slices: p99s.map((p) => load(undefined, 1, 1, p))
  })
  // Round 1 (one slice fewer for the mirror): ratios 2, 1; round 2: 3, 2. Pairing across rounds would give 2, 1, 0.75, 10.
  const line = sliceNote([run([1, 2, 4]), run([1, 5])], [run([2, 2]), run([3, 10])])
  assert.match(line, /over 4 pairs of slices, median 2\.00× \(quartiles 1\.75×–2\.25×\), 3 over 1\.5×/)
  assert.equal(sliceNote([run([])], [run([])]), '- context: no per-slice figures.')
})

test('compare-e2e\'s noise-floor line reads the second pass-through against the first, per round and slice by slice, both ways', () => {
  const run = (p99: number, slices: number[]): { load: LoadResult; cpuPct: null; extra: null; slices: LoadResult[] } => ({
    load: load(undefined, 1, 1, p99), cpuPct: null, extra: null, slices: slices.map((p) => load(undefined, 1, 1, p))
  })
  // Rounds: 2 / 1 (apart), 1 / 2 (apart the other way), 3 / 3. Slices: 2, 1; 0.5, 1; 1: two of five apart.
  const line = twinNote([run(2, [2, 1]), run(1, [1, 2]), run(3, [3])], [run(1, [1, 1]), run(2, [2, 2]), run(3, [3])])
  assert.match(line, /its p99 \/ the first's 1\.00× \(per round: 2\.00, 0\.50, 1\.00; ratio of medians 1\.00×\); 2 of 3 rounds further apart than 1\.5× either way/)
  assert.match(line, /slice by slice, median 1\.00× \(quartiles 1\.00×–1\.00×\), 2 of 5 pairs further apart than 1\.5× either way\.$/)
})

const hasWrk = spawnSync('wrk', ['-v']).error === undefined

test('wrk\'s latency distribution (bench/wrk/report.lua) gives back wrk\'s own p50 and p99', { skip: hasWrk ? false : 'wrk is not installed' }, async () => {
  const upstream = await startUpstream((req, res) => {
    // Latencies from sub-millisecond to ~3 ms, so that the distribution has many distinct values.
    setTimeout(() => res.end('ok'), Math.random() < 0.2 ? 3 : 0)
  })
  try {
    const lua = fileURLToPath(new URL('../bench/wrk/report.lua', import.meta.url))
    // Asynchronously: the server answers from this process's event loop.
    const r = await promisify(execFile)('wrk', ['-t1', '-c4', '-d1s', '--latency', '-s', lua, upstream.url], { encoding: 'utf8' })
    const result = parseWrk(r.stdout)
    const h = result.histogram
    assert.ok(h !== undefined && h.length > 10, 'a distribution with many distinct latencies')
    // wrk adds samples of its own for answers slower than a connection's mean cycle (stats_correct, against
    // coordinated omission): the distribution holds at least one entry per request.
    assert.ok(h.reduce((a, [, c]) => a + c, 0) >= result.requests)
    const json = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))!.slice(9)) as { p50_us: number; p99_us: number }
    assert.equal(percentileUs(h, 50), json.p50_us)
    assert.equal(percentileUs(h, 99), json.p99_us)
  } finally {
    await upstream.close()
  }
})
