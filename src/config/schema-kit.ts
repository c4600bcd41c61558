// A tiny declarative schema: every key has a type, a default and a description. One validator walks it,
// so the README table, config/example.yaml and runtime validation all come from the same declaration.

export type Spec =
  | { kind: 'string'; doc: string; default?: string | null; nullable?: boolean; pattern?: RegExp; patternDoc?: string }
  | { kind: 'boolean'; doc: string; default?: boolean }
  | { kind: 'number'; doc: string; default?: number; min?: number; max?: number; integer?: boolean }
  | { kind: 'enum'; doc: string; default?: string; values: readonly string[]; nullable?: boolean }
  | { kind: 'duration'; doc: string; default?: number; min?: number; max?: number }
  | { kind: 'size'; doc: string; default?: number; min?: number; max?: number }
  | { kind: 'list'; doc: string; default?: unknown[]; of: Spec; commaString?: boolean; maxItems?: number }
  | { kind: 'map'; doc: string; default?: Record<string, unknown>; of: Spec }
  | { kind: 'object'; doc: string; fields: Record<string, Spec>; nullable?: boolean; default?: null }
  | { kind: 'custom'; doc: string; default?: unknown; typeDoc: string; parse: (value: unknown) => unknown }

export class ConfigError extends Error {
  readonly key: string
  constructor (key: string, message: string) {
    super(`${key}: ${message}`)
    this.key = key
  }
}

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/
const DURATION_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i
const SIZE_UNIT: Record<string, number> = {
  b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3
}

/** Milliseconds from `250ms`, `5s`, `2m`, `1h` or a bare number of milliseconds. */
export function parseDuration (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = DURATION_RE.exec(value.trim())
  if (m === null) return undefined
  return Number(m[1]) * DURATION_UNIT[m[2] ?? 'ms']
}

/** Bytes from `512KiB`, `1MiB`, `10mb` or a bare number of bytes. */
export function parseSize (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = SIZE_RE.exec(value.trim())
  if (m === null) return undefined
  return Math.floor(Number(m[1]) * SIZE_UNIT[(m[2] ?? 'b').toLowerCase()])
}

