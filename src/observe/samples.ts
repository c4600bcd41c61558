// Recent divergent exchanges for people to look at, bounded by count, by bytes, and by a per-endpoint rate
// (which also bounds the cost of building readable changesets). Least recently used samples go first.
// The rate is a token bucket per endpoint: it holds up to perEndpointPerMinute samples and refills at that many per
// minute, continuously. A window reset every minute admitted its whole budget at once each time, and a sample's
// changeset is the slow part of comparing (json-diff-ts; ~10 ms for a 20 KB pair in the worker's profile under
// load): on the compare-e2e bench (every exchange divergent) 60 of them in a row every minute backed the compare
// queue up to its limit, and each of four runs dropped comparisons (diff_queue_full, up to 830 in a round). With
// the bucket, three runs dropped none in 13 of their 15 rounds (87 in one, 2,045 in one that shared the machine
// with another benchmark).
import { LRUCache } from 'lru-cache'
import type { Sample } from '../admin/api-contract.ts'
import { REDACTED } from './redact.ts'

export interface SampleOptions { max: number; maxBytes: number; perEndpointPerMinute: number }

/** Query parameters named like a redacted field keep their name, lose their value. */
export function redactUrl (url: string, fields: ReadonlySet<string>): string {
  const q = url.indexOf('?')
  if (q < 0 || fields.size === 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  let changed = false
  for (const key of [...params.keys()]) {
    if (fields.has(key.toLowerCase())) { params.set(key, REDACTED); changed = true }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url
}

export class SampleStore {
  #cache: LRUCache<string, Sample>
  #options: SampleOptions
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  #seq = 0

  constructor (options: SampleOptions) {
    this.#options = options
    this.#cache = this.#build(options)
  }

  #build (o: SampleOptions): LRUCache<string, Sample> {
    return new LRUCache<string, Sample>({
      max: Math.max(1, o.max),
      maxSize: Math.max(1, o.maxBytes),
      sizeCalculation: (s) => Math.max(1, JSON.stringify(s).length)
    })
  }

  /** The endpoint's bucket, refilled up to `now` (a clock that steps back refills nothing). Starts full. */
  #bucket (endpoint: string, now: number): { tokens: number; at: number } {
    const perMinute = this.#options.perEndpointPerMinute
    let b = this.#buckets.get(endpoint)
    if (b === undefined) {
      b = { tokens: perMinute, at: now }
      this.#buckets.set(endpoint, b)
    } else if (now > b.at) {
      b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000)
      b.at = now
    }
    return b
  }

  /** Would a sample of this endpoint be admitted now? Consumes nothing. */
  wouldAdmit (endpoint: string, now = Date.now()): boolean {
    if (this.#options.max === 0 || this.#options.maxBytes === 0) return false
    return this.#bucket(endpoint, now).tokens >= 1
  }

  /** May another sample of this endpoint be built now? Takes one from the endpoint's bucket. */
  admit (endpoint: string, now = Date.now()): boolean {
    if (!this.wouldAdmit(endpoint, now)) return false
    this.#bucket(endpoint, now).tokens -= 1
    return true
  }

  nextId (): string {
    return `s${Date.now().toString(36)}-${(++this.#seq).toString(36)}`
  }

  add (sample: Sample): void {
    this.#cache.set(sample.id, sample)
  }

  get (id: string): Sample | undefined {
    return this.#cache.get(id)
  }

  /** Newest first; `path` matches a reported difference's index-free path. */
  list (filter: { endpoint?: string; path?: string; limit: number }): Sample[] {
    const out: Sample[] = []
    const all = [...this.#cache.values()].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id.localeCompare(a.id)))
    for (const s of all) {
      if (filter.endpoint !== undefined && s.endpoint !== filter.endpoint) continue
      if (filter.path !== undefined && !s.differences.some((d) => d.path === filter.path)) continue
      out.push(s)
      if (out.length >= filter.limit) break
    }
    return out
  }

  get size (): number { return this.#cache.size }
  get bytes (): number { return this.#cache.calculatedSize }

  reset (): void {
    this.#cache.clear()
    this.#buckets.clear()
  }
}
