// Suite compare-e2e: what comparing every mirrored response costs the client, end to end. The primary serves a
// ~20 KB JSON document, the candidate the same document with one field changed, so every exchange that reaches
// the comparator is a real structural diff (both bodies parsed and walked), not the byte-equal fast path.
// Targets, alternated per round: shadowsplit --mode off (pass-through) and shadowsplit --mode mirror
// --mirror-percent 100 --candidate (comparison in its worker pool, defaults left alone).
// Bar: median over rounds of (mirror p99 / pass-through p99) ≤ 1.5.
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
import { runRounds } from '../lib/rounds.ts'
import type { RunSample, Target } from '../lib/rounds.ts'
import { fmtInt, fmtMs, fmtPct, markdownTable, median } from '../lib/stats.ts'
import { STANDARD_HEADERS, STANDARD_NOTES, ratio, standardCells, warnings } from '../lib/report.ts'
import type { Managed } from '../lib/processes.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'
import { verdictLine } from './suite.ts'

const BAR_P99 = 1.5
const PASS = 'shadowsplit --mode off'
const MIRROR = 'shadowsplit mirror 100 % + compare'
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
  /** compare_queue_depth right after the load generator stopped. */
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
  /** p99 of the main thread's event-loop delay during the run, in ms. */
  loopP99Ms: number
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
        loopP99Ms
      }
    }
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
    'diffs_total by result', 'mirror_skipped_total by reason', 'diff mean', 'queue at end', 'drain']
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
    `${(x.drainMs / 1000).toFixed(1)} s${x.drained ? '' : ' (**not drained**)'}`
  ]
  const sharesOf = (x: E2EExtra): { candidate: number; compared: number; diffMs: number } =>
    ({ candidate: share(x.candidateReceived ?? 0, x.primaryReceived), compared: share(comparedOf(x), x.clientRequests), diffMs: diffMeanMs(x) })
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
      loopP99Ms: Number.NaN
    }
    const shares = { candidate: med((x) => sharesOf(x).candidate), compared: med((x) => sharesOf(x).compared), diffMs: med(diffMeanMs) }
    const r = row('median', medianX, shares)
    r[4] = fmtInt(med(comparedOf))
    rows.push(r.map((c) => `**${c}**`))
  }
  return markdownTable(headers, rows)
}

