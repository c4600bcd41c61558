// Prometheus metrics. Every label value is bounded: endpoint names are capped, methods and status classes are
// folded into small fixed sets, and per-request label lookups go through a cache of bound children. The series
// updated on every request are FastCounter/FastHistogram (fast-metrics.ts); the rest are prom-client's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { HTTP_METHODS } from '../config/schema.ts'
import { FastCounter, FastHistogram } from './fast-metrics.ts'

export type Target = 'primary' | 'candidate' | 'secondary'
export type Served = 'client' | 'shadow'

export const SKIP_REASONS = [
  'sampled_out', 'method', 'concurrency', 'rate', 'circuit_open', 'body_too_large', 'diff_queue_full', 'loop',
  'request_incomplete'
] as const
export type SkipReason = typeof SKIP_REASONS[number]

/** One set of buckets for every target, so primary and candidate latencies compare bucket for bucket. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
export const DELTA_BUCKETS = [...DURATION_BUCKETS.slice(0, 12).map((b) => -b).reverse(), 0, ...DURATION_BUCKETS.slice(0, 12)]

const METHODS = new Set<string>(HTTP_METHODS)

export function methodLabel (method: string): string {
  return METHODS.has(method) ? method : 'OTHER'
}

export function statusClass (status: number): string {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`
  return 'error'
}

/** What the gauges read at scrape time. */
export interface RouteState {
  name: string
  inflight: number
  circuitOpen: boolean
}

interface RequestChildren {
  count: { inc: () => void }
  duration: { observe: (value: number) => void }
}

export class Metrics {
  readonly registry = new Registry()
  readonly requests: FastCounter
  readonly duration: FastHistogram
  readonly rejected: Counter<string>
  readonly clientRequests: Counter<string>
  readonly skipped: Counter<string>
  readonly delta: FastHistogram
  readonly exchanges: FastCounter
  readonly diffs: FastCounter
  readonly divergentFields: FastCounter
  readonly divergences: FastCounter
  readonly diffDuration: Histogram<string>
  readonly samplesSkipped: Counter<string>
  readonly cpuReleases: Counter
  #queueDepth: () => number = () => 0
  #boundCpu: () => number = () => -1
  #captured: () => number = () => 0
  readonly #children = new Map<string, RequestChildren>()
  readonly #skipChildren = new Map<string, { inc: () => void }>()
  #routes: () => RouteState[] = () => []
  #clientTotal = 0
  #shadowTotal = 0

