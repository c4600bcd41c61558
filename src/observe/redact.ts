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

/** pino redact paths: the same headers wherever a `headers` object appears in a log line. */
export const LOG_REDACT_PATHS: string[] = SECRET_HEADERS.flatMap((h) => [
  `headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`
])
