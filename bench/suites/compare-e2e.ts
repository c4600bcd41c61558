// Suite compare-e2e: what comparing every mirrored response costs the client, end to end. The primary serves a
// ~20 KB JSON document, the candidate the same document with one field changed, so every exchange that reaches
// the comparator is a real structural diff (both bodies parsed and walked), not the byte-equal fast path.
// Targets: shadowsplit --mode off (pass-through) and shadowsplit --mode mirror --mirror-percent 100 --candidate
// (comparison in its worker pool, defaults left alone). Each round runs two phases: both at saturation (closed
// loop, as fast as possible, one after the other: context, no bar), then both at the same fixed offered rate,
// 25 % of that round's pass-through saturation req/s, paced by wrk's delay() hook (bench/wrk/pace.lua), taking
// turns in FIXED_SLICES short slices whose latency distributions are pooled per target (bench/lib/rounds.ts).
// Bar, on the fixed-rate runs: median over rounds of (mirror p99 / pass-through p99) ≤ 1.5. At saturation the
// latency ratio is mostly the inverse throughput ratio (mirroring doubles one event loop's upstream work), which
// is not what the bar asks.
// Context, no bar: a third proxy with `mirrorTiming: after_response` (copies leave once the client's response is
// finished) at the same fixed rate, to show what that option changes for clients; and a fourth that mirrors every
// request but compares none (`compare.enabled: false`: nothing captured, no worker), to split the mirror's cost to
// clients from the comparison's; and a fifth, the comparing mirror with `compare.cpu: spread` (the scheduler places
// its main thread and compare worker on any CPU) against the default `shared` (both bound to one CPU, so comparing
// only gets the time the event loop leaves idle on its own CPU). And a sixth, a second pass-through process taking
// its slices right before the first one's: how far two identical proxies' p99 lie apart in the same seconds of the
// machine, the noise floor against which the bar's ratio is read.
// The mirror target's /metrics are diffed around every run, and the run is not over until its compare queue
// has drained: a backlog left behind would burn CPU during the next target's run.
import { checkServesPayload, startStaticJson } from '../lib/upstream.ts'
import type { Upstream } from '../lib/upstream.ts'
import { startShadowsplit } from '../lib/shadowsplit.ts'
import { JSON_BODIES } from '../lib/json-body.ts'
import { LOAD_PATH } from '../lib/payload.ts'
import { sleep } from '../lib/net.ts'
import { threadCpuSeconds } from '../lib/cpu.ts'
import { byLabel, diffCounts, scrape, sumOf } from '../lib/prom.ts'
import type { Sample } from '../lib/prom.ts'
import { runRounds, sliceSeconds } from '../lib/rounds.ts'
import type { Interleave, RunSample, Target } from '../lib/rounds.ts'
import { fmtInt, fmtMs, fmtPct, fmtRatio, markdownTable, median, quantile, roundRatios } from '../lib/stats.ts'
import { STANDARD_HEADERS, STANDARD_NOTES, ratio, standardCells, warnings } from '../lib/report.ts'
import type { Managed } from '../lib/processes.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'
import { verdictLine } from './suite.ts'

const BAR_P99 = 1.5
/** The fixed offered rate, as a share of the round's pass-through saturation req/s: a proxy with production headroom. */
const FIXED_SHARE = 0.25
/**
 * The fixed-rate targets take turns in this many slices per round (2 s each at the default 10 s), pooled per
 * target. One 10 s run after the other, this machine's swings decided the ratio: pass-through saturation moved
 * 12,700-18,700 req/s from round to round in one run, and per-round p99 ratios went from 0.87x to 3.69x for the
 * same code. In slices, both targets see the same seconds of the machine.
 */
const FIXED_SLICES = 5
/**
 * Unmeasured seconds at the fixed rate before each slice. A target idles through the other targets' slices for
 * longer than shadowsplit keeps an idle upstream connection (upstream.keepAliveTimeout, 4 s), so without it every
 * slice would open its upstream connections anew, twice as many for the mirror (primary and candidate) — a start
 * a proxy under steady traffic never sees, and 1 % of a 2 s slice is only its first ~20 ms of requests.
 * Scratch check, 2 s slices of four proxies at 3,200 req/s: mirror / pass-through p99 1.46x (per-slice median 1.78x)
 * with the default keep-alive against 1.20x (1.2x) for the same pair kept warm (keepAliveTimeout 60 s); a second
 * run gave 1.19x against 1.15x.
 */
const FIXED_LEAD_IN_S = 1
/** Achieved req/s of the two fixed-rate targets further apart than this (relative) gets a note. */
const SAME_LOAD_TOLERANCE = 0.05
const PASS = 'shadowsplit --mode off'
const MIRROR = 'shadowsplit mirror 100 % + compare'
const N = {
  passSat: `${PASS} — saturation (context)`,
  mirrorSat: `${MIRROR} — saturation (context)`,
  passFixed: `${PASS} — fixed rate`,
  mirrorFixed: `${MIRROR} — fixed rate`,
  afterFixed: `${MIRROR}, mirrorTiming after_response — fixed rate (context)`,
  uncomparedFixed: 'shadowsplit mirror 100 %, compare.enabled false — fixed rate (context)',
  spreadFixed: `${MIRROR}, compare.cpu spread — fixed rate (context)`,
  twinFixed: `${PASS}, a second process — fixed rate (context: noise floor)`
}
const AFTER_CONFIG = { defaultRoute: { mirrorTiming: 'after_response' } }
const UNCOMPARED_CONFIG = { defaultRoute: { compare: { enabled: false } } }
const SPREAD_CONFIG = { compare: { cpu: 'spread' } }
const DRAIN_MAX_MS = 30_000
const RESULTS = ['match', 'diverge', 'noise_only', 'error', 'skipped'] as const
const COMPARED = ['match', 'diverge', 'noise_only'] as const

const M = {
  diffs: 'shadowsplit_diffs_total',
  skipped: 'shadowsplit_mirror_skipped_total',
  client: 'shadowsplit_client_requests_total',
  exchanges: 'shadowsplit_exchanges_total',
  diffSum: 'shadowsplit_diff_duration_seconds_sum',
  diffCount: 'shadowsplit_diff_duration_seconds_count',
  queue: 'shadowsplit_compare_queue_depth',
  boundCpu: 'shadowsplit_compare_cpu',
  cpuReleases: 'shadowsplit_compare_cpu_releases_total',
  inflight: 'shadowsplit_candidate_inflight',
  // prom-client's default metrics, main thread only: GC pauses, and the event-loop delay histogram that it
  // resets at every scrape (so the scrape right after a run covers that run).
  requests: 'shadowsplit_requests_total',
  gc: 'nodejs_gc_duration_seconds_sum',
  loopP99: 'nodejs_eventloop_lag_p99_seconds'
}

