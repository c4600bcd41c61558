// Undoes Content-Encoding so bodies are compared as the application wrote them. Every step is bounded by
// `maxOutputLength`: zlib stops inflating and throws as soon as the output passes the bound, so a 10 KB zip
// bomb costs at most the bound in memory, never its full expansion.

import zlib from 'node:zlib'

export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024

export type Decoded = { ok: true; bytes: Uint8Array } | { ok: false; reason: string }

/** The codings of a Content-Encoding header in the order they were applied; `identity` dropped. */
export function contentCodings (header: string | string[] | undefined): string[] {
  if (header === undefined) return []
  const joined = Array.isArray(header) ? header.join(',') : header
  const codings: string[] = []
  for (const part of joined.split(',')) {
    const coding = part.trim().toLowerCase()
    if (coding !== '' && coding !== 'identity') codings.push(coding)
  }
  return codings
}

export function decodeBody (raw: Uint8Array, codings: readonly string[], maxBytes: number): Decoded {
  let bytes = raw
  // An empty body (HEAD, 204) carries the header of the body it would have had; there is nothing to undo.
  if (raw.byteLength === 0) return { ok: true, bytes }
  // Codings are listed in the order applied, so they are undone from last to first.
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!
    try {
      const out = decodeOne(bytes, coding, maxBytes)
      if (out === null) return { ok: false, reason: `unsupported content-encoding ${coding}` }
      bytes = out
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: `${coding}: decoded body over ${maxBytes} bytes` }
      return { ok: false, reason: `${coding}: ${(err as Error).message}` }
    }
  }
  if (bytes.byteLength > maxBytes) return { ok: false, reason: `body over ${maxBytes} bytes` }
  return { ok: true, bytes }
}

function decodeOne (bytes: Uint8Array, coding: string, maxOutputLength: number): Uint8Array | null {
  const opts = { maxOutputLength }
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(bytes, opts)
    case 'deflate':
      // RFC 9110 says zlib-wrapped, but enough servers send raw deflate that browsers accept both.
      return hasZlibHeader(bytes) ? zlib.inflateSync(bytes, opts) : zlib.inflateRawSync(bytes, opts)
    case 'br':
      return zlib.brotliDecompressSync(bytes, opts)
    case 'zstd':
      // zstd arrived in Node 23.8 / 22.15; on older runtimes a zstd body is reported as undecodable.
      return typeof zlib.zstdDecompressSync === 'function' ? zlib.zstdDecompressSync(bytes, opts) : null
    default:
      return null
  }
}

function hasZlibHeader (bytes: Uint8Array): boolean {
  if (bytes.byteLength < 2) return false
  const cmf = bytes[0]!
  const flg = bytes[1]!
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0
}
