// Parsers for listen addresses and upstream origins; they throw plain messages that the schema prefixes with the key.

export interface ListenAddress { host: string; port: number }

export function parseListen (value: unknown): ListenAddress {
  if (typeof value === 'number') value = String(value)
  if (typeof value !== 'string') throw new Error(`must be HOST:PORT (got ${JSON.stringify(value)})`)
  const text = value.trim()
  let host: string
  let portText: string
  const bracketed = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text)
  if (bracketed !== null) {
    host = bracketed[1]
    portText = bracketed[2]
  } else if (/^\d+$/.test(text)) {
    host = '0.0.0.0'
    portText = text
  } else {
    const i = text.lastIndexOf(':')
    if (i < 0 || text.indexOf(':') !== i) throw new Error(`must be HOST:PORT, with IPv6 hosts in brackets (got '${text}')`)
    host = text.slice(0, i) === '' ? '0.0.0.0' : text.slice(0, i)
    portText = text.slice(i + 1)
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 0 && port <= 65535)) throw new Error(`port must be between 0 and 65535 (got '${portText}')`)
  return { host, port }
}

export function formatListen (addr: ListenAddress): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`
}

/** An upstream origin: http or https, a host, an optional port, nothing else. */
export function parseOrigin (value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`must be a URL like http://host:port (got ${JSON.stringify(value)})`)
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw new Error(`is not a valid URL (got '${value}')`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must use http or https (got '${value}')`)
  if (url.hostname === '') throw new Error(`has no host (got '${value}')`)
  if (url.username !== '' || url.password !== '') throw new Error(`must not carry credentials (got '${url.protocol}//…@${url.host}')`)
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new Error(`must be an origin without path, query or fragment (got '${value}')`)
  }
  return url.origin
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i

export function isLoopback (host: string): boolean {
  return LOOPBACK.test(host)
}
