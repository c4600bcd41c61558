// The request body streams to the serving upstream while a bounded copy is kept for the mirror. The copy is
// taken as undici pulls each chunk, so the serving side sets the pace; past the limit the copy is dropped and
// the serving request goes on untouched.
import type { IncomingMessage } from 'node:http'
import { joinDedicated } from '../proxy/capture.ts'

export type CopyOutcome = { body: Buffer } | { skipped: 'body_too_large' | 'request_incomplete' }

export class BodyCopy {
  readonly #limit: number
  readonly #onDone: (outcome: CopyOutcome) => void
  #chunks: Buffer[] | null = []
  #length = 0
  #settled = false

  constructor (limit: number, onDone: (outcome: CopyOutcome) => void) {
    this.#limit = limit
    this.#onDone = onDone
  }

  /** The body to hand undici for the serving request. */
  async * tee (req: IncomingMessage): AsyncGenerator<Buffer> {
    let complete = false
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        this.#add(chunk)
        yield chunk
      }
      complete = true
    } finally {
      this.#settle(complete)
    }
  }

  /** The serving exchange ended; a body that never finished cannot be mirrored. */
  abandon (): void {
    this.#settle(false)
  }

  #add (chunk: Buffer): void {
    if (this.#chunks === null) return
    this.#length += chunk.length
    if (this.#length > this.#limit) {
      this.#chunks = null
      this.#settle(false)
      return
    }
    this.#chunks.push(chunk)
  }

  #settle (complete: boolean): void {
    if (this.#settled) return
    this.#settled = true
    if (this.#chunks === null) this.#onDone({ skipped: 'body_too_large' })
    else if (!complete) this.#onDone({ skipped: 'request_incomplete' })
    else this.#onDone({ body: joinDedicated(this.#chunks, this.#length) })
    this.#chunks = null
  }
}
