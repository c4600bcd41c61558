// Builders of SideInput for the compare tests (not a test file itself).
import type { SideInput } from '../../src/compare/compare-sides.ts'

export interface SideOptions {
  status?: number
  error?: string | null
  headers?: Record<string, string | string[]>
}

export function side (body: string | Uint8Array | null, opts: SideOptions = {}): SideInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  return {
    status: opts.status ?? 200,
    error: opts.error ?? null,
    headers: opts.headers ?? {},
    body: bytes,
    length: bytes?.byteLength ?? 0,
    sha256: null
  }
}

/** A JSON response from raw JSON text (so keys such as `__proto__` survive as written). */
export function jsonText (text: string, headers: Record<string, string | string[]> = {}): SideInput {
  return side(text, { headers: { 'content-type': 'application/json', ...headers } })
}

export function json (value: unknown, headers: Record<string, string | string[]> = {}): SideInput {
  return jsonText(JSON.stringify(value), headers)
}
