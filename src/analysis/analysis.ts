// Turns compared exchanges into per-endpoint, per-field knowledge: which paths diverge, which are noise
// (noise-model.ts), how each request is classified, and how the two versions' latencies compare.
import type { Difference, DifferenceClass } from '../compare/types.ts'
import type { Exchange } from '../shadow/exchange.ts'
import type { Metrics } from '../observe/metrics.ts'
import { isNoise, normalQuantile } from './noise-model.ts'
import { EndpointStats, worseClass } from './endpoint-stats.ts'
import type { PathStats } from './endpoint-stats.ts'

export type DiffResult = 'match' | 'diverge' | 'noise_only' | 'error' | 'skipped'

export interface Verdict {
  result: DiffResult
  /** Worst class among reported differences; null unless `diverge`. */
  cls: DifferenceClass | null
  reported: Difference[]
}

/** Fewer compared requests than this and an endpoint's verdict says so, instead of a silent pass. */
export const MIN_COMPARED = 20
const HISTORY_INTERVAL_MS = 10_000

/** A configured noise entry covers its path and everything under it. */
export function coveredBy (path: string, entries: Iterable<string>): boolean {
  for (const e of entries) {
    if (path === e || path.startsWith(`${e}.`) || path.startsWith(`${e}[`)) return true
    if (e.endsWith('*') && path.startsWith(e.slice(0, -1))) return true
  }
  return false
}

export interface AnalysisOptions { confidence: number; maxPathsPerEndpoint: number }

export class Analysis {
  readonly #endpoints = new Map<string, EndpointStats>()
  readonly #marks = new Map<string, Set<string>>()
  readonly #metrics: Metrics
  #z: number
  #maxPaths: number
  readonly #timer: NodeJS.Timeout

  constructor (options: AnalysisOptions, metrics: Metrics) {
    this.#metrics = metrics
    this.#z = normalQuantile(options.confidence)
    this.#maxPaths = options.maxPathsPerEndpoint
    this.#timer = setInterval(() => { for (const e of this.#endpoints.values()) e.roll(Date.now()) }, HISTORY_INTERVAL_MS)
    this.#timer.unref()
  }

  configure (options: AnalysisOptions): void {
    this.#z = normalQuantile(options.confidence)
    this.#maxPaths = options.maxPathsPerEndpoint
  }

  endpoint (name: string): EndpointStats {
    let e = this.#endpoints.get(name)
    if (e === undefined) {
      e = new EndpointStats(name, this.#maxPaths)
      this.#endpoints.set(name, e)
    }
    return e
  }

  get endpoints (): EndpointStats[] { return [...this.#endpoints.values()] }

  countRequest (endpoint: string, route: string): void {
    const e = this.endpoint(endpoint)
    e.requests++
    e.routes.add(route)
  }
  countMirrored (endpoint: string): void { this.endpoint(endpoint).mirrored++ }

  /** An exchange that will not be compared (queue full). */
  skipped (endpoint: string): void {
    this.#metrics.diff(endpoint, 'skipped')
  }

  /** An exchange of a route whose responses are not compared (`compare.enabled: false`): latencies only. */
  uncompared (ex: Exchange): void {
    this.#timed(ex)
  }

  /** The exchange's endpoint, with the latency of each side that answered recorded. */
  #timed (ex: Exchange): EndpointStats {
    const e = this.endpoint(ex.request.endpoint)
    e.observeLatency(ex.primary.error === null ? ex.primary.ms : null, ex.candidate.error === null ? ex.candidate.ms : null)
    return e
  }

  /** An exchange whose comparison could not be made (a side without response, a failed comparison). */
  failed (ex: Exchange): Verdict {
    const e = this.#timed(ex)
    e.errors++
    this.#metrics.diff(e.name, 'error')
    return { result: 'error', cls: null, reported: [] }
  }

  /**
   * One compared exchange: `pc` are the primary-vs-candidate differences, `ps` the primary-vs-secondary
   * ones (null without a secondary answer). Counts are updated first, so this request's own evidence counts.
   */
  ingest (ex: Exchange, pc: Difference[], ps: Difference[] | null, routeNoise: readonly string[]): Verdict {
    const e = this.endpoint(ex.request.endpoint)
    e.observeLatency(ex.primary.ms, ex.candidate.ms)
    e.compared++
    if (ps !== null) {
      e.noiseCompared++
      for (const stats of unique(e, ps)) stats.noise++
    }
    const raw = unique(e, pc)
    for (const stats of raw) stats.raw++
    const marks = this.#marks.get(e.name)
    const reported: Difference[] = []
    let cls: DifferenceClass | null = null
    const reportedPaths = new Set<PathStats>()
    for (const d of pc) {
      const stats = e.path(d)
      stats.lastAt = d.at
      if (coveredBy(d.path, routeNoise) || (marks !== undefined && coveredBy(d.path, marks))) continue
      if (isNoise(stats, e.compared, e.noiseCompared, this.#z)) continue
      reported.push(d)
      cls = worseClass(cls, d.class)
      if (!reportedPaths.has(stats)) {
        reportedPaths.add(stats)
        stats.reported++
        stats.cls = worseClass(stats.cls, d.class)
        this.#metrics.divergentField(e.name, stats.path, d.kind)
      }
    }
    const result: DiffResult = pc.length === 0 ? 'match' : reported.length === 0 ? 'noise_only' : 'diverge'
    if (result === 'match') e.matched++
    else if (result === 'noise_only') e.noiseOnly++
    else {
      e.diverged++
      e.classes[cls!]++
      this.#metrics.divergence(e.name, cls!)
    }
    e.countWindow(result === 'diverge')
    this.#metrics.diff(e.name, result)
    return { result, cls, reported }
  }

  /** Is this path currently judged noise for the endpoint (statistically, by config or by an operator)? */
  pathIsNoise (endpoint: string, stats: PathStats, routeNoise: readonly string[] = []): boolean {
    const e = this.endpoint(endpoint)
    const marks = this.#marks.get(endpoint)
    return coveredBy(stats.path, routeNoise) || (marks !== undefined && coveredBy(stats.path, marks)) ||
      isNoise(stats, e.compared, e.noiseCompared, this.#z)
  }

  marked (endpoint: string): ReadonlySet<string> {
    return this.#marks.get(endpoint) ?? new Set()
  }

  markNoise (endpoint: string, path: string, noise: boolean): void {
    let set = this.#marks.get(endpoint)
    if (set === undefined) { set = new Set(); this.#marks.set(endpoint, set) }
    if (noise) set.add(path)
    else set.delete(path)
  }

  /** Forgets every count and latency; operator noise marks stay. */
  reset (): void {
    this.#endpoints.clear()
  }

  close (): void {
    clearInterval(this.#timer)
  }
}

function unique (e: EndpointStats, diffs: Difference[]): Set<PathStats> {
  const out = new Set<PathStats>()
  for (const d of diffs) out.add(e.path(d))
  return out
}
