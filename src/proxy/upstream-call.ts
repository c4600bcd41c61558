// One request to an upstream through undici's dispatch API (the fastest path: no intermediate streams).
// Subclasses decide where the response goes: to the client (client-call.ts) or into a bounded capture.
import type { Dispatcher } from 'undici'
import { performance } from 'node:perf_hooks'
import type { Member, UpstreamGroup } from './upstreams.ts'
import { clientResponseHeaders, rawHeader } from './headers.ts'
import { BodyCapture, EMPTY_BODY } from './capture.ts'
import type { CaptureLedger, CapturedBody } from './capture.ts'
import type { Metrics, Served, Target } from '../observe/metrics.ts'

export interface UpstreamResult {
  target: Target
  /** 0 when no response arrived. */
  status: number
  /** Response headers as forwarded (hop-by-hop removed), flat [name, value …]. */
  headers: string[]
  body: CapturedBody
  /** Milliseconds from dispatch to the last byte, or to the failure. */
  ms: number
  /** Error code when the exchange failed, else null. */
  error: string | null
}

export interface CallOptions {
  group: UpstreamGroup
  target: Target
  served: Served
  method: string
  path: string
  headers: string[]
  /** undici also takes an async iterable (its `writeIterable` path), which the types do not list. */
  body: Dispatcher.DispatchOptions['body'] | AsyncIterable<Buffer>
  endpoint: string
  metrics: Metrics
  /** Keep up to this many response bytes for comparison; null keeps nothing. */
  captureLimit: number | null
  /** Where captured bytes are taken from (every capture of the proxy shares one); null: no overall bound. */
  ledger: CaptureLedger | null
}

const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET'])
const CONNECT_FAILED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export function errorCode (err: unknown): string {
  const e = err as { code?: unknown; name?: unknown }
  if (typeof e?.code === 'string') return e.code
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN'
}

export function isTimeout (code: string): boolean {
  return TIMEOUTS.has(code)
}

export abstract class UpstreamCall implements Dispatcher.DispatchHandler {
  protected readonly opts: CallOptions
  protected member: Member | null = null
  protected abortUpstream: ((err?: Error) => void) | null = null
  protected resumeUpstream: (() => void) | null = null
  protected status = 0
  protected headers: string[] = []
  protected capture: BodyCapture | null
  #started = 0
  #retried = false
  #done = false

  constructor (opts: CallOptions) {
    this.opts = opts
    this.capture = this.#newCapture()
  }

  start (): void {
    this.#started = performance.now()
    this.abortUpstream = null
    this.status = 0
    const member = this.opts.group.pick()
    this.member = member
    const o = this.opts
    try {
      member.pool.dispatch({
        path: o.path,
        method: o.method,
        headers: o.headers,
        body: o.body as Dispatcher.DispatchOptions['body'],
        // undici closes the socket after every HEAD by default; keep it for the next request.
        reset: o.method === 'HEAD' ? false : undefined
      }, this)
    } catch (err) {
      this.onError(err as Error)
    }
  }

  get elapsedMs (): number {
    return performance.now() - this.#started
  }

  get finished (): boolean { return this.#done }

  /** Stops the upstream exchange (client gone, shadow timeout). */
  abort (reason: Error): void {
    if (this.#done) return
    if (this.abortUpstream !== null) this.abortUpstream(reason)
    else this.onError(reason)
  }

  onConnect (abort: (err?: Error) => void): void {
    this.abortUpstream = abort
    this.connected()
  }

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true
    this.status = statusCode
    this.headers = clientResponseHeaders(rawHeaders)
    this.resumeUpstream = resume
    if (this.capture !== null) {
      const length = rawHeader(this.headers, 'content-length')
      if (length !== undefined) this.capture.expect(Number(length))
    }
    return this.responseStarted(statusText)
  }

  onData (chunk: Buffer): boolean {
    if (this.capture !== null) this.capture.add(chunk)
    return this.data(chunk)
  }

  onComplete (trailers: string[] | Buffer[] | null): void {
    if (this.#done) return
    this.#done = true
    const ms = this.elapsedMs
    this.opts.metrics.observeUpstream(this.opts.target, this.opts.served, this.opts.endpoint, this.opts.method, this.status, ms / 1000)
    this.completed(trailers, this.#result(ms, null))
  }

  onError (err: Error): void {
    if (this.#done) return
    const code = errorCode(err)
    const member = this.member
    if (member !== null && CONNECT_FAILED.has(code) && code !== 'UND_ERR_CONNECT_TIMEOUT') this.opts.group.eject(member)
    if (this.#mayRetry(code)) {
      this.#retried = true
      this.capture?.discard()
      this.capture = this.#newCapture()
      this.start()
      return
    }
    this.#done = true
    const ms = this.elapsedMs
    this.opts.metrics.observeUpstream(this.opts.target, this.opts.served, this.opts.endpoint, this.opts.method, 0, -1)
    this.failed(err, code, this.#result(ms, code))
  }

  /**
   * One retry, never after response headers and never with a request body: a stale keep-alive socket for an
   * idempotent request, or a refused connection when another origin of the group can take it.
   */
  #mayRetry (code: string): boolean {
    if (this.#retried || this.status !== 0 || this.opts.body !== null || !this.mayRetry()) return false
    if (STALE_SOCKET.has(code)) return IDEMPOTENT.has(this.opts.method)
    return CONNECT_FAILED.has(code) && this.opts.group.size > 1
  }

  #newCapture (): BodyCapture | null {
    return this.opts.captureLimit === null ? null : new BodyCapture(this.opts.captureLimit, this.opts.ledger)
  }

  #result (ms: number, error: string | null): UpstreamResult {
    if (error !== null) this.capture?.discard()
    return {
      target: this.opts.target,
      status: error === null ? this.status : 0,
      headers: this.headers,
      body: this.capture === null || error !== null ? EMPTY_BODY : this.capture.finish(),
      ms,
      error
    }
  }

  protected connected (): void {}
  protected mayRetry (): boolean { return true }
  protected abstract responseStarted (statusText: string): boolean
  protected abstract data (chunk: Buffer): boolean
  protected abstract completed (trailers: string[] | Buffer[] | null, result: UpstreamResult): void
  protected abstract failed (err: Error, code: string, result: UpstreamResult): void
}