function show (value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function range (min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`
  if (min !== undefined) return ` >= ${min}`
  if (max !== undefined) return ` <= ${max}`
  return ''
}

function checkRange (key: string, n: number, spec: { min?: number; max?: number }, what: string, raw: unknown): number {
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw new ConfigError(key, `must be ${what}${range(spec.min, spec.max)} (got ${show(raw)})`)
  }
  return n
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Validates `value` against `spec` and fills defaults. `key` is the dotted name used in errors;
 * `label` may rename the top of that path (a flag or env name when the value came from there).
 */
export function validate (spec: Spec, value: unknown, key: string): unknown {
  if (value === undefined) return defaultOf(spec, key)
  switch (spec.kind) {
    case 'string':
      if (value === null && spec.nullable === true) return null
      if (typeof value !== 'string') throw new ConfigError(key, `must be a string (got ${show(value)})`)
      if (spec.pattern !== undefined && !spec.pattern.test(value)) {
        throw new ConfigError(key, `must be ${spec.patternDoc ?? `like ${spec.pattern}`} (got ${show(value)})`)
      }
      return value
    case 'boolean':
      if (value === true || value === 'true') return true
      if (value === false || value === 'false') return false
      throw new ConfigError(key, `must be true or false (got ${show(value)})`)
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isFinite(n) || (spec.integer === true && !Number.isInteger(n))) {
        throw new ConfigError(key, `must be ${spec.integer === true ? 'an integer' : 'a number'}${range(spec.min, spec.max)} (got ${show(value)})`)
      }
      return checkRange(key, n, spec, spec.integer === true ? 'an integer' : 'a number', value)
    }
    case 'enum':
      if (value === null && spec.nullable === true) return null
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new ConfigError(key, `must be one of ${spec.values.join(', ')} (got ${show(value)})`)
      }
      return value
    case 'duration': {
      const ms = parseDuration(value)
      if (ms === undefined) throw new ConfigError(key, `must be a duration like 250ms, 5s or 2m (got ${show(value)})`)
      return checkRange(key, ms, spec, 'a duration in ms', value)
    }
    case 'size': {
      const bytes = parseSize(value)
      if (bytes === undefined) throw new ConfigError(key, `must be a size like 64KiB or 1MiB (got ${show(value)})`)
      return checkRange(key, bytes, spec, 'a size in bytes', value)
    }
    case 'list': {
      const items = typeof value === 'string' && spec.commaString === true
        ? value.split(',').map((s) => s.trim()).filter((s) => s !== '')
        : value
      if (!Array.isArray(items)) throw new ConfigError(key, `must be a list (got ${show(value)})`)
      if (spec.maxItems !== undefined && items.length > spec.maxItems) {
        throw new ConfigError(key, `must have at most ${spec.maxItems} items (got ${items.length})`)
      }
      return items.map((item, i) => validate(spec.of, item, `${key}[${i}]`))
    }
    case 'map': {
      if (!isPlainObject(value)) throw new ConfigError(key, `must be a mapping (got ${show(value)})`)
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = validate(spec.of, v, `${key}.${k}`)
      return out
    }
    case 'object': {
      if (value === null && spec.nullable === true) return null
      if (!isPlainObject(value)) throw new ConfigError(key, `must be a mapping (got ${show(value)})`)
      const prefix = key === '' ? '' : `${key}.`
      for (const k of Object.keys(value)) {
        if (!(k in spec.fields)) {
          const hint = closest(k, Object.keys(spec.fields))
          throw new ConfigError(`${prefix}${k}`, `unknown key${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`)
        }
      }
      const out: Record<string, unknown> = {}
      for (const [k, field] of Object.entries(spec.fields)) out[k] = validate(field, value[k], `${prefix}${k}`)
      return out
    }
    case 'custom':
      try {
        return spec.parse(value)
      } catch (err) {
        throw new ConfigError(key, (err as Error).message)
      }
  }
}

function defaultOf (spec: Spec, key: string): unknown {
  if (spec.kind === 'object') return spec.nullable === true ? null : validate(spec, {}, key)
  if (spec.kind === 'list') return structuredClone(spec.default ?? [])
  if (spec.kind === 'map') return structuredClone(spec.default ?? {})
  return spec.default === undefined ? null : structuredClone(spec.default)
}

function closest (word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestScore = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestScore) { best = c; bestScore = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

export interface DocRow { key: string; type: string; default: string; doc: string }

/** Flattens a schema into rows for the README's configuration table. */
export function docRows (spec: Spec, key = ''): DocRow[] {
  if (spec.kind === 'object') {
    const rows: DocRow[] = key === '' ? [] : [{ key, type: 'object', default: '', doc: spec.doc }]
    for (const [k, field] of Object.entries(spec.fields)) rows.push(...docRows(field, key === '' ? k : `${key}.${k}`))
    return rows
  }
  if (spec.kind === 'list' && spec.of.kind === 'object') {
    return [{ key, type: 'list', default: '[]', doc: spec.doc }, ...docRows(spec.of, `${key}[]`).filter((r) => r.key !== `${key}[]`)]
  }
  return [{ key, type: typeDoc(spec), default: defaultDoc(spec), doc: spec.doc }]
}

function typeDoc (spec: Spec): string {
  switch (spec.kind) {
    case 'enum': return spec.values.join(' \\| ')
    case 'list': return `list of ${typeDoc(spec.of)}`
    case 'map': return `map of ${typeDoc(spec.of)}`
    case 'custom': return spec.typeDoc
    case 'number': return `${spec.integer === true ? 'integer' : 'number'}${range(spec.min, spec.max)}`
    default: return spec.kind
  }
}

function defaultDoc (spec: Spec): string {
  const d = spec.default
  if (d === undefined || d === null) return ''
  if (spec.kind === 'duration') return formatDuration(d as number)
  if (spec.kind === 'size') return formatSize(d as number)
  return JSON.stringify(d)
}

export function formatDuration (ms: number): string {
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

export function formatSize (bytes: number): string {
  if (bytes !== 0 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`
  if (bytes !== 0 && bytes % 1024 === 0) return `${bytes / 1024}KiB`
  return `${bytes}`
}
