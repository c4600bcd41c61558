// Bounded copy of a body as it streams past. Chunks are copied (undici chunks are views into socket buffers)
// and joined once at the end into a dedicated buffer that can be transferred to a worker. Past the limit the
// copies are dropped and only the length and a SHA-256 of every byte are kept. Every byte kept is taken from a
// CaptureLedger shared by all captures, so that what the proxy holds for comparison stays under one bound however
// many exchanges are in flight, queued or at a worker; a capture that finds no room keeps nothing (`dropped`).
import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'

export interface CapturedBody {
  /** Every byte, or null when the body outgrew the limit (or was dropped). A dedicated (transferable) buffer. */
  bytes: Buffer | null
  length: number
  /** Hex SHA-256 of the whole body, present when it outgrew the limit. */
  sha256: string | null
  /** The ledger had no room for it: nothing was kept, and the exchange cannot be compared. */
  dropped: boolean
  /** Bytes taken from the ledger for it, until CaptureLedger.release gives them back. */
  held: number
}

export const EMPTY_BODY: CapturedBody = Object.freeze({ bytes: null, length: 0, sha256: null, dropped: false, held: 0 })

/** The captured bytes the proxy holds at once, against a live limit (capture.maxBytes). */
export class CaptureLedger {
  readonly #limit: () => number
  #used = 0

  constructor (limit: () => number) {
    this.#limit = limit
  }

  get used (): number { return this.#used }

  /** Whether `bytes` more would fit now. */
  fits (bytes: number): boolean {
    return this.#used + bytes <= this.#limit()
  }

  take (bytes: number): boolean {
    if (!this.fits(bytes)) return false
    this.#used += bytes
    return true
  }

  give (bytes: number): void {
    this.#used -= bytes
  }

  /** Gives back what a finished capture holds; a second call gives nothing. */
  release (body: CapturedBody): void {
    if (body.held === 0) return
    this.#used -= body.held
    body.held = 0
  }
}

export class BodyCapture {
  readonly #limit: number
  readonly #ledger: CaptureLedger | null
  #chunks: Buffer[] = []
  #length = 0
  #hash: Hash | null = null
  /** With a known length, every chunk is copied straight into its final place: one copy, no join. */
  #whole: Buffer | null = null
  #held = 0
  #dropped = false

  constructor (limit: number, ledger: CaptureLedger | null = null) {
    this.#limit = limit
    this.#ledger = ledger
  }

  /** The body's announced length (content-length), when known before the first chunk. */
  expect (length: number): void {
    if (this.#length === 0 && Number.isInteger(length) && length > 0 && length <= this.#limit && this.#take(length)) this.#whole = Buffer.allocUnsafeSlow(length)
  }

  add (chunk: Uint8Array): void {
    const at = this.#length
    this.#length += chunk.length
    if (this.#dropped) return
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
      if (this.#take(chunk.length)) this.#chunks.push(Buffer.from(chunk))
      return
    }
    const hash = createHash('sha256')
    for (const c of this.#chunks) hash.update(c)
    hash.update(chunk)
    this.#hash = hash
    this.#chunks = []
    this.#giveBack()
  }

  /** Takes room for `bytes` more from the ledger; without it, drops everything kept and keeps nothing more. */
  #take (bytes: number): boolean {
    if (this.#ledger === null) return true
    if (this.#ledger.take(bytes)) {
      this.#held += bytes
      return true
    }
    this.#dropped = true
    this.#chunks = []
    this.#whole = null
    this.#giveBack()
    return false
  }

  #giveBack (): void {
    this.#ledger?.give(this.#held)
    this.#held = 0
  }

  /** More bytes than announced (only possible without strict framing): fall back to chunks. */
  #spill (upTo: number): void {
    this.#chunks = [this.#whole!.subarray(0, upTo)]
    this.#whole = null
  }

  get length (): number { return this.#length }

  /** The exchange failed or was abandoned: what was kept goes back to the ledger. */
  discard (): void {
    this.#chunks = []
    this.#whole = null
    this.#giveBack()
  }

  finish (): CapturedBody {
    const held = this.#held
    this.#held = 0
    if (this.#dropped) return { bytes: null, length: this.#length, sha256: null, dropped: true, held: 0 }
    if (this.#hash !== null) return { bytes: null, length: this.#length, sha256: this.#hash.digest('hex'), dropped: false, held: 0 }
    if (this.#whole !== null) {
      const whole = this.#whole
      this.#whole = null
      return { bytes: this.#length === whole.length ? whole : joinDedicated([whole.subarray(0, this.#length)], this.#length), length: this.#length, sha256: null, dropped: false, held }
    }
    const bytes = joinDedicated(this.#chunks, this.#length)
    this.#chunks = []
    return { bytes, length: this.#length, sha256: null, dropped: false, held }
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
