// Decides how two bodies are compared before anything is parsed: not at all (no-body status, identical
// bytes), by digest (a body was too large to capture), or decoded. Decoding happens here because the header
// comparison needs its outcome: content-encoding is only a difference when the bodies cannot both be decoded.

import { sameBytes } from './compare-bytes.ts'
import { contentCodings, decodeBody } from './decode-body.ts'
import type { SideInput } from './types.ts'

export type BodyPlan =
  | { mode: 'skip' }
  | { mode: 'digest' }
  | { mode: 'undecodable'; a: string | null; b: string | null }
  | { mode: 'decoded'; a: Uint8Array; b: Uint8Array }

export interface PlannedBodies {
  plan: BodyPlan
  /** True when both bodies decoded (or are identical under the same codings). */
  encodingsEquivalent: boolean
}

const SKIP: PlannedBodies = { plan: { mode: 'skip' }, encodingsEquivalent: false }

/** 1xx, 204 and 304 carry no body by definition (RFC 9110 §6.4.1); whatever bytes came are not content. */
export function hasNoBody (status: number): boolean {
  return status < 200 || status === 204 || status === 304
}

export function planBodies (a: SideInput, b: SideInput, maxDecodedBytes: number): PlannedBodies {
  if (hasNoBody(a.status) || hasNoBody(b.status)) return SKIP
  if (a.body === null || b.body === null) return { plan: { mode: 'digest' }, encodingsEquivalent: false }
  const ca = contentCodings(a.headers['content-encoding'])
  const cb = contentCodings(b.headers['content-encoding'])
  const sameCodings = ca.length === cb.length && ca.every((c, i) => c === cb[i])
  // The fast path: most mirrored pairs are byte-identical, and then nothing needs decoding or parsing.
  if (sameCodings && sameBytes(a.body, b.body)) return { plan: { mode: 'skip' }, encodingsEquivalent: true }
  const da = decodeBody(a.body, ca, maxDecodedBytes)
  const db = decodeBody(b.body, cb, maxDecodedBytes)
  if (da.ok && db.ok) return { plan: { mode: 'decoded', a: da.bytes, b: db.bytes }, encodingsEquivalent: true }
  return {
    plan: { mode: 'undecodable', a: da.ok ? null : da.reason, b: db.ok ? null : db.reason },
    encodingsEquivalent: false
  }
}
