// Per-endpoint counts, per-path raw and noise counts, and latency summaries. Paths are capped per endpoint;
// past the cap they are counted under `other`.
import type { Difference, DifferenceClass } from '../compare/types.ts'
import { LatencySketch } from './latency-sketch.ts'
import type { HistoryPoint } from '../admin/api-contract.ts'

export const OTHER_PATH = 'other'
const CLASS_RANK: Record<DifferenceClass, number> = { header: 1, value: 2, schema: 3, status: 4 }

/** The worse of two classes: status > schema > value > header. */
export function worseClass (a: DifferenceClass | null, b: DifferenceClass): DifferenceClass {
  return a === null || CLASS_RANK[b] > CLASS_RANK[a] ? b : a
}

/**
 * Differences of shape are tracked apart from differences of value at the same path, so that a field that
 * is noisy in its value (a timestamp) still reports a change of its type or its disappearance.
 */
export function statKey (d: Difference): string {
  return d.class === 'schema' ? `${d.path}\u0000schema` : d.path
}

export class PathStats {
  readonly path: string
  readonly kind: Difference['kind']
  cls: DifferenceClass
  raw = 0
  noise = 0
  /** Requests where this path was reported as a divergence. */
  reported = 0
  lastAt = ''

  constructor (path: string, kind: Difference['kind'], cls: DifferenceClass) {
    this.path = path
    this.kind = kind
    this.cls = cls
  }
}

const HISTORY_POINTS = 180

export class EndpointStats {
  readonly name: string
  requests = 0
  mirrored = 0
  compared = 0
  noiseCompared = 0
  matched = 0
  diverged = 0
  noiseOnly = 0
  errors = 0
  /** Routes that served this endpoint's requests (bounded by the routes in the config). */
  readonly routes = new Set<string>()
  readonly classes: Record<DifferenceClass, number> = { status: 0, header: 0, schema: 0, value: 0 }
  readonly paths = new Map<string, PathStats>()
  readonly latency = { primary: new LatencySketch(), candidate: new LatencySketch() }
  readonly history: HistoryPoint[] = []
  readonly #window = { primary: new LatencySketch(), candidate: new LatencySketch(), compared: 0, diverged: 0 }
  readonly #maxPaths: number

  constructor (name: string, maxPaths: number) {
    this.name = name
    this.#maxPaths = maxPaths
  }

  /** Stats for a difference's path, or for `other` once the endpoint has `maxPaths` distinct ones. */
  path (d: Difference): PathStats {
    const key = statKey(d)
    let stats = this.paths.get(key)
    if (stats !== undefined) return stats
    if (this.paths.size >= this.#maxPaths) {
      const otherKey = d.class === 'schema' ? `${OTHER_PATH}\u0000schema` : OTHER_PATH
      stats = this.paths.get(otherKey)
      if (stats === undefined) {
        stats = new PathStats(OTHER_PATH, d.kind, d.class)
        this.paths.set(otherKey, stats)
      }
      return stats
    }
    stats = new PathStats(d.path, d.kind, d.class)
    this.paths.set(key, stats)
    return stats
  }

  observeLatency (primaryMs: number | null, candidateMs: number | null): void {
    if (primaryMs !== null) { this.latency.primary.add(primaryMs); this.#window.primary.add(primaryMs) }
    if (candidateMs !== null) { this.latency.candidate.add(candidateMs); this.#window.candidate.add(candidateMs) }
  }

  countWindow (diverged: boolean): void {
    this.#window.compared++
    if (diverged) this.#window.diverged++
  }

  /** Closes the current interval into the history ring (for latency plots over time). */
  roll (t: number): void {
    const w = this.#window
    if (w.primary.count === 0 && w.candidate.count === 0 && w.compared === 0) return
    this.history.push({
      t,
      primary: { p50: w.primary.quantile(0.5), p99: w.primary.quantile(0.99) },
      candidate: { p50: w.candidate.quantile(0.5), p99: w.candidate.quantile(0.99) },
      compared: w.compared,
      diverged: w.diverged
    })
    if (this.history.length > HISTORY_POINTS) this.history.shift()
    w.primary.reset()
    w.candidate.reset()
    w.compared = 0
    w.diverged = 0
  }
}