interface E2EExtra {
  /** shadowsplit_client_requests_total during the run. */
  clientRequests: number
  primaryReceived: number
  /** Copies the candidate itself received (null for the pass-through target, which has no candidate). */
  candidateReceived: number | null
  /** Client-served primary requests that ended without a response (the load generator closing its connections). */
  primaryCut: number
  /** shadowsplit_diffs_total by result, including exchanges compared after the load stopped (the drain). */
  results: Record<string, number>
  skips: Record<string, number>
  exchanges: number
  diffCount: number
  diffSumS: number
  /** compare_queue_depth right after the load generator stopped (pooled slices: the largest). */
  queueAtEnd: number
  /** Exchanges compared (match + diverge + noise_only) by the time the load stopped; the rest came out of the backlog. */
  comparedDuringLoad: number
  /** Seconds of load (the load generator's own figure). */
  loadS: number
  /** How long the queue and the in-flight copies took to settle after the run. */
  drainMs: number
  drained: boolean
  /** Percent of one core per thread kind during the load window; null without /proc. */
  threads: Record<ThreadKind, number> | null
  /** Main-thread GC pauses during the run, in milliseconds per second of run. */
  gcMsPerS: number
  /** p99 of the main thread's event-loop delay during the run, in ms (pooled slices: the worst slice's). */
  loopP99Ms: number
  /** compare.cpu shared: releases from the bound CPU during the run, and runs (slices) that ended unbound. */
  cpuReleases: number
  unboundRuns: number
}

type ThreadKind = 'main' | 'worker' | 'other'

function threadKind (comm: string): ThreadKind {
  if (comm === 'MainThread' || comm === 'node') return 'main'
  if (comm === 'WorkerThread') return 'worker'
  return 'other'
}

function threadShares (before: Record<string, number> | null, after: Record<string, number> | null, wallS: number): Record<ThreadKind, number> | null {
  if (before === null || after === null || wallS <= 0) return null
  const out: Record<ThreadKind, number> = { main: 0, worker: 0, other: 0 }
  for (const [comm, s] of Object.entries(after)) out[threadKind(comm)] += s - (before[comm] ?? 0)
  for (const k of Object.keys(out) as ThreadKind[]) out[k] = (out[k] / wallS) * 100
  return out
}

const CUT = { target: 'primary', served: 'client', status_class: 'error' }
const comparedOf = (x: E2EExtra): number => COMPARED.reduce((a, r) => a + (x.results[r] ?? 0), 0)
/** Percent of a run's client requests that were compared. */
const comparedShareOf = (x: E2EExtra): number => share(comparedOf(x), x.clientRequests)
const gauge = (m: Sample[], name: string): number => sumOf(m, name)
const progressKey = (m: Sample[]): number => sumOf(m, M.diffs) + sumOf(m, M.skipped)

/** Waits until nothing is queued or in flight and the diff counters stopped moving. */
async function drain (metricsUrl: string): Promise<{ ms: number; drained: boolean; last: Sample[] }> {
  const t0 = Date.now()
  let last = -1
  let stable = 0
  let m: Sample[] = []
  while (Date.now() - t0 < DRAIN_MAX_MS) {
    m = await scrape(metricsUrl)
    const key = progressKey(m)
    if (gauge(m, M.queue) === 0 && gauge(m, M.inflight) === 0 && key === last) {
      if (++stable >= 2) return { ms: Date.now() - t0, drained: true, last: m }
    } else {
      stable = 0
    }
    last = key
    await sleep(100)
  }
  return { ms: Date.now() - t0, drained: false, last: m }
}

function hooks (proc: Managed, metricsUrl: string, primary: Upstream, candidate: Upstream | null): Pick<Target<E2EExtra>, 'before' | 'after'> {
  let before: Sample[] = []
  let primaryBefore = 0
  let candidateBefore = 0
  let threadsBefore: Record<string, number> | null = null
  let t0 = 0n
  let gcBefore = 0
  return {
    before: async () => {
      await drain(metricsUrl)
      primaryBefore = await primary.received()
      candidateBefore = candidate === null ? 0 : await candidate.received()
      before = await scrape(metricsUrl)
      gcBefore = sumOf(before, M.gc)
      threadsBefore = threadCpuSeconds(proc.pid)
      t0 = process.hrtime.bigint()
    },
    after: async (load) => {
      const threads = threadShares(threadsBefore, threadCpuSeconds(proc.pid), Number(process.hrtime.bigint() - t0) / 1e9)
      const atEnd = await scrape(metricsUrl)
      const gcMsPerS = ((sumOf(atEnd, M.gc) - gcBefore) * 1000) / load.seconds
      const loopP99Ms = gauge(atEnd, M.loopP99) * 1000
      const { ms, drained, last: m } = await drain(metricsUrl)
      const delta = (name: string): number => sumOf(m, name) - sumOf(before, name)
      return {
        clientRequests: delta(M.client),
        primaryCut: sumOf(m, M.requests, CUT) - sumOf(before, M.requests, CUT),
        primaryReceived: (await primary.received()) - primaryBefore,
        candidateReceived: candidate === null ? null : (await candidate.received()) - candidateBefore,
        results: diffCounts(byLabel(m, M.diffs, 'result'), byLabel(before, M.diffs, 'result')),
        skips: diffCounts(byLabel(m, M.skipped, 'reason'), byLabel(before, M.skipped, 'reason')),
        exchanges: delta(M.exchanges),
        diffCount: delta(M.diffCount),
        diffSumS: delta(M.diffSum),
        queueAtEnd: gauge(atEnd, M.queue),
        comparedDuringLoad: COMPARED.reduce((a, r) => a + sumOf(atEnd, M.diffs, { result: r }) - sumOf(before, M.diffs, { result: r }), 0),
        loadS: load.seconds,
        drainMs: ms,
        drained,
        threads,
        gcMsPerS,
        loopP99Ms,
        cpuReleases: delta(M.cpuReleases),
        unboundRuns: gauge(atEnd, M.boundCpu) < 0 ? 1 : 0
      }
    }
  }
}

