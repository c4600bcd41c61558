// Secrets never leave the process: one place decides which header values are hidden in logs and samples.

export const REDACTED = '[redacted]'
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie']

export type HeaderMap = Record<string, string | string[] | undefined>

/** A copy of `headers` (lower-case names) with secret values replaced. */
export function redactHeaders (headers: HeaderMap, extra: ReadonlySet<string> = EMPTY): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[lower] = SECRET_HEADERS.includes(lower) || extra.has(lower)
      ? (Array.isArray(value) ? value.map(() => REDACTED) : REDACTED)
      : value
  }
  return out
}

const EMPTY: ReadonlySet<string> = new Set()

const SECRET_SET: ReadonlySet<string> = new Set(SECRET_HEADERS)
/** How deep below a log line's top level a `headers` object is still looked for (the line's own keys are depth 0). */
const LOG_HEADER_DEPTH = 3

/**
 * pino's `formatters.log`: a log line whose `headers` object (at the top, or up to three objects down, errors
 * included) holds a secret header, in any letter case, is written with that value replaced. The caller's objects
 * are never changed: what holds a secret is copied, the rest shared. A line without one is returned as it came, after
 * a walk of its object-valued keys. (pino's own `redact` with wildcard paths did the same at ~20 µs a line, because
 * it then routes every field of every line through its wildcard serializer; `npm run bench -- log-line`.)
 */
export function redactLogLine (line: Record<string, unknown>): Record<string, unknown> {
  return redactIn(line, 0) as Record<string, unknown>
}

function redactIn (obj: object, depth: number): object {
  let copy: Record<string, unknown> | null = null
  for (const key in obj) {
    const value = (obj as Record<string, unknown>)[key]
    if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) continue
    const next = key === 'headers' ? withoutSecrets(value) : depth < LOG_HEADER_DEPTH ? redactIn(value, depth + 1) : value
    if (next === value) continue
    copy ??= copyOf(obj)
    copy[key] = next
  }
  return copy ?? obj
}

function withoutSecrets (headers: object): object {
  let copy: Record<string, unknown> | null = null
  for (const name in headers) {
    if (!SECRET_SET.has(name.toLowerCase())) continue
    copy ??= copyOf(headers)
    copy[name] = REDACTED
  }
  return copy ?? headers
}

/** A shallow copy; an error stays an error (same prototype; message, stack and cause kept), for pino's err serializer. */
function copyOf (obj: object): Record<string, unknown> {
  if (!(obj instanceof Error)) return { ...obj }
  const e = Object.assign(Object.create(Object.getPrototypeOf(obj) as object) as Record<string, unknown>, obj)
  e.message = obj.message
  e.stack = obj.stack
  if (obj.cause !== undefined) e.cause = obj.cause
  return e
}
