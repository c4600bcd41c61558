// Bounded latency summaries: log-spaced buckets (about 4 % wide) from 0.05 ms to 5 min, so quantiles cost a
// scan of a small array and memory never grows with traffic.

const MIN_MS = 0.05
const GROWTH = 1.04
const BUCKETS = Math.ceil(Math.log(300_000 / MIN_MS) / Math.log(GROWTH)) + 1
const LOG_GROWTH = Math.log(GROWTH)

export class LatencySketch {
  readonly #counts = new Uint32Array(BUCKETS)
  #total = 0

  add (ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH))
    this.#counts[i]++
    this.#total++
  }

  get count (): number { return this.#total }

  /** Upper edge of the bucket holding quantile q, in ms; null when empty. */
  quantile (q: number): number | null {
    if (this.#total === 0) return null
    const rank = Math.max(1, Math.ceil(q * this.#total))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]
      if (seen >= rank) return Number((MIN_MS * GROWTH ** i).toPrecision(3))
    }
    return null
  }

  reset (): void {
    this.#counts.fill(0)
    this.#total = 0
  }
}
