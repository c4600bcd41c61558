// Bounded copy of a body as it streams past. Chunks are copied (undici chunks are views into socket buffers)
// into memory shared with the compare workers (sharedBytes): a body then reaches a worker by reference, with
// neither a copy nor a transfer. Past the limit the copies are dropped and only the length and a SHA-256 of
// every byte are kept.
import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'

export interface CapturedBody {
  /** Every byte, or null when the body outgrew the limit. A view into shared memory (sharedBytes). */
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
    if (this.#length === 0 && Number.isInteger(length) && length > 0 && length <= this.#limit) this.#whole = sharedBytes(length)
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
      return { bytes: this.#length === whole.length ? whole : join([whole.subarray(0, this.#length)], sharedBytes(this.#length)), length: this.#length, sha256: null }
    }
    const bytes = join(this.#chunks, sharedBytes(this.#length))
    this.#chunks = []
    return { bytes, length: this.#length, sha256: null }
  }
}

const SLAB_BYTES = 1024 * 1024
let slab: SharedArrayBuffer | null = null
let slabUsed = 0

/**
 * Memory for a captured body, shared with the compare workers: a view into a 1 MiB SharedArrayBuffer slab
 * (a larger body gets a buffer of its own). A slab lives as long as any view into it, on any thread. Before,
 * each body had an ArrayBuffer of its own, handed to the worker by transfer; every young ArrayBuffer costs the
 * main thread's scavenges a sweep, and with two per mirrored exchange the sweep was most of what scavenges took
 * beyond pass-through's (measured with --trace-gc-nvp at 3,600 req/s, 20 KB bodies: sweep_array_buffers 0.05 ms
 * per scavenge in pass-through, 0.35 ms when mirroring).
 */
export function sharedBytes (length: number): Buffer {
  if (length > SLAB_BYTES / 4) return Buffer.from(new SharedArrayBuffer(length))
  if (slab === null || slabUsed + length > SLAB_BYTES) {
    slab = new SharedArrayBuffer(SLAB_BYTES)
    slabUsed = 0
  }
  const out = Buffer.from(slab, slabUsed, length)
  slabUsed += (length + 7) & ~7
  return out
}

/** Copies `chunks` one after the other into `out`, which holds exactly their length. */
function join (chunks: readonly Uint8Array[], out: Buffer): Buffer {
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/** One copy into memory of its own, never a slice of Node's shared buffer pool. */
export function joinDedicated (chunks: readonly Uint8Array[], length: number): Buffer {
  return join(chunks, Buffer.allocUnsafeSlow(length))
}
