// A mirrored request: detached from the client, read as fast as the target sends (bounded capture), cut by
// its own timeout, never retried, and never able to touch the client's response.
import { UpstreamCall } from '../proxy/upstream-call.ts'
import type { CallOptions, UpstreamResult } from '../proxy/upstream-call.ts'

export class ShadowTimeoutError extends Error {
  readonly code = 'SHADOW_TIMEOUT'
  constructor (ms: number) { super(`shadow request exceeded ${ms} ms`) }
}

export class ShadowCall extends UpstreamCall {
  readonly #timeoutMs: number
  readonly #onDone: (result: UpstreamResult) => void
  #timer: NodeJS.Timeout | null = null

  constructor (opts: CallOptions, timeoutMs: number, onDone: (result: UpstreamResult) => void) {
    super(opts)
    this.#timeoutMs = timeoutMs
    this.#onDone = onDone
  }

  override start (): void {
    this.#timer = setTimeout(() => this.abort(new ShadowTimeoutError(this.#timeoutMs)), this.#timeoutMs)
    this.#timer.unref()
    super.start()
  }

  protected override mayRetry (): boolean { return false }
  protected responseStarted (): boolean { return true }
  protected data (): boolean { return true }

  protected completed (_trailers: unknown, result: UpstreamResult): void {
    this.#finish(result)
  }

  protected failed (_err: Error, _code: string, result: UpstreamResult): void {
    this.#finish(result)
  }

  #finish (result: UpstreamResult): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#onDone(result)
  }
}