  constructor () {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.requests = new FastCounter({
      name: 'shadowsplit_requests_total',
      help: 'Upstream requests by target, by who consumed the answer (client or shadow), endpoint, method and status class (`error` when no response came).',
      labelNames: ['target', 'served', 'endpoint', 'method', 'status_class'],
      registers
    })
    this.duration = new FastHistogram({
      name: 'shadowsplit_upstream_duration_seconds',
      help: 'Time from sending a request upstream to the last byte of its response; same buckets for every target.',
      labelNames: ['target', 'served', 'endpoint'],
      buckets: DURATION_BUCKETS,
      registers
    })
    this.rejected = new Counter({
      name: 'shadowsplit_rejected_requests_total',
      help: 'Client requests answered by shadowsplit itself, by reason (malformed, upstream_unavailable, upstream_timeout, draining).',
      labelNames: ['reason'],
      registers
    })
    this.clientRequests = new Counter({
      name: 'shadowsplit_client_requests_total',
      help: 'Requests received from clients.',
      registers
    })
    this.skipped = new Counter({
      name: 'shadowsplit_mirror_skipped_total',
      help: 'Mirror copies not sent, by reason: sampled_out, method, concurrency, rate, circuit_open, body_too_large, diff_queue_full (the compare queue is full), loop, request_incomplete (the request body never arrived whole).',
      labelNames: ['reason'],
      registers
    })
    for (const reason of SKIP_REASONS) this.#skipChildren.set(reason, this.skipped.labels(reason))
    this.delta = new FastHistogram({
      name: 'shadowsplit_latency_delta_seconds',
      help: 'Candidate minus primary duration for the same request (negative: the candidate was faster).',
      labelNames: ['endpoint'],
      buckets: DELTA_BUCKETS,
      registers
    })
    this.exchanges = new FastCounter({
      name: 'shadowsplit_exchanges_total',
      help: 'Mirrored exchanges with both sides complete, handed to comparison.',
      labelNames: ['endpoint'],
      registers
    })
    this.diffs = new FastCounter({
      name: 'shadowsplit_diffs_total',
      help: 'Exchanges by comparison result: match, diverge, noise_only (every difference explained by noise), error (a side without response, or the comparison failed), skipped (dropped before comparison).',
      labelNames: ['endpoint', 'result'],
      registers
    })
    this.divergentFields = new FastCounter({
      name: 'shadowsplit_divergent_fields_total',
      help: 'Divergent requests by field path (index-free, capped per endpoint with `other`) and kind (status, header, body).',
      labelNames: ['endpoint', 'path', 'kind'],
      registers
    })
    this.divergences = new FastCounter({
      name: 'shadowsplit_divergences_total',
      help: 'Divergent requests by their worst change: status > schema > value > header.',
      labelNames: ['endpoint', 'class'],
      registers
    })
    this.diffDuration = new Histogram({
      name: 'shadowsplit_diff_duration_seconds',
      help: 'Time a worker spent comparing one exchange.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers
    })
    this.cpuReleases = new Counter({
      name: 'shadowsplit_compare_cpu_releases_total',
      help: 'Times the main thread and the compare workers were released from their CPU (compare.cpu: shared) because the main thread kept waiting for it while another CPU sat idle.',
      registers
    })
    this.samplesSkipped = new Counter({
      name: 'shadowsplit_samples_skipped_total',
      help: 'Divergent exchanges not kept as samples, by reason: rate (per-endpoint limit), queue_full, failed.',
      labelNames: ['reason'],
      registers
    })
    const self = this
    new Gauge({
      name: 'shadowsplit_compare_queue_depth',
      help: 'Exchanges waiting for a compare worker.',
      registers,
      collect () { this.set(self.#queueDepth()) }
    })
    new Gauge({
      name: 'shadowsplit_capture_bytes',
      help: 'Response bytes kept for comparison right now (in flight, queued, at a worker or becoming a sample); capture.maxBytes bounds it.',
      registers,
      collect () { this.set(self.#captured()) }
    })
    new Gauge({
      name: 'shadowsplit_compare_cpu',
      help: 'The CPU the main thread and the compare workers are bound to (compare.cpu: shared); -1 when not bound (spread, released because the main thread kept waiting for it, or not possible here).',
      registers,
      collect () { this.set(self.#boundCpu()) }
    })
    new Gauge({
      name: 'shadowsplit_candidate_inflight',
      help: 'Shadow requests in flight (to the candidate, or to the primary for reverse shadows).',
      registers,
      collect () { this.set(self.#routes().reduce((n, r) => n + r.inflight, 0)) }
    })
    new Gauge({
      name: 'shadowsplit_circuit_open',
      help: '1 while the circuit breaker of a route\'s mirror target is open.',
      labelNames: ['route'],
      registers,
      collect () {
        this.reset()
        for (const r of self.#routes()) this.set({ route: r.name }, r.circuitOpen ? 1 : 0)
      }
    })
    new Gauge({
      name: 'shadowsplit_mirror_cost_ratio',
      help: 'Extra upstream requests (shadow copies) per client request since start: the cost of parallel running.',
      registers,
      collect () { this.set(self.#clientTotal === 0 ? 0 : self.#shadowTotal / self.#clientTotal) }
    })
  }

  countClientRequest (): void {
    this.#clientTotal++
    this.clientRequests.inc()
  }

  /** One finished upstream exchange. `seconds` < 0 means no timing (no response). */
  observeUpstream (target: Target, served: Served, endpoint: string, method: string, status: number, seconds: number): void {
    if (served === 'shadow') this.#shadowTotal++
    const m = methodLabel(method)
    const cls = statusClass(status)
    const key = `${target}\u0000${served}\u0000${endpoint}\u0000${m}\u0000${cls}`
    let child = this.#children.get(key)
    if (child === undefined) {
      child = {
        count: this.requests.child(target, served, endpoint, m, cls),
        duration: this.duration.child(target, served, endpoint)
      }
      this.#children.set(key, child)
    }
    child.count.inc()
    if (seconds >= 0) child.duration.observe(seconds)
  }

  /** Where the route gauges read their state. */
  routesFrom (source: () => RouteState[]): void {
    this.#routes = source
  }

  queueFrom (depth: () => number): void {
    this.#queueDepth = depth
  }

  /** Where the capture_bytes gauge reads what the captures hold. */
  capturedFrom (bytes: () => number): void {
    this.#captured = bytes
  }

  /** Where the compare_cpu gauge reads the bound CPU. */
  cpuFrom (cpu: () => number): void {
    this.#boundCpu = cpu
  }

  diff (endpoint: string, result: string): void {
    this.diffs.inc({ endpoint, result })
  }

  divergentField (endpoint: string, path: string, kind: string): void {
    this.divergentFields.inc({ endpoint, path, kind })
  }

  divergence (endpoint: string, cls: string): void {
    this.divergences.inc({ endpoint, class: cls })
  }

  skip (reason: SkipReason): void {
    this.#skipChildren.get(reason)?.inc()
  }

  exchange (endpoint: string, candidateMinusPrimarySeconds: number | null): void {
    this.exchanges.inc({ endpoint })
    if (candidateMinusPrimarySeconds !== null) this.delta.observe({ endpoint }, candidateMinusPrimarySeconds)
  }

  reject (reason: string): void {
    this.rejected.inc({ reason })
  }

  async render (): Promise<string> {
    return await this.registry.metrics()
  }

  get contentType (): string {
    return this.registry.contentType
  }
}
