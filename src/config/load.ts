// Config from file < env < flags, validated once against the schema; errors name the flag, env var or key.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { configSpec } from './schema.ts'
import type { Config } from './schema.ts'
import { ConfigError, validate } from './schema-kit.ts'
import { applyRouteDefaults, checkConfig } from './check.ts'

export interface FlagDef {
  flag: string
  /** Config path the flag sets; absent for flags that only steer loading (`--config`). */
  path?: string[]
  doc: string
  boolean?: boolean
}

export const FLAGS: FlagDef[] = [
  { flag: 'config', doc: 'YAML or JSON config file' },
  { flag: 'primary', path: ['primary'], doc: 'primary origin(s), comma-separated' },
  { flag: 'candidate', path: ['candidate'], doc: 'candidate origin(s), comma-separated' },
  { flag: 'secondary', path: ['secondary'], doc: 'another primary instance for noise learning: origin(s), or `primary`' },
  { flag: 'listen', path: ['listen'], doc: 'proxy listener HOST:PORT (default 0.0.0.0:8080)' },
  { flag: 'admin-listen', path: ['adminListen'], doc: 'admin server HOST:PORT (default 127.0.0.1:9901)' },
  { flag: 'admin-token', path: ['admin', 'token'], doc: 'bearer token for the admin API (needed when the admin port is not loopback)' },
  { flag: 'admin-allow-insecure', path: ['admin', 'allowInsecure'], doc: 'true to allow a non-loopback admin port without a token' },
  { flag: 'mode', path: ['defaultRoute', 'mode'], doc: 'default route mode: mirror|split|off' },
  { flag: 'mirror-percent', path: ['defaultRoute', 'mirrorPercent'], doc: 'default route mirror share, 0-100 (default 100)' },
  { flag: 'split-percent', path: ['defaultRoute', 'splitPercent'], doc: 'default route share served by the candidate, 0-100 (default 0)' },
  { flag: 'sticky-by', path: ['defaultRoute', 'stickyBy'], doc: 'split stickiness: header:NAME or cookie:NAME' },
  { flag: 'log-level', path: ['logLevel'], doc: 'fatal|error|warn|info|debug|trace|silent (default info)' }
]

export function envName (flag: string): string {
  return `SHADOWSPLIT_${flag.replaceAll('-', '_').toUpperCase()}`
}

type Raw = Record<string, unknown>

function setPath (target: Raw, path: string[], value: unknown): void {
  let node = target
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {}
    node = node[part] as Raw
  }
  node[path[path.length - 1]] = value
}

export function readConfigFile (file: string, label = '--config'): Raw {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new ConfigError(`${label} ${file}`, `cannot read file (${e.code ?? e.message})`)
  }
  let data: unknown
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    const first = (err as Error).message.split('\n')[0]
    throw new ConfigError(`${label} ${file}`, `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${first}`)
  }
  if (data === null || data === undefined) return {}
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`${label} ${file}`, 'must hold a mapping of keys')
  return data as Raw
}

export interface LoadInput {
  flags: Record<string, string | undefined>
  env: NodeJS.ProcessEnv
}

export interface Loaded {
  config: Config
  file: string | null
}

/** Builds and validates the whole config. Throws ConfigError naming the offending flag, env var or key. */
export function loadConfig ({ flags, env }: LoadInput): Loaded {
  const file = flags.config ?? (env[envName('config')] || null)
  const raw: Raw = file === null ? {} : readConfigFile(file)
  const origin = new Map<string, string>()
  for (const def of FLAGS) {
    if (def.path === undefined) continue
    const fromFlag = flags[def.flag]
    // An empty variable counts as unset, as shells and compose files often leave them.
    const fromEnv = env[envName(def.flag)] === '' ? undefined : env[envName(def.flag)]
    const value = fromFlag ?? fromEnv
    if (value === undefined) continue
    setPath(raw, def.path, value)
    origin.set(def.path.join('.'), fromFlag !== undefined ? `--${def.flag}` : envName(def.flag))
  }
  try {
    const withRoutes = applyRouteDefaults(raw)
    const config = validate(configSpec, withRoutes, '') as Config
    checkConfig(config)
    return { config, file }
  } catch (err) {
    if (err instanceof ConfigError) throw relabel(err, origin)
    throw err
  }
}

function relabel (err: ConfigError, origin: Map<string, string>): ConfigError {
  for (const [path, label] of origin) {
    if (err.key === path || err.key.startsWith(`${path}[`) || err.key.startsWith(`${path}.`)) {
      return new ConfigError(label, err.message.slice(err.key.length + 2))
    }
  }
  return err
}
