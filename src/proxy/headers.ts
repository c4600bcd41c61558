// Header rewriting on the flat raw form [name, value, name, value …], which keeps duplicates, order and casing.

/**
 * Hop-by-hop request headers (RFC 9110 §7.6.1) plus what undici refuses or a proxy must consume itself:
 * `expect` is answered locally, proxy credentials are for us, `trailer` announces trailers we never send.
 */
const REQUEST_DROP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'trailer',
  'expect', 'proxy-authorization', 'http2-settings'
])

/** Hop-by-hop response headers; `proxy-authenticate` concerns the upstream's own proxy, not our client. */
const RESPONSE_DROP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'proxy-authenticate'
])

/** Header names listed in every `Connection` header of a raw list. */
function connectionTokens (raw: ReadonlyArray<string>): Set<string> | null {
  let tokens: Set<string> | null = null
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      tokens ??= new Set()
      for (const t of raw[i + 1].split(',')) {
        const name = t.trim().toLowerCase()
        if (name !== '') tokens.add(name)
      }
    }
  }
  return tokens
}

export interface ForwardedInfo {
  clientIp: string
  proto: 'http' | 'https'
  /** Replaces the client's Host header when set. */
  host: string | null
  /** Headers to drop on top of the hop-by-hop ones (lower-case), e.g. the target override header. */
  drop: ReadonlySet<string> | null
  /** Extra headers appended last, e.g. the shadow marker. */
  extra: ReadonlyArray<string> | null
}

/**
 * Headers for the upstream request: hop-by-hop and `Connection`-listed headers removed first (so a client
 * cannot strip the headers we add), then `x-forwarded-for/-proto/-host` appended to any the client sent.
 */
export function upstreamRequestHeaders (raw: ReadonlyArray<string>, info: ForwardedInfo): string[] {
  const listed = connectionTokens(raw)
  const out: string[] = []
  let xff: string | undefined
  let xfp: string | undefined
  let xfh: string | undefined
  let host: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const lower = name.toLowerCase()
    if (REQUEST_DROP.has(lower) || (listed !== null && listed.has(lower))) continue
    if (info.drop !== null && info.drop.has(lower)) continue
    const value = raw[i + 1]
    switch (lower) {
      case 'x-forwarded-for': xff = xff === undefined ? value : `${xff}, ${value}`; continue
      case 'x-forwarded-proto': xfp = xfp === undefined ? value : `${xfp}, ${value}`; continue
      case 'x-forwarded-host': xfh = xfh === undefined ? value : `${xfh}, ${value}`; continue
      case 'host':
        host = value
        if (info.host !== null) continue
    }
    out.push(name, value)
  }
  if (info.host !== null) out.push('host', info.host)
  out.push('x-forwarded-for', xff === undefined ? info.clientIp : `${xff}, ${info.clientIp}`)
  out.push('x-forwarded-proto', xfp === undefined ? info.proto : `${xfp}, ${info.proto}`)
  if (host !== undefined) out.push('x-forwarded-host', xfh === undefined ? host : `${xfh}, ${host}`)
  else if (xfh !== undefined) out.push('x-forwarded-host', xfh)
  if (info.extra !== null) out.push(...info.extra)
  return out
}

/** Response headers for the client, as latin1 strings (bytes preserved), hop-by-hop headers removed. */
export function clientResponseHeaders (raw: ReadonlyArray<Buffer | string>): string[] {
  const strings: string[] = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]
    strings[i] = typeof v === 'string' ? v : v.toString('latin1')
  }
  const listed = connectionTokens(strings)
  const out: string[] = []
  for (let i = 0; i < strings.length; i += 2) {
    const lower = strings[i].toLowerCase()
    if (RESPONSE_DROP.has(lower) || (listed !== null && listed.has(lower))) continue
    out.push(strings[i], strings[i + 1])
  }
  return out
}

/** Lower-case name → value(s), for comparison and samples. */
export function headerMap (raw: ReadonlyArray<string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    const prev = out[name]
    out[name] = prev === undefined ? raw[i + 1] : Array.isArray(prev) ? [...prev, raw[i + 1]] : [prev, raw[i + 1]]
  }
  return out
}

/** First value of a header in a raw list, case-insensitive. */
export function rawHeader (raw: ReadonlyArray<string>, lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lowerName.length && raw[i].toLowerCase() === lowerName) return raw[i + 1]
  }
  return undefined
}