export async function compareE2eSuite (ctx: SuiteContext): Promise<SuiteReport> {
  const stops: Array<() => Promise<void>> = []
  try {
    ctx.progress('compare-e2e: starting the 20 KB primary and candidate, and two shadowsplits')
    const primary = await startStaticJson(ctx.nginx, 'primary-20k', JSON_BODIES.primary)
    stops.push(primary.stop)
    const candidate = await startStaticJson(ctx.nginx, 'candidate-20k', JSON_BODIES.candidate)
    stops.push(candidate.stop)
    await checkServesPayload('primary', primary.origin + LOAD_PATH, JSON_BODIES.primary, 'application/json')
    await checkServesPayload('candidate', candidate.origin + LOAD_PATH, JSON_BODIES.candidate, 'application/json')

    const pass = await startShadowsplit({ name: 'shadowsplit (off)', primary: primary.origin, mode: 'off' })
    stops.push(pass.stop)
    const mirror = await startShadowsplit({ name: 'shadowsplit (mirror + compare)', primary: primary.origin, candidate: candidate.origin, mode: 'mirror', mirrorPercent: 100 })
    stops.push(mirror.stop)

    const targets: Array<Target<E2EExtra>> = [
      { name: PASS, url: pass.url + LOAD_PATH, procs: [pass.proc], ...hooks(pass.proc, pass.metricsUrl, primary, null) },
      { name: MIRROR, url: mirror.url + LOAD_PATH, procs: [mirror.proc], ...hooks(mirror.proc, mirror.metricsUrl, primary, candidate) }
    ]
    for (const t of targets) await checkServesPayload(t.name, t.url, JSON_BODIES.primary, 'application/json')

    const { samples, aborted } = await runRounds(targets, ctx)
    const runs = (name: string): Runs => samples.get(name) ?? []
    const rps = (name: string): number[] => runs(name).map((s) => s.load.rps)
    const p99 = (name: string): number[] => runs(name).map((s) => s.load.p99Ms)
    const p50 = (name: string): number[] => runs(name).map((s) => s.load.p50Ms)

    const headers = ['target', ...STANDARD_HEADERS, 'CPU main / compare worker / other threads', 'GC pauses', 'event-loop delay p99', 'p99 vs pass-through', 'req/s vs pass-through']
    const medX = (name: string, pick: (x: E2EExtra) => number): number => median(extras(runs(name)).map(pick))
    const rows = targets.map((t) => [
      t.name,
      ...standardCells(runs(t.name)),
      threadCell(runs(t.name)),
      `${medX(t.name, (x) => x.gcMsPerS).toFixed(0)} ms/s`,
      fmtMs(medX(t.name, (x) => x.loopP99Ms)),
      ratio(p99(t.name), p99(PASS)).median.toFixed(2) + '×',
      ratio(rps(t.name), rps(PASS)).median.toFixed(2) + '×'
    ])

    const bar = ratio(p99(MIRROR), p99(PASS))
    const verdict: Verdict = {
      bar: `shadowsplit mirror 100 % with comparison of 20 KB JSON p99 ≤ ${BAR_P99}× pass-through p99`,
      status: bar.median <= BAR_P99 ? 'PASS' : 'FAIL',
      detail: bar.text
    }
    const mx = extras(runs(MIRROR))
    const comparedShare = median(mx.map((x) => share(comparedOf(x), x.clientRequests)))
    const mirroredShare = median(mx.map((x) => share(x.candidateReceived ?? 0, x.primaryReceived)))
    // Comparing nothing would meet the bar for free.
    if (mx.length === 0 || median(mx.map(comparedOf)) === 0) {
      verdict.status = 'INVALID'
      verdict.detail += ' — but the mirror target compared nothing, so this measures no comparison'
    }

    const context: string[] = []
    const med = (pick: (x: E2EExtra) => number): number => median(mx.map(pick))
    const dropped = med((x) => x.skips.diff_queue_full ?? 0)
    const notSent = med((x) => Object.entries(x.skips).filter(([r]) => r !== 'diff_queue_full').reduce((a, [, v]) => a + v, 0))
    const diverging = med((x) => share(x.results.diverge ?? 0, comparedOf(x)))
    const duringLoadShare = med((x) => share(x.comparedDuringLoad, x.clientRequests))
    const duringLoadRate = med((x) => (x.loadS > 0 ? x.comparedDuringLoad / x.loadS : Number.NaN))
    // A lower bound: the drain time includes the polls that confirm the counters stopped moving.
    const drainRate = med((x) => (x.drainMs > 0 ? (comparedOf(x) - x.comparedDuringLoad) / (x.drainMs / 1000) : Number.NaN))
    const diffMs = med(diffMeanMs)
    if (Number.isFinite(comparedShare) && comparedShare < 50) {
      context.push(`- note: shadowsplit compared only ${fmtPct(comparedShare)} of client requests (median per run; ${fmtPct(duringLoadShare)} while the load ran, ` +
        'the rest from the backlog after it stopped). ' +
        `Of a median ${fmtInt(med((x) => x.clientRequests))} client requests per run, ${fmtInt(dropped)} exchanges were dropped by the bounded compare queue ` +
        `(\`diff_queue_full\`) and ${fmtInt(notSent)} copies were never sent (other skip reasons in the table). ` +
        (verdict.status === 'PASS'
          ? 'Shedding most of the comparison work is what keeps the p99 bar within reach.'
          : 'Even so the p99 bar is missed: every dropped exchange was still mirrored, and both bodies captured, before the drop.'))
    } else if (Number.isFinite(comparedShare)) {
      context.push(`- shadowsplit compared ${fmtPct(comparedShare)} of client requests (median per run; ${fmtPct(duringLoadShare)} while the load ran); ` +
        `${fmtInt(dropped)} exchanges dropped by the compare queue, ${fmtInt(notSent)} copies not sent.`)
    }
    if (Number.isFinite(diverging) && diverging < 99) {
      context.push(`- note: only ${fmtPct(diverging)} of compared exchanges diverged, although every candidate body differs from the primary's in \`${JSON_BODIES.changedPath}\`.`)
    }
    context.push(`- context: while the load ran, ${fmtInt(duringLoadRate)} exchanges/s were compared against ${fmtInt(median(rps(MIRROR)))} client req/s; ` +
      `once it stopped, the backlog went at ≥ ${fmtInt(drainRate)}/s. One comparison takes ${fmtMs(diffMs)} in the worker (≈ ${fmtInt(1000 / diffMs)}/s for a busy worker). ` +
      `The candidate received ${fmtPct(mirroredShare)} of the primary's requests.`)
    const workerPct = median(mx.map((x) => x.threads?.worker ?? Number.NaN))
    if (med((x) => x.queueAtEnd) > 0 && Number.isFinite(workerPct) && workerPct < 50) {
      context.push(`- observation: the compare queue was still full when the load stopped, yet the compare worker thread used only ${workerPct.toFixed(0)} % of a core: ` +
        'the diffing is not what limits the compared share; handing exchanges to the worker and taking its replies back, on the busy main thread, is.')
    }
    if (mx.some((x) => (x.results.error ?? 0) > 0)) {
      const total = (pick: (x: E2EExtra) => number): number => mx.reduce((a, x) => a + pick(x), 0)
      const explained = mx.every((x) => (x.results.error ?? 0) <= x.primaryCut)
      context.push(`- *error* results: ${fmtInt(total((x) => x.results.error ?? 0))} over all runs; client-served primary requests that ended without a response ` +
        `(\`shadowsplit_requests_total{served="client",status_class="error"}\`: the load generator closing its connections at the end of a run): ${fmtInt(total((x) => x.primaryCut))}` +
        (explained ? ', which accounts for all of them.' : '; **the rest are failed comparisons or candidate errors**.'))
    }
    context.push(`- context: mirror + compare / pass-through req/s ${ratio(rps(MIRROR), rps(PASS)).text}`)
    context.push(`- context: mirror + compare / pass-through p50 ${ratio(p50(MIRROR), p50(PASS)).text}`)
    if (mx.some((x) => !x.drained)) context.push(`- **note**: the compare queue or the candidate copies did not settle within ${DRAIN_MAX_MS / 1000} s after some runs; the next run may have shared the CPU with that backlog.`)

    const markdown = [
      `Primary: ${primary.label} at ${primary.origin}, answering ${LOAD_PATH} with a ${fmtInt(JSON_BODIES.primary.length)} B JSON document ` +
        `(${JSON_BODIES.items} items of nested objects and arrays, \`content-type: application/json\`). ` +
        `Candidate: the same server kind with the same document except \`${JSON_BODIES.changedPath}\` (same length, same Last-Modified), ` +
        'so every compared exchange is a parsed, walked, diverging pair.',
      `- pass-through: \`${pass.command}\``,
      `- mirror: \`${mirror.command}\` (compare workers, queue size and sampling left at their defaults)`,
      '',
      markdownTable(headers, rows),
      '',
      `${STANDARD_NOTES} *CPU main / compare worker / other threads* splits the proxy's CPU by thread (main event loop, ` +
        'the compare worker thread, V8 and libuv helpers) over the load window, read from /proc/<pid>/task. *GC pauses* ' +
        '(`nodejs_gc_duration_seconds`, main thread) and *event-loop delay p99* (`nodejs_eventloop_lag_p99_seconds`, 10 ms resolution) ' +
        'come from the proxy\'s own /metrics over the run.',
      '',
      `Comparison in the mirror target, per run (from its /metrics, diffed around each run; exchanges still queued when the load stopped are ` +
        'compared during the *drain* and counted with their run; the next run starts only after the drain):',
      '',
      comparisonTable(runs(MIRROR)),
      '',
      '*compared* = match + diverge + noise_only, counted when the load stopped (*during load*, with the rate over the run) and after the drain ' +
        '(*incl. drain*); *compared share* is the latter over the client requests shadowsplit received in the run; ' +
        '*candidate received* is counted by the candidate itself, its share is over the primary\'s count; *diff mean* is ' +
        '`shadowsplit_diff_duration_seconds` sum / count; *queue at end* is `shadowsplit_compare_queue_depth` right after the load stopped.',
      '',
      verdictLine(verdict),
      ...context,
      ...warnings(targets.map((t) => runs(t.name)), aborted)
    ].join('\n')
    return { title: 'compare-e2e', markdown, verdicts: [verdict] }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
