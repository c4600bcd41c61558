// Recent divergent exchanges for people to look at, bounded by count, by bytes, and by a per-endpoint rate
// (which also bounds the cost of building readable changesets). Least recently used samples go first.
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
  readonly #windows = new Map<string, { start: number; count: number }>()
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

  #window (endpoint: string, now: number): { start: number; count: number } {
    let w = this.#windows.get(endpoint)
    if (w === undefined || now - w.start >= 60_000) {
      w = { start: now, count: 0 }
      this.#windows.set(endpoint, w)
    }
    return w
  }

  /** Would a sample of this endpoint be admitted now? Consumes nothing. */
  wouldAdmit (endpoint: string, now = Date.now()): boolean {
    if (this.#options.max === 0 || this.#options.maxBytes === 0) return false
    return this.#window(endpoint, now).count < this.#options.perEndpointPerMinute
  }

  /** May another sample of this endpoint be built now? Consumes one from the endpoint's minute budget. */
  admit (endpoint: string, now = Date.now()): boolean {
    if (!this.wouldAdmit(endpoint, now)) return false
    this.#window(endpoint, now).count++
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
    this.#windows.clear()
  }
}
