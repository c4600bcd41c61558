// Latency distributions as wrk records them (every distinct latency in µs with its count), so that several short
// runs of one target can be pooled into one sample: percentiles of the pooled distribution, not a mean of
// percentiles. Used by the interleaved runs of bench/lib/rounds.ts. wrk's distribution holds its correction for
// coordinated omission (stats_correct: extra samples for answers slower than a connection's mean cycle), pooled:
// each slice carries its own correction, as wrk would print it for that slice.
import type { LoadResult } from './load-result.ts'

/** [latency µs, count] pairs, ascending by latency. */
export type Histogram = Array<[number, number]>

/** The `WRK_HIST` line of bench/wrk/report.lua: `WRK_HIST <µs>:<count> <µs>:<count> …`. */
export function parseHistogram (line: string): Histogram {
  const out: Histogram = []
  for (const part of line.trim().split(/\s+/).slice(1)) {
    const [v, c] = part.split(':').map(Number)
    if (!Number.isFinite(v) || !Number.isFinite(c) || c === undefined || v === undefined) throw new Error(`bad latency histogram entry "${part}"`)
    out.push([v, c])
  }
  return out.sort((a, b) => a[0] - b[0])
}

export function mergeHistograms (hs: Histogram[]): Histogram {
  const counts = new Map<number, number>()
  for (const h of hs) for (const [v, c] of h) counts.set(v, (counts.get(v) ?? 0) + c)
  return [...counts].sort((a, b) => a[0] - b[0])
}

/** wrk's own rule (stats_percentile): the smallest latency whose cumulative count reaches round(p% × n + 0.5). */
export function percentileUs (h: Histogram, p: number): number {
  const n = h.reduce((a, [, c]) => a + c, 0)
  if (n === 0) return Number.NaN
  const rank = Math.round((p / 100) * n + 0.5)
  let seen = 0
  for (const [v, c] of h) {
    seen += c
    if (seen >= rank) return v
  }
  return h[h.length - 1]![0]
}

/**
 * Several runs of one target as one: counts summed, req/s over the summed seconds, p50/p99 of the merged
 * distribution. Without a distribution for every run (autocannon), the worst run's percentile stands in for the
 * pooled one, which overstates it.
 */
export function poolLoads (loads: LoadResult[]): LoadResult {
  if (loads.length === 0) throw new Error('poolLoads: no runs')
  const sum = (pick: (l: LoadResult) => number): number => loads.reduce((a, l) => a + pick(l), 0)
  const seconds = sum((l) => l.seconds)
  const requests = sum((l) => l.requests)
  const hists = loads.map((l) => l.histogram).filter((h): h is Histogram => h !== undefined)
  const merged = hists.length === loads.length ? mergeHistograms(hists) : undefined
  const pct = (p: number, pick: (l: LoadResult) => number): number =>
    merged === undefined ? Math.max(...loads.map(pick)) : percentileUs(merged, p) / 1000
  const offered = loads[0]!.offeredRps
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: pct(50, (l) => l.p50Ms),
    p99Ms: pct(99, (l) => l.p99Ms),
    badStatus: sum((l) => l.badStatus),
    socketErrors: sum((l) => l.socketErrors),
    timeouts: sum((l) => l.timeouts),
    ...(offered === undefined ? {} : { offeredRps: offered }),
    ...(merged === undefined ? {} : { histogram: merged })
  }
}
