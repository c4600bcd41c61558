// The serving exchange: the upstream's response streams to the client with backpressure both ways.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { UpstreamCall, isTimeout } from './upstream-call.ts'
import type { CallOptions, UpstreamResult } from './upstream-call.ts'
import { errorBody } from '../errors.ts'
import type { Logger } from '../observe/log.ts'

export class ClientGoneError extends Error {
  readonly code = 'CLIENT_GONE'
  constructor () { super('client closed the connection') }
}

export interface ClientHooks {
  log: Logger
  /** Ask the client to close the connection after this response (graceful shutdown). */
  closeConnection: () => boolean
  /** Called once with the outcome, after the client's response has been handed to the socket. */
  onResult: ((result: UpstreamResult) => void) | null
  onRejected: (reason: string) => void
}

export class ClientCall extends UpstreamCall {
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #hooks: ClientHooks
  #clientGone = false

  constructor (opts: CallOptions, req: IncomingMessage, res: ServerResponse, hooks: ClientHooks) {
    super(opts)
    this.#req = req
    this.#res = res
    this.#hooks = hooks
    res.once('close', () => {
      if (res.writableFinished) return
      this.#clientGone = true
      this.abort(new ClientGoneError())
    })
  }

  protected override connected (): void {
    if (this.#clientGone) this.abortUpstream?.(new ClientGoneError())
  }

  protected override mayRetry (): boolean {
    return !this.#clientGone
  }

  protected responseStarted (statusText: string): boolean {
    const headers = this.#hooks.closeConnection() ? [...this.headers, 'connection', 'close'] : this.headers
    if (statusText === '') this.#res.writeHead(this.status, headers)
    else this.#res.writeHead(this.status, statusText, headers)
    return true
  }

  protected data (chunk: Buffer): boolean {
    if (this.#res.write(chunk)) return true
    this.#res.once('drain', () => this.resumeUpstream?.())
    return false
  }

  protected completed (trailers: string[] | Buffer[] | null, result: UpstreamResult): void {
    if (trailers !== null && trailers.length > 0) {
      const pairs: Array<[string, string]> = []
      for (let i = 0; i < trailers.length; i += 2) pairs.push([String(trailers[i]), String(trailers[i + 1])])
      this.#res.addTrailers(pairs)
    }
    this.#res.end()
    this.#hooks.onResult?.(result)
  }

  protected failed (err: Error, code: string, result: UpstreamResult): void {
    const res = this.#res
    const o = this.opts
    if (this.#clientGone || code === 'CLIENT_GONE') {
      this.#hooks.log.debug({ target: o.target, endpoint: o.endpoint, method: o.method }, 'client closed the connection; upstream request aborted')
    } else if (res.headersSent) {
      this.#hooks.log.warn({ target: o.target, endpoint: o.endpoint, method: o.method, code, status: this.status }, 'upstream failed mid-response; client connection reset')
      res.destroy(err)
    } else {
      const timeout = isTimeout(code)
      const status = timeout ? 504 : 502
      const reason = timeout ? 'upstream_timeout' : 'upstream_unavailable'
      this.#hooks.onRejected(reason)
      this.#hooks.log.warn({ target: o.target, origin: this.member?.origin, endpoint: o.endpoint, method: o.method, code, status }, `${o.target} ${timeout ? 'timed out' : 'unavailable'}`)
      const body = timeout
        ? errorBody('upstreamTimeout', `${o.target} upstream timed out (${code})`)
        : errorBody('upstreamUnavailable', `${o.target} upstream unavailable (${code})`)
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(this.#hooks.closeConnection() || this.#req.complete === false ? { connection: 'close' } : {})
      })
      res.end(body)
    }
    this.#hooks.onResult?.(result)
  }
}
