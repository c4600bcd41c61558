// Request paths become bounded endpoint names: configured templates first, then id-like segments become `:id`,
// and past `maxEndpoints` distinct names everything else is `other`. Query strings never reach a name.
import { LRUCache } from 'lru-cache'

export const OTHER_ENDPOINT = 'other'

const NUMERIC = /^\d+$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const LONG_HEX = /^[0-9a-f]{12,}$/i

interface Template { name: string; segments: string[]; rest: boolean }

export function compileTemplate (template: string): Template {
  const segments = template.split('/').slice(1)
  const rest = segments.at(-1) === '*'
  return { name: template, segments: rest ? segments.slice(0, -1) : segments, rest }
}

export function matchTemplate (t: Template, segments: string[]): boolean {
  if (t.rest ? segments.length < t.segments.length : segments.length !== t.segments.length) return false
  for (let i = 0; i < t.segments.length; i++) {
    const want = t.segments[i]
    if (want.startsWith(':') ? segments[i] === '' : want !== segments[i]) return false
  }
  return true
}

/** The path part of a request target, without query or fragment. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path === '' ? '/' : path
}

export function autoName (path: string): string {
  const segments = path.split('/')
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]
    if (NUMERIC.test(s) || UUID.test(s) || LONG_HEX.test(s)) segments[i] = ':id'
  }
  return segments.join('/')
}

export class EndpointNamer {
  readonly #templates: Template[]
  readonly #known = new Set<string>()
  readonly #max: number
  readonly #cache = new LRUCache<string, string>({ max: 10_000 })

  constructor (templates: string[], maxEndpoints: number) {
    this.#templates = templates.map(compileTemplate)
    this.#max = maxEndpoints
  }

  /** Endpoint name of a path (no query string). */
  name (path: string): string {
    const cached = this.#cache.get(path)
    if (cached !== undefined) return cached
    const name = this.#admit(this.#template(path) ?? autoName(path))
    this.#cache.set(path, name)
    return name
  }

  #template (path: string): string | undefined {
    if (this.#templates.length === 0) return undefined
    const segments = path.split('/').slice(1)
    for (const t of this.#templates) if (matchTemplate(t, segments)) return t.name
    return undefined
  }

  #admit (name: string): string {
    if (this.#known.has(name)) return name
    if (this.#known.size >= this.#max) return OTHER_ENDPOINT
    this.#known.add(name)
    return name
  }

  get size (): number { return this.#known.size }
}
