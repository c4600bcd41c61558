// Bodies with no structure we understand, and bodies too large to have been captured, are compared by length
// and SHA-256. Hashes are computed only once the bytes are known to differ, to render them in the sample.

import { createHash } from 'node:crypto'
import { Buffer } from 'node:buffer'
import type { DifferenceList } from './difference-list.ts'
import type { SideInput } from './types.ts'

export const BYTES_PATH = 'body:bytes'

export function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

export function compareBytes (a: Uint8Array, b: Uint8Array, out: DifferenceList): void {
  if (sameBytes(a, b)) return
  out.body(BYTES_PATH, 'body', 'changed', 'value', digestText(a.byteLength, sha256Hex(a)), digestText(b.byteLength, sha256Hex(b)))
}

/**
 * At least one body was too large to capture: compare the raw (still encoded) bytes by length and hash, the
 * only thing the proxy kept. A sha256 missing where it should be is compared as unknown, i.e. different.
 */
export function compareDigests (a: SideInput, b: SideInput, out: DifferenceList): void {
  const da = rawDigest(a)
  const db = rawDigest(b)
  if (a.length === b.length && da !== null && da === db) return
  out.body(BYTES_PATH, 'body', 'changed', 'value', digestText(a.length, da), digestText(b.length, db))
}

function rawDigest (side: SideInput): string | null {
  return side.body !== null ? sha256Hex(side.body) : side.sha256?.toLowerCase() ?? null
}

function digestText (length: number, sha: string | null): string {
  return `${length} bytes, sha256 ${sha ?? 'unknown'}`
}