/** A target's slices of a round as one run: counts and times summed, CPU shares and GC weighted by load time. */
function mergeExtras (xs: E2EExtra[]): E2EExtra {
  const sum = (pick: (x: E2EExtra) => number): number => xs.reduce((a, x) => a + pick(x), 0)
  const loadS = sum((x) => x.loadS)
  const weighted = (pick: (x: E2EExtra) => number): number => (loadS > 0 ? sum((x) => pick(x) * x.loadS) / loadS : Number.NaN)
  const counts = (k: 'results' | 'skips'): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const x of xs) for (const [r, n] of Object.entries(x[k])) out[r] = (out[r] ?? 0) + n
    return out
  }
  const threads = xs.every((x) => x.threads !== null)
    ? Object.fromEntries((['main', 'worker', 'other'] as const).map((k) => [k, weighted((x) => x.threads?.[k] ?? 0)])) as Record<ThreadKind, number>
    : null
  return {
    clientRequests: sum((x) => x.clientRequests),
    primaryReceived: sum((x) => x.primaryReceived),
    candidateReceived: xs.every((x) => x.candidateReceived === null) ? null : sum((x) => x.candidateReceived ?? 0),
    primaryCut: sum((x) => x.primaryCut),
    results: counts('results'),
    skips: counts('skips'),
    exchanges: sum((x) => x.exchanges),
    diffCount: sum((x) => x.diffCount),
    diffSumS: sum((x) => x.diffSumS),
    queueAtEnd: Math.max(...xs.map((x) => x.queueAtEnd)),
    comparedDuringLoad: sum((x) => x.comparedDuringLoad),
    loadS,
    drainMs: sum((x) => x.drainMs),
    drained: xs.every((x) => x.drained),
    threads,
    gcMsPerS: weighted((x) => x.gcMsPerS),
    loopP99Ms: Math.max(...xs.map((x) => x.loopP99Ms)),
    cpuReleases: sum((x) => x.cpuReleases),
    unboundRuns: sum((x) => x.unboundRuns)
  }
}

type Runs = Array<RunSample<E2EExtra>>
const extras = (runs: Runs): E2EExtra[] => runs.map((r) => r.extra).filter((x): x is E2EExtra => x !== null)

function threadCell (runs: Runs): string {
  const ts = extras(runs).map((x) => x.threads).filter((t): t is Record<ThreadKind, number> => t !== null)
  if (ts.length === 0) return 'n/a'
  const m = (k: ThreadKind): string => `${median(ts.map((t) => t[k])).toFixed(0)} %`
  return `${m('main')} / ${m('worker')} / ${m('other')}`
}

const share = (part: number, whole: number): number => (whole > 0 ? (part / whole) * 100 : Number.NaN)

