// Routes matched in order by method, path prefix, template, regex and headers; the first match wins and the
// default route takes the rest. Each route carries its live knobs and its mirror budget.
import type { IncomingMessage } from 'node:http'
import type { RouteConfig, RouteKnobs, RouteMatch } from '../config/schema.ts'
import { compileTemplate, matchTemplate } from '../analysis/endpoint-names.ts'
import { Budget } from '../shadow/budget.ts'
import { parseStickyBy } from './sticky-hash.ts'
import type { StickyKey } from './sticky-hash.ts'

type Matcher = (req: IncomingMessage, path: string) => boolean

function compileMatch (m: RouteMatch): Matcher {
  const tests: Matcher[] = []
  if (m.methods.length > 0) {
    const methods = new Set(m.methods)
    tests.push((req) => methods.has(req.method ?? ''))
  }
  if (m.prefix !== null) {
    const prefix = m.prefix
    tests.push((_req, path) => path.startsWith(prefix))
  }
  if (m.template !== null) {
    const t = compileTemplate(m.template)
    tests.push((_req, path) => matchTemplate(t, path.split('/').slice(1)))
  }
  if (m.regex !== null) {
    const re = new RegExp(m.regex)
    tests.push((_req, path) => re.test(path))
  }
  for (const [name, value] of Object.entries(m.headers)) {
    const lower = name.toLowerCase()
    tests.push(value === '*'
      ? (req) => req.headers[lower] !== undefined
      : (req) => req.headers[lower] === value)
  }
  if (tests.length === 0) return () => true
  return (req, path) => {
    for (const t of tests) if (!t(req, path)) return false
    return true
  }
}

export class LiveRoute {
  readonly name: string
  readonly matches: Matcher
  readonly budget: Budget
  #knobs: RouteKnobs
  #sticky: StickyKey | null
  #mirrorMethods: Set<string>

  constructor (name: string, match: RouteMatch | null, knobs: RouteKnobs, budget: Budget | null = null) {
    this.name = name
    this.matches = match === null ? () => true : compileMatch(match)
    this.budget = budget ?? new Budget(knobs.budget)
    this.budget.update(knobs.budget)
    this.#knobs = knobs
    this.#sticky = parseStickyBy(knobs.stickyBy)
    this.#mirrorMethods = new Set(knobs.mirrorMethods)
  }

  get knobs (): RouteKnobs { return this.#knobs }
  get sticky (): StickyKey | null { return this.#sticky }

  mirrors (method: string): boolean { return this.#mirrorMethods.has(method) }

  /** Applies validated knobs; budget state (in-flight count, circuit) carries over. */
  update (knobs: RouteKnobs): void {
    this.#knobs = knobs
    this.#sticky = parseStickyBy(knobs.stickyBy)
    this.#mirrorMethods = new Set(knobs.mirrorMethods)
    this.budget.update(knobs.budget)
  }
}

export const DEFAULT_ROUTE = 'default'

export class Router {
  readonly routes: LiveRoute[]
  readonly fallback: LiveRoute

  constructor (routes: RouteConfig[], defaults: RouteKnobs, previous: Router | null = null) {
    this.routes = routes.map(({ name, match, ...knobs }) => reuse(previous, name, match, knobs))
    this.fallback = reuse(previous, DEFAULT_ROUTE, null, defaults)
  }

  match (req: IncomingMessage, path: string): LiveRoute {
    for (const r of this.routes) if (r.matches(req, path)) return r
    return this.fallback
  }

  byName (name: string): LiveRoute | undefined {
    return name === DEFAULT_ROUTE ? this.fallback : this.routes.find((r) => r.name === name)
  }

  get all (): LiveRoute[] { return [...this.routes, this.fallback] }
}

/** On reload, a route that keeps its name keeps its budget state; its matcher and knobs are new. */
function reuse (previous: Router | null, name: string, match: RouteMatch | null, knobs: RouteKnobs): LiveRoute {
  return new LiveRoute(name, match, knobs, previous?.byName(name)?.budget ?? null)
}
