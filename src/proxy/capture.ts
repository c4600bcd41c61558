// Bounded copy of a body as it streams past. Chunks are copied (undici chunks are views into socket buffers)
// and joined once at the end into a dedicated buffer that can be transferred to a worker. Past the limit the
// copies are dropped and only the length and a SHA-256 of every byte are kept.
import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'

export interface CapturedBody {
  /** Every byte, or null when the body outgrew the limit. A dedicated (transferable) buffer. */
  bytes: Buffer | null
  length: number
  /** Hex SHA-256 of the whole body, present when `bytes` is null. */
  sha256: string | null
}

export const EMPTY_BODY: CapturedBody = { bytes: null, length: 0, sha256: null }

export class BodyCapture {
  readonly #limit: number
  #chunks: Buffer[] = []
  #length = 0
  #hash: Hash | null = null
  /** With a known length, every chunk is copied straight into its final place: one copy, no join. */
  #whole: Buffer | null = null

  constructor (limit: number) {
    this.#limit = limit
  }

  /** The body's announced length (content-length), when known before the first chunk. */
  expect (length: number): void {
    if (this.#length === 0 && Number.isInteger(length) && length > 0 && length <= this.#limit) this.#whole = Buffer.allocUnsafeSlow(length)
  }

  add (chunk: Uint8Array): void {
    const at = this.#length
    this.#length += chunk.length
    if (this.#hash !== null) {
      this.#hash.update(chunk)
      return
    }
    if (this.#whole !== null && this.#length <= this.#whole.length) {
      this.#whole.set(chunk, at)
      return
    }
    if (this.#whole !== null) this.#spill(at)
    if (this.#length <= this.#limit) {
      this.#chunks.push(Buffer.from(chunk))
      return
    }
    const hash = createHash('sha256')
    for (const c of this.#chunks) hash.update(c)
    hash.update(chunk)
    this.#hash = hash
    this.#chunks = []
  }

  /** More bytes than announced (only possible without strict framing): fall back to chunks. */
  #spill (upTo: number): void {
    this.#chunks = [this.#whole!.subarray(0, upTo)]
    this.#whole = null
  }

  get length (): number { return this.#length }

  finish (): CapturedBody {
    if (this.#hash !== null) return { bytes: null, length: this.#length, sha256: this.#hash.digest('hex') }
    if (this.#whole !== null) {
      const whole = this.#whole
      this.#whole = null
      return { bytes: this.#length === whole.length ? whole : joinDedicated([whole.subarray(0, this.#length)], this.#length), length: this.#length, sha256: null }
    }
    const bytes = joinDedicated(this.#chunks, this.#length)
    this.#chunks = []
    return { bytes, length: this.#length, sha256: null }
  }
}

/** One copy into memory of its own, never a slice of Node's shared buffer pool (which cannot be transferred). */
export function joinDedicated (chunks: readonly Uint8Array[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}