function resultsCell (x: E2EExtra): string {
  const parts = RESULTS.filter((r) => (x.results[r] ?? 0) !== 0).map((r) => `${r} ${fmtInt(x.results[r] ?? 0)}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

function skipsCell (x: E2EExtra): string {
  const parts = Object.keys(x.skips).sort().map((r) => `${r} ${fmtInt(x.skips[r] ?? 0)}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

const perS = (n: number, seconds: number): string => `${fmtInt(n)} (${fmtInt(seconds > 0 ? n / seconds : Number.NaN)}/s)`
const diffMeanMs = (x: E2EExtra): number => (x.diffCount > 0 ? (x.diffSumS / x.diffCount) * 1000 : Number.NaN)

/** One row per round of the mirror target, then the medians. */
function comparisonTable (runs: Runs): string {
  const headers = ['round', 'client requests', 'candidate received', 'compared during load', 'compared incl. drain', 'compared share',
    'diffs_total by result', 'mirror_skipped_total by reason', 'diff mean', 'queue at end', 'drain', 'CPU releases / unbound at end']
  const row = (label: string, x: E2EExtra, shares: { candidate: number; compared: number; diffMs: number }): string[] => [
    label,
    fmtInt(x.clientRequests),
    x.candidateReceived === null ? '—' : `${fmtInt(x.candidateReceived)} (${fmtPct(shares.candidate)})`,
    perS(x.comparedDuringLoad, x.loadS),
    fmtInt(comparedOf(x)),
    fmtPct(shares.compared),
    resultsCell(x),
    skipsCell(x),
    fmtMs(shares.diffMs),
    fmtInt(x.queueAtEnd),
    `${(x.drainMs / 1000).toFixed(1)} s${x.drained ? '' : ' (**not drained**)'}`,
    `${fmtInt(x.cpuReleases)} / ${fmtInt(x.unboundRuns)}`
  ]
  const sharesOf = (x: E2EExtra): { candidate: number; compared: number; diffMs: number } =>
    ({ candidate: share(x.candidateReceived ?? 0, x.primaryReceived), compared: comparedShareOf(x), diffMs: diffMeanMs(x) })
  const xs = extras(runs)
  const rows = xs.map((x, i) => row(String(i + 1), x, sharesOf(x)))
  if (xs.length > 1) {
    const med = (pick: (x: E2EExtra) => number): number => median(xs.map(pick))
    const keys = (k: 'results' | 'skips'): string[] => [...new Set(xs.flatMap((x) => Object.keys(x[k])))]
    const medOf = (k: 'results' | 'skips'): Record<string, number> => Object.fromEntries(keys(k).map((r) => [r, med((x) => x[k][r] ?? 0)]))
    // Medians of the parts don't add up; the shares are the medians of the per-round shares.
    const medianX: E2EExtra = {
      clientRequests: med((x) => x.clientRequests),
      primaryCut: med((x) => x.primaryCut),
      primaryReceived: med((x) => x.primaryReceived),
      candidateReceived: med((x) => x.candidateReceived ?? 0),
      results: medOf('results'),
      skips: medOf('skips'),
      exchanges: med((x) => x.exchanges),
      diffCount: med((x) => x.diffCount),
      diffSumS: med((x) => x.diffSumS),
      queueAtEnd: med((x) => x.queueAtEnd),
      comparedDuringLoad: med((x) => x.comparedDuringLoad),
      loadS: med((x) => x.loadS),
      drainMs: med((x) => x.drainMs),
      drained: xs.every((x) => x.drained),
      threads: null,
      gcMsPerS: Number.NaN,
      loopP99Ms: Number.NaN,
      cpuReleases: med((x) => x.cpuReleases),
      unboundRuns: med((x) => x.unboundRuns)
    }
    const shares = { candidate: med((x) => sharesOf(x).candidate), compared: med((x) => sharesOf(x).compared), diffMs: med(diffMeanMs) }
    const r = row('median', medianX, shares)
    r[4] = fmtInt(med(comparedOf))
    rows.push(r.map((c) => `**${c}**`))
  }
  return markdownTable(headers, rows)
}

/** The per-phase figures of the mirror target, as lines under its tables. */
function phaseNotes (mx: E2EExtra[], mirrorRps: number[], status: Verdict['status'] | null): string[] {
  const out: string[] = []
  const med = (pick: (x: E2EExtra) => number): number => median(mx.map(pick))
  const comparedPct = med(comparedShareOf)
  const mirroredShare = med((x) => share(x.candidateReceived ?? 0, x.primaryReceived))
  const dropped = med((x) => x.skips.diff_queue_full ?? 0)
  const notSent = med((x) => Object.entries(x.skips).filter(([r]) => r !== 'diff_queue_full').reduce((a, [, v]) => a + v, 0))
  const diverging = med((x) => share(x.results.diverge ?? 0, comparedOf(x)))
  const duringLoadShare = med((x) => share(x.comparedDuringLoad, x.clientRequests))
  const duringLoadRate = med((x) => (x.loadS > 0 ? x.comparedDuringLoad / x.loadS : Number.NaN))
  // A lower bound: the drain time includes the polls that confirm the counters stopped moving.
  const drainRate = med((x) => (x.drainMs > 0 ? (comparedOf(x) - x.comparedDuringLoad) / (x.drainMs / 1000) : Number.NaN))
  const diffMs = med(diffMeanMs)
  if (Number.isFinite(comparedPct) && comparedPct < 50) {
    out.push(`- note: shadowsplit compared only ${fmtPct(comparedPct)} of client requests (median per run; ${fmtPct(duringLoadShare)} while the load ran, ` +
      'the rest from the backlog after it stopped). ' +
      `Of a median ${fmtInt(med((x) => x.clientRequests))} client requests per run, ${fmtInt(dropped)} exchanges were dropped by the bounded compare queue ` +
      `(\`diff_queue_full\`) and ${fmtInt(notSent)} copies were never sent (other skip reasons in the table). ` +
      (status === 'PASS'
        ? 'Shedding most of the comparison work is what keeps the p99 bar within reach.'
        : status === null
          ? 'Every dropped exchange was still mirrored, and both bodies captured, before the drop.'
          : 'Even so the p99 bar is missed: every dropped exchange was still mirrored, and both bodies captured, before the drop.'))
  } else if (Number.isFinite(comparedPct)) {
    out.push(`- shadowsplit compared ${fmtPct(comparedPct)} of client requests (median per run; ${fmtPct(duringLoadShare)} while the load ran); ` +
      `${fmtInt(dropped)} exchanges dropped by the compare queue, ${fmtInt(notSent)} copies not sent.`)
  }
  if (Number.isFinite(diverging) && diverging < 99) {
    out.push(`- note: only ${fmtPct(diverging)} of compared exchanges diverged, although every candidate body differs from the primary's in \`${JSON_BODIES.changedPath}\`.`)
  }
  out.push(`- context: while the load ran, ${fmtInt(duringLoadRate)} exchanges/s were compared against ${fmtInt(median(mirrorRps))} client req/s; ` +
    `once it stopped, the backlog went at ≥ ${fmtInt(drainRate)}/s. One comparison takes ${fmtMs(diffMs)} in the worker (≈ ${fmtInt(1000 / diffMs)}/s for a busy worker). ` +
    `The candidate received ${fmtPct(mirroredShare)} of the primary's requests.`)
  const workerPct = median(mx.map((x) => x.threads?.worker ?? Number.NaN))
  if (med((x) => x.queueAtEnd) > 0 && Number.isFinite(workerPct) && workerPct < 50) {
    out.push(`- observation: the compare queue was still full when the load stopped, yet the compare worker thread used only ${workerPct.toFixed(0)} % of a core: ` +
      'the diffing is not what limits the compared share; handing exchanges to the worker and taking its replies back, on the busy main thread, is.')
  }
  if (mx.some((x) => (x.results.error ?? 0) > 0)) {
    const total = (pick: (x: E2EExtra) => number): number => mx.reduce((a, x) => a + pick(x), 0)
    const explained = mx.every((x) => (x.results.error ?? 0) <= x.primaryCut)
    out.push(`- *error* results: ${fmtInt(total((x) => x.results.error ?? 0))} over all runs; client-served primary requests that ended without a response ` +
      `(\`shadowsplit_requests_total{served="client",status_class="error"}\`: the load generator closing its connections at the end of a run): ${fmtInt(total((x) => x.primaryCut))}` +
      (explained ? ', which accounts for all of them.' : '; **the rest are failed comparisons or candidate errors**.'))
  }
  if (mx.some((x) => !x.drained)) out.push(`- **note**: the compare queue or the candidate copies did not settle within ${DRAIN_MAX_MS / 1000} s after some runs; the next run may have shared the CPU with that backlog.`)
  return out
}

/** p99 of the k-th slice of `a` over the k-th slice of `b`, round by round (never across rounds). */
function sliceRatios (a: Runs, b: Runs): number[] {
  const ratios: number[] = []
  b.forEach((run, i) => {
    const other = a[i]?.slices ?? []
    run.slices?.forEach((s, k) => { if (other[k] !== undefined) ratios.push(other[k].p99Ms / s.p99Ms) })
  })
  return ratios
}

/**
 * Slice by slice: the k-th pass-through and mirror slices of a round run next to each other (ABC CBA …), so their
 * p99 ratios show whether a round's pooled ratio comes from a few slow slices or from most of them.
 */
export function sliceNote (pass: Runs, mirror: Runs): string {
  const ratios = sliceRatios(mirror, pass)
  if (ratios.length === 0) return '- context: no per-slice figures.'
  const over = ratios.filter((r) => r > BAR_P99).length
  return `- context, slice by slice (the k-th pass-through and mirror slices of a round run next to each other): mirror / pass-through p99 over ` +
    `${ratios.length} pairs of slices, median ${fmtRatio(median(ratios))} (quartiles ${fmtRatio(quantile(ratios, 0.25))}–${fmtRatio(quantile(ratios, 0.75))}), ` +
    `${over} over ${BAR_P99}×. The bar pools each round's slices into one distribution; this line takes them one by one.`
}

/**
 * The uncompared mirror against the pass-through and against the mirror that compares: what sending the copies costs
 * clients on its own, and what comparing them adds on top.
 */
function uncomparedNote (ux: E2EExtra[], uncomparedP99: number[], mirrorP99: number[], passP99: number[]): string {
  const compared = ux.reduce((a, x) => a + comparedOf(x), 0)
  const candidateShare = median(ux.map((x) => share(x.candidateReceived ?? 0, x.primaryReceived)))
  return `- context: mirroring every request without comparing (\`compare.enabled: false\`; the candidate received ${fmtPct(candidateShare)} of the primary's requests), ` +
    `not compared / pass-through p99 ${ratio(uncomparedP99, passP99).text}; mirror + compare / not compared p99 ${ratio(mirrorP99, uncomparedP99).text}: ` +
    'the first is what sending the copy costs clients, the second what comparing adds on top.' +
    (compared > 0 ? ` **note**: the uncompared mirror reported ${fmtInt(compared)} compared exchanges.` : '')
}

/**
 * The second pass-through against the first: the same code and configuration, so whatever lies between their p99s is
 * the measurement's own spread on this machine. Pooled per round like the bar, and slice by slice.
 */
export function twinNote (twin: Runs, pass: Runs): string {
  const twinP99 = twin.map((r) => r.load.p99Ms)
  const passP99 = pass.map((r) => r.load.p99Ms)
  const pooled = ratio(twinP99, passP99)
  const perRound = roundRatios(twinP99, passP99)
  const slices = sliceRatios(twin, pass)
  const apart = (r: number): boolean => r > BAR_P99 || r < 1 / BAR_P99
  return '- context (noise floor): a second pass-through process, same code and configuration, taking its slices right before the first one\'s: ' +
    `its p99 / the first's ${pooled.text}; ${perRound.filter(apart).length} of ${perRound.length} rounds further apart than ${BAR_P99}× either way` +
    (slices.length === 0 ? '.' : `; slice by slice, median ${fmtRatio(median(slices))} (quartiles ${fmtRatio(quantile(slices, 0.25))}–${fmtRatio(quantile(slices, 0.75))}), ` +
      `${slices.filter(apart).length} of ${slices.length} pairs further apart than ${BAR_P99}× either way.`)
}

/** Median per run of the share of client requests a target compared. */
const comparedShare = (r: Runs): number => median(extras(r).map(comparedShareOf))

/** The comparing mirror with `compare.cpu: spread` against the pass-through and the default (`shared`) mirror. */
function spreadNote (spread: Runs, mirror: Runs, passP99: number[]): string {
  const p99s = spread.map((r) => r.load.p99Ms)
  const mx = extras(mirror)
  const slices = mirror.reduce((a, r) => a + Math.max(1, r.slices?.length ?? 1), 0)
  return `- context: with \`compare.cpu: spread\` (config ${JSON.stringify(SPREAD_CONFIG)}: main thread and compare worker placed by the scheduler), the comparing mirror's p99 was ${ratio(p99s, passP99).text} of pass-through ` +
    `and ${ratio(p99s, mirror.map((r) => r.load.p99Ms)).text} of the default mirror (\`shared\`, both bound to one CPU); it compared ${fmtPct(comparedShare(spread))} of its client requests, ` +
    `the default mirror ${fmtPct(comparedShare(mirror))}. The default mirror's threads were released from their CPU ${fmtInt(mx.reduce((a, x) => a + x.cpuReleases, 0))} times ` +
    `during its fixed-rate slices and were unbound at the end of ${fmtInt(mx.reduce((a, x) => a + x.unboundRuns, 0))} of ${fmtInt(slices)} (\`shadowsplit_compare_cpu\`).`
}

export async function compareE2eSuite (ctx: SuiteContext): Promise<SuiteReport> {
  const stops: Array<() => Promise<void>> = []
  try {
    ctx.progress('compare-e2e: starting the 20 KB primary and candidate, and six shadowsplits')
    const primary = await startStaticJson(ctx.nginx, 'primary-20k', JSON_BODIES.primary)
    stops.push(primary.stop)
    const candidate = await startStaticJson(ctx.nginx, 'candidate-20k', JSON_BODIES.candidate)
    stops.push(candidate.stop)
    await checkServesPayload('primary', primary.origin + LOAD_PATH, JSON_BODIES.primary, 'application/json')
    await checkServesPayload('candidate', candidate.origin + LOAD_PATH, JSON_BODIES.candidate, 'application/json')

    const pass = await startShadowsplit({ name: 'shadowsplit (off)', primary: primary.origin, mode: 'off' })
    stops.push(pass.stop)
    const twin = await startShadowsplit({ name: 'shadowsplit (off, a second process)', primary: primary.origin, mode: 'off' })
    stops.push(twin.stop)
    const mirror = await startShadowsplit({ name: 'shadowsplit (mirror + compare)', primary: primary.origin, candidate: candidate.origin, mode: 'mirror', mirrorPercent: 100 })
    stops.push(mirror.stop)
    const after = await startShadowsplit({
      name: 'shadowsplit (mirror + compare, after_response)', primary: primary.origin, candidate: candidate.origin, mode: 'mirror', mirrorPercent: 100, config: AFTER_CONFIG
    })
    stops.push(after.stop)
    const uncompared = await startShadowsplit({
      name: 'shadowsplit (mirror, not compared)', primary: primary.origin, candidate: candidate.origin, mode: 'mirror', mirrorPercent: 100, config: UNCOMPARED_CONFIG
    })
    stops.push(uncompared.stop)
    const spread = await startShadowsplit({
      name: 'shadowsplit (mirror + compare, spread)', primary: primary.origin, candidate: candidate.origin, mode: 'mirror', mirrorPercent: 100, config: SPREAD_CONFIG
    })
    stops.push(spread.stop)

    // The fixed rate of a round comes from the pass-through saturation run of the same round, which runs first.
    let passSatRps = Number.NaN
    // The paced runs keep --connections. More connections make the pacing more accurate, not less: each waits
    // 1000 × connections / rate ms, and the under-run is response time / (wait + response time). On the reference
    // box at ~2,300-3,200 req/s offered, a trial round with 16 connections reached 87 % (pass-through) and 67 % (mirror)
    // of the offered rate, 64 connections 91-96 % and 74-87 %. More connections also let a stall queue up more requests
    // instead of hiding them (coordinated omission).
    const fixedConnections = ctx.connections
    const fixedLoad = (): { connections: number; ratePerS: number } => {
      if (!(passSatRps > 0)) throw new Error(`no pass-through saturation throughput in this round to derive the fixed rate from (got ${passSatRps})`)
      return { connections: fixedConnections, ratePerS: FIXED_SHARE * passSatRps }
    }
    const passHooks = hooks(pass.proc, pass.metricsUrl, primary, null)
    const mirrorHooks = hooks(mirror.proc, mirror.metricsUrl, primary, candidate)
    const afterHooks = hooks(after.proc, after.metricsUrl, primary, candidate)
    const uncomparedHooks = hooks(uncompared.proc, uncompared.metricsUrl, primary, candidate)
    const spreadHooks = hooks(spread.proc, spread.metricsUrl, primary, candidate)
    const twinHooks = hooks(twin.proc, twin.metricsUrl, primary, null)
    const fixed: Interleave<E2EExtra> = { slices: FIXED_SLICES, merge: mergeExtras, leadInS: FIXED_LEAD_IN_S }
    const sliceS = sliceSeconds(ctx.durationS, FIXED_SLICES)
    const passUrl = pass.url + LOAD_PATH
    const mirrorUrl = mirror.url + LOAD_PATH
    const afterUrl = after.url + LOAD_PATH
    const uncomparedUrl = uncompared.url + LOAD_PATH
    const spreadUrl = spread.url + LOAD_PATH
    const twinUrl = twin.url + LOAD_PATH
    // Per round: pass-through then mirror at saturation (and the context proxies, not reported), then every proxy
    // at the fixed rate, in slices. Warm-ups for the bar's saturation targets and the context proxies' fixed-rate
    // targets; the bar's fixed-rate targets are the same two processes as its saturation ones.
    const targets: Array<Target<E2EExtra>> = [
      {
        name: N.passSat,
        url: passUrl,
        procs: [pass.proc],
        before: async () => { passSatRps = Number.NaN; await passHooks.before?.() },
        after: async (load) => { passSatRps = load.rps; return await (passHooks.after as NonNullable<typeof passHooks.after>)(load) }
      },
      { name: N.mirrorSat, url: mirrorUrl, procs: [mirror.proc], ...mirrorHooks },
      // The context proxies are saturated too, not reported: a proxy's state after a burst (heap, queues) is part of
      // what its next slices pay, and the bar's two targets go through it every round.
      { name: `${N.afterFixed} — saturation (not reported)`, url: afterUrl, procs: [after.proc], ...afterHooks, warmup: false },
      { name: `${N.uncomparedFixed} — saturation (not reported)`, url: uncomparedUrl, procs: [uncompared.proc], ...uncomparedHooks, warmup: false },
      { name: `${N.spreadFixed} — saturation (not reported)`, url: spreadUrl, procs: [spread.proc], ...spreadHooks, warmup: false },
      { name: `${N.twinFixed} — saturation (not reported)`, url: twinUrl, procs: [twin.proc], ...twinHooks, warmup: false },
      // First in the slice order, so that it runs next to the first pass-through as the mirror does on the other side.
      { name: N.twinFixed, url: twinUrl, procs: [twin.proc], ...twinHooks, load: fixedLoad, interleave: fixed },
      { name: N.passFixed, url: passUrl, procs: [pass.proc], ...passHooks, load: fixedLoad, warmup: false, interleave: fixed },
      { name: N.mirrorFixed, url: mirrorUrl, procs: [mirror.proc], ...mirrorHooks, load: fixedLoad, warmup: false, interleave: fixed },
      // Warmed up like the saturation targets (closed loop), since no other run of this process precedes it.
      { name: N.afterFixed, url: afterUrl, procs: [after.proc], ...afterHooks, load: fixedLoad, interleave: fixed },
      { name: N.uncomparedFixed, url: uncomparedUrl, procs: [uncompared.proc], ...uncomparedHooks, load: fixedLoad, interleave: fixed },
      { name: N.spreadFixed, url: spreadUrl, procs: [spread.proc], ...spreadHooks, load: fixedLoad, interleave: fixed }
    ]
    await checkServesPayload(PASS, passUrl, JSON_BODIES.primary, 'application/json')
    await checkServesPayload(MIRROR, mirrorUrl, JSON_BODIES.primary, 'application/json')
    await checkServesPayload(N.afterFixed, afterUrl, JSON_BODIES.primary, 'application/json')
    await checkServesPayload(N.uncomparedFixed, uncomparedUrl, JSON_BODIES.primary, 'application/json')
    await checkServesPayload(N.spreadFixed, spreadUrl, JSON_BODIES.primary, 'application/json')
    await checkServesPayload(N.twinFixed, twinUrl, JSON_BODIES.primary, 'application/json')

    const { samples, aborted } = await runRounds(targets, ctx)
    const runs = (name: string): Runs => samples.get(name) ?? []
    const rps = (name: string): number[] => runs(name).map((s) => s.load.rps)
    const p99 = (name: string): number[] => runs(name).map((s) => s.load.p99Ms)
    const p50 = (name: string): number[] => runs(name).map((s) => s.load.p50Ms)
    const offered = (name: string): number[] => runs(name).map((s) => s.load.offeredRps ?? Number.NaN)
    const medX = (name: string, pick: (x: E2EExtra) => number): number => median(extras(runs(name)).map(pick))
    const threadHeaders = ['CPU main / compare worker / other threads', 'GC pauses', 'event-loop delay p99']
    const threadCells = (name: string): string[] => [
      threadCell(runs(name)),
      `${medX(name, (x) => x.gcMsPerS).toFixed(0)} ms/s`,
      fmtMs(medX(name, (x) => x.loopP99Ms))
    ]

    // Fixed rate: the bar.
    const fixedHeaders = ['target', 'offered req/s', ...STANDARD_HEADERS.map((h) => (h === 'req/s' ? 'achieved req/s' : h)), 'achieved / offered',
      ...threadHeaders, 'p99 vs pass-through', 'achieved req/s vs pass-through']
    const fixedNames = [N.passFixed, N.mirrorFixed, N.afterFixed, N.uncomparedFixed, N.spreadFixed, N.twinFixed]
    const fixedRows = fixedNames.map((name) => [
      name,
      fmtInt(median(offered(name))),
      ...standardCells(runs(name)),
      fmtPct(median(roundRatios(rps(name), offered(name)).map((r) => r * 100))),
      ...threadCells(name),
      fmtRatio(ratio(p99(name), p99(N.passFixed)).median),
      fmtRatio(ratio(rps(name), rps(N.passFixed)).median)
    ])
    const roundRows = runs(N.passFixed).map((s, i) => {
      const m = runs(N.mirrorFixed)[i]
      const a = runs(N.afterFixed)[i]
      const u = runs(N.uncomparedFixed)[i]
      const q = runs(N.spreadFixed)[i]
      const t = runs(N.twinFixed)[i]
      const sat = runs(N.passSat)[i]
      return [
        String(i + 1),
        sat === undefined ? 'n/a' : fmtInt(sat.load.rps),
        fmtInt(s.load.offeredRps ?? Number.NaN),
        fmtInt(s.load.rps),
        m === undefined ? 'n/a' : fmtInt(m.load.rps),
        fmtMs(s.load.p99Ms),
        m === undefined ? 'n/a' : fmtMs(m.load.p99Ms),
        m === undefined ? 'n/a' : fmtRatio(m.load.p99Ms / s.load.p99Ms),
        a === undefined ? 'n/a' : fmtMs(a.load.p99Ms),
        a === undefined ? 'n/a' : fmtRatio(a.load.p99Ms / s.load.p99Ms),
        u === undefined ? 'n/a' : fmtMs(u.load.p99Ms),
        u === undefined ? 'n/a' : fmtRatio(u.load.p99Ms / s.load.p99Ms),
        q === undefined ? 'n/a' : fmtRatio(q.load.p99Ms / s.load.p99Ms),
        t === undefined ? 'n/a' : fmtRatio(t.load.p99Ms / s.load.p99Ms)
      ]
    })
    const roundHeaders = ['round', 'pass-through req/s at saturation', 'offered req/s (all targets)', 'pass-through achieved', 'mirror achieved',
      'pass-through p99', 'mirror p99', 'mirror / pass-through p99', 'after_response p99 (context)', 'after_response / pass-through p99',
      'not compared p99 (context)', 'not compared / pass-through p99', 'spread / pass-through p99 (context)',
      'second pass-through / pass-through p99 (noise floor)']

    const bar = ratio(p99(N.mirrorFixed), p99(N.passFixed))
    const satP99 = ratio(p99(N.mirrorSat), p99(N.passSat))
    const verdict: Verdict = {
      bar: `shadowsplit mirror 100 % with comparison of 20 KB JSON p99 ≤ ${BAR_P99}× pass-through p99 at the same offered load ` +
        `(${FIXED_SHARE * 100} % of pass-through saturation req/s, ${fixedConnections} paced connections)`,
      status: bar.median <= BAR_P99 ? 'PASS' : 'FAIL',
      detail: `${bar.text}; the mirror compared ${fmtPct(comparedShare(runs(N.mirrorFixed)))} of its client requests (median per round; ` +
        `the rest dropped and counted, \`diff_queue_full\`); at saturation (context, no bar): ${satP99.text}`
    }
    const mxFixed = extras(runs(N.mirrorFixed))
    // Comparing nothing would meet the bar for free.
    if (mxFixed.length === 0 || median(mxFixed.map(comparedOf)) === 0) {
      verdict.status = 'INVALID'
      verdict.detail += ' — but the mirror target compared nothing at the fixed rate, so this measures no comparison'
    }
    const fixedNotes: string[] = []
    const loadRatio = ratio(rps(N.mirrorFixed), rps(N.passFixed))
    if (Number.isFinite(loadRatio.median) && Math.abs(loadRatio.median - 1) > SAME_LOAD_TOLERANCE) {
      fixedNotes.push(`- **note**: the two targets did not get the same load: mirror / pass-through achieved req/s ${loadRatio.text}. ` +
        (loadRatio.median < 1
          ? 'The mirror target answered slowly enough for its paced connections to fall behind the offered rate, so its p99 was measured at a lighter load than the pass-through\'s.'
          : 'The pass-through target fell further behind the offered rate than the mirror target.'))
    }
    const ofMirrorSat = roundRatios(offered(N.mirrorFixed), rps(N.mirrorSat)).map((r) => r * 100)
    fixedNotes.push(`- context: the offered rate is ${FIXED_SHARE * 100} % of the pass-through's saturation req/s but ${fmtPct(median(ofMirrorSat))} ` +
      `of the mirror target's own (median per round; per round: ${ofMirrorSat.map((p) => p.toFixed(0)).join(', ')} %).`)
    fixedNotes.push(sliceNote(runs(N.passFixed), runs(N.mirrorFixed)))
    fixedNotes.push(twinNote(runs(N.twinFixed), runs(N.passFixed)))
    fixedNotes.push(`- context: mirror + compare / pass-through achieved req/s ${loadRatio.text}`)
    fixedNotes.push(`- context: mirror + compare / pass-through p50 ${ratio(p50(N.mirrorFixed), p50(N.passFixed)).text}`)
    const afterCompared = comparedShare(runs(N.afterFixed))
    fixedNotes.push(`- context: with \`mirrorTiming: after_response\` (a third proxy, config ${JSON.stringify(AFTER_CONFIG)}), mirror + compare / pass-through ` +
      `p99 ${ratio(p99(N.afterFixed), p99(N.passFixed)).text}, p50 ${ratio(p50(N.afterFixed), p50(N.passFixed)).text}; it compared ${fmtPct(afterCompared)} of its client requests.`)
    fixedNotes.push(uncomparedNote(extras(runs(N.uncomparedFixed)), p99(N.uncomparedFixed), p99(N.mirrorFixed), p99(N.passFixed)))
    fixedNotes.push(spreadNote(runs(N.spreadFixed), runs(N.mirrorFixed), p99(N.passFixed)))

    // Saturation: context only.
    const satHeaders = ['target', ...STANDARD_HEADERS, ...threadHeaders, 'p99 vs pass-through', 'req/s vs pass-through']
    const satRows = [N.passSat, N.mirrorSat].map((name) => [
      name,
      ...standardCells(runs(name)),
      ...threadCells(name),
      fmtRatio(ratio(p99(name), p99(N.passSat)).median),
      fmtRatio(ratio(rps(name), rps(N.passSat)).median)
    ])

    const markdown = [
      `Primary: ${primary.label} at ${primary.origin}, answering ${LOAD_PATH} with a ${fmtInt(JSON_BODIES.primary.length)} B JSON document ` +
        `(${JSON_BODIES.items} items of nested objects and arrays, \`content-type: application/json\`). ` +
        `Candidate: the same server kind with the same document except \`${JSON_BODIES.changedPath}\` (same length, same Last-Modified), ` +
        'so every compared exchange is a parsed, walked, diverging pair.',
      `- pass-through: \`${pass.command}\``,
      `- mirror: \`${mirror.command}\` (compare workers, queue size and sampling left at their defaults: one worker, bound with the main thread to one CPU, \`compare.cpu: shared\`)`,
      `- context only: the same mirror with \`mirrorTiming: after_response\` (config file ${JSON.stringify(AFTER_CONFIG)}): each copy leaves once the client's response is finished`,
      `- context only: the same mirror not comparing (config file ${JSON.stringify(UNCOMPARED_CONFIG)}): every request is still copied to the candidate and its answer read to the end, nothing is captured or compared`,
      `- context only: the comparing mirror again with \`compare.cpu: spread\` (config file ${JSON.stringify(SPREAD_CONFIG)}): the scheduler places its main thread and compare worker on any CPU, so comparing also uses other CPUs' idle time`,
      `- context only (noise floor): a second pass-through process, \`${twin.command}\`: the same proxy twice, so the ratio of their p99s is what this machine alone puts between two runs of one target in the same slices`,
      '',
      'Each round runs both targets at saturation first (closed loop, as fast as they answer, one after the other; the context proxies too, not reported, ' +
        'so that every proxy comes to its slices from the same burst), then both at the same fixed offered rate, ' +
        'taking turns in slices (for context, a second pass-through process before them, and the after_response proxy, the uncompared mirror and the spread mirror after them). At saturation a closed loop mostly measures throughput: mirroring doubles the upstream ' +
        'work of one event loop, and with a fixed number of connections the latency ratio is then about the inverse throughput ratio. ' +
        'The bar asks what the mirror and the comparison do to clients at the **same offered load**, so it is judged on the fixed-rate runs; ' +
        'the saturation figures are context.',
      '',
      `### Same offered load: ${FIXED_SHARE * 100} % of the round's pass-through saturation req/s (the bar)`,
      '',
      `The offered rate of a round is ${FIXED_SHARE * 100} % of the req/s the pass-through reached at saturation earlier in the same round: a proxy sized ` +
        `with production headroom (it runs at a quarter of what it can do). Both targets get that same rate, over ${fixedConnections} connections ` +
        `paced by wrk's \`delay()\` hook (\`bench/wrk/pace.lua\`; Debian's wrk 4.1 has no \`-R\`, that is wrk2): before each request a connection waits ` +
        `1000 × ${fixedConnections} / rate ms, and wrk's latency starts when the request is written, so it leaves that wait out` +
        (ctx.tool.describe.startsWith('wrk') ? '. ' : ` (this run used ${ctx.tool.describe} instead, paced by its \`overallRate\`). `) +
        'A connection\'s cycle is the wait plus the response time, so every target falls a little short of the offered rate, more so ' +
        'when it answers more slowly: *achieved req/s* is what each target actually served.',
      '',
      `The fixed-rate targets take turns in ${FIXED_SLICES} slices of ${sliceS} s each per round (order reversed from slice to slice: ` +
        'second pass-through, pass-through, mirror, after_response, not compared, spread, then spread, not compared, after_response, mirror, pass-through, second pass-through, …), and each target\'s slices are pooled into its run ' +
        'of the round: wrk\'s latency distributions merged (`bench/wrk/report.lua` prints every distinct latency with its count), then p50 and p99 ' +
        'of the merge; counts summed. Runs of a whole duration one after the other let this shared machine\'s swings of a few seconds ' +
        'decide the ratio; in slices both targets see the same stretch of the machine. ' +
        `Each slice is led in by ${FIXED_LEAD_IN_S} s of unmeasured load at the same rate: a target idles through the others' slices for longer ` +
        'than shadowsplit keeps idle upstream connections (4 s), and a slice must not start by opening them all anew.',
      '',
      markdownTable(fixedHeaders, fixedRows),
      '',
      `${STANDARD_NOTES} *achieved / offered* is the median of the per-run shares; *req/s spread* follows the offered rate, which moves with the round's saturation figure.`,
      '',
      'Per round:',
      '',
      markdownTable(roundHeaders, roundRows),
      '',
      'Comparison in the mirror target at the fixed rate, per run:',
      '',
      comparisonTable(runs(N.mirrorFixed)),
      '',
      verdictLine(verdict),
      ...fixedNotes,
      ...phaseNotes(mxFixed, rps(N.mirrorFixed), verdict.status),
      '',
      `### Saturation (context, no bar): closed loop, ${ctx.connections} connections, as fast as possible`,
      '',
      markdownTable(satHeaders, satRows),
      '',
      `${STANDARD_NOTES} *CPU main / compare worker / other threads* splits the proxy's CPU by thread (main event loop, ` +
        'the compare worker thread, V8 and libuv helpers) over the load window, read from /proc/<pid>/task. *GC pauses* ' +
        '(`nodejs_gc_duration_seconds`, main thread) and *event-loop delay p99* (`nodejs_eventloop_lag_p99_seconds`, 10 ms resolution) ' +
        'come from the proxy\'s own /metrics over the run. The same columns in the fixed-rate table mean the same.',
      '',
      'Comparison in the mirror target at saturation, per run:',
      '',
      comparisonTable(runs(N.mirrorSat)),
      '',
      '*compared* = match + diverge + noise_only, counted when the load stopped (*during load*, with the rate over the run) and after the drain ' +
        '(*incl. drain*); *compared share* is the latter over the client requests shadowsplit received in the run; ' +
        '*candidate received* is counted by the candidate itself, its share is over the primary\'s count; *diff mean* is ' +
        '`shadowsplit_diff_duration_seconds` sum / count; *queue at end* is `shadowsplit_compare_queue_depth` right after the load stopped. ' +
        'Exchanges still queued when the load stopped are compared during the *drain* and counted with their run; the next run starts only after the drain. ' +
        '*CPU releases / unbound at end*: how often `compare.cpu: shared` released the threads from their CPU during the run ' +
        '(`shadowsplit_compare_cpu_releases_total`), and in how many of its slices they were not bound when the load stopped (`shadowsplit_compare_cpu` -1). ' +
        'Both comparison tables read the same way.',
      '',
      `- context: mirror + compare / pass-through p99 at saturation ${satP99.text} (no bar)`,
      `- context: mirror + compare / pass-through req/s at saturation ${ratio(rps(N.mirrorSat), rps(N.passSat)).text}`,
      `- context: mirror + compare / pass-through p50 at saturation ${ratio(p50(N.mirrorSat), p50(N.passSat)).text}`,
      ...phaseNotes(extras(runs(N.mirrorSat)), rps(N.mirrorSat), null),
      // The fixed-rate runs' req/s follow the saturation ones, so the noise check looks at saturation only.
      ...warnings([runs(N.passSat), runs(N.mirrorSat)], aborted)
    ].join('\n')
    return { title: 'compare-e2e', markdown, verdicts: [verdict] }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
