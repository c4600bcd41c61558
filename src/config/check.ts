// Rules that span several keys, and the inheritance of route knobs from the default route.
import type { Config, RouteKnobs } from './schema.ts'
import { ConfigError } from './schema-kit.ts'
import { isLoopback } from './addresses.ts'
import { compileRules } from '../compare/compile-rules.ts'

type Raw = Record<string, unknown>

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Deep merge of plain objects; `over` wins, lists and scalars are replaced whole. */
export function mergeRaw (base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = mergeRaw(base[k], v)
  return out
}

/** Every route starts from the default route's raw knobs, so a route only states what differs. */
export function applyRouteDefaults (raw: Raw): Raw {
  if (!Array.isArray(raw.routes) || !isObject(raw.defaultRoute)) return raw
  const base = raw.defaultRoute
  return { ...raw, routes: raw.routes.map((r) => isObject(r) ? mergeRaw(base, r) : r) }
}

export function resolveMode (knobs: RouteKnobs, config: Config): void {
  if (knobs.mode === null) knobs.mode = config.candidate.length > 0 ? 'mirror' : 'off'
}

/** Checks that need more than one key. */
export function checkConfig (config: Config): void {
  if (config.primary.length === 0) throw new ConfigError('primary', 'is required (set --primary URL, SHADOWSPLIT_PRIMARY or primary: in the config file)')
  const admin = config.adminListen.host
  if (!isLoopback(admin) && config.admin.token === null && !config.admin.allowInsecure) {
    throw new ConfigError('adminListen', `binds ${admin}, which is not loopback: set --admin-token (SHADOWSPLIT_ADMIN_TOKEN), or admin.allowInsecure: true for an open admin port`)
  }
  if (config.secondary.length > 0 && config.candidate.length === 0) throw new ConfigError('secondary', 'needs a candidate to compare against (set --candidate URL)')
  if (config.capture.maxBytes < 2 * config.capture.bodyLimit) {
    throw new ConfigError('capture.maxBytes', `is ${config.capture.maxBytes} bytes, less than the two sides of one exchange at capture.bodyLimit (2 × ${config.capture.bodyLimit}): bodies that large could never be compared`)
  }
  const knobSets: Array<[string, RouteKnobs]> = [['defaultRoute', config.defaultRoute]]
  const names = new Set<string>(['default'])
  config.routes.forEach((route, i) => {
    if (names.has(route.name)) throw new ConfigError(`routes[${i}].name`, `'${route.name}' is already used`)
    names.add(route.name)
    knobSets.push([`routes[${i}]`, route])
  })
  for (const [key, knobs] of knobSets) {
    resolveMode(knobs, config)
    checkKnobs(key, knobs, config)
  }
}

export function checkKnobs (key: string, knobs: RouteKnobs, config: Config): void {
  if (knobs.mode !== 'off' && config.candidate.length === 0) {
    throw new ConfigError(`${key}.mode`, `'${knobs.mode}' needs a candidate (set --candidate URL)`)
  }
  try {
    compileRules(knobs.compare)
  } catch (err) {
    throw new ConfigError(`${key}.compare`, (err as Error).message.replace(/^compare rules: /, ''))
  }
}
