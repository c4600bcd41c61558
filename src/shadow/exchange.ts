// Pairs the served response with its shadow (and secondary) response. The pair is handed on only once every
// side is in and the client's response is finished, so comparison never competes with the client.
import type { IncomingHttpHeaders } from 'node:http'
import type { UpstreamResult } from '../proxy/upstream-call.ts'
import type { CaptureLedger } from '../proxy/capture.ts'

export interface ExchangeRequest {
  method: string
  /** Path and query as received. */
  url: string
  endpoint: string
  route: string
  headers: IncomingHttpHeaders
  /** Which side served the client. */
  served: 'primary' | 'candidate'
  /** The route compared responses when the request came in (`compare.enabled`): both sides were captured. */
  compare: boolean
}

export interface Exchange {
  request: ExchangeRequest
  primary: UpstreamResult
  candidate: UpstreamResult
  secondary: UpstreamResult | null
}

export class ExchangeCollector {
  readonly #request: ExchangeRequest
  readonly #onComplete: (exchange: Exchange) => void
  readonly #ledger: CaptureLedger | null
  #primary: UpstreamResult | null = null
  #candidate: UpstreamResult | null = null
  #secondary: UpstreamResult | null = null
  #secondaryPending: boolean
  #cancelled = false

  /** `ledger`: where the captured bodies of an exchange that is never handed on go back to. */
  constructor (request: ExchangeRequest, withSecondary: boolean, onComplete: (exchange: Exchange) => void, ledger: CaptureLedger | null = null) {
    this.#request = request
    this.#secondaryPending = withSecondary
    this.#onComplete = onComplete
    this.#ledger = ledger
  }

  /** A result from either side; the served one arrives after the client's response was handed off. */
  add (result: UpstreamResult): void {
    if (this.#cancelled) { this.#ledger?.release(result.body); return }
    if (result.target === 'primary') this.#primary = result
    else if (result.target === 'candidate') this.#candidate = result
    else { this.#secondary = result; this.#secondaryPending = false }
    this.#maybeDone()
  }

  /** The shadow was never sent (skipped after the decision): nothing to compare. */
  cancel (): void {
    if (this.#cancelled) return
    this.#cancelled = true
    for (const r of [this.#primary, this.#candidate, this.#secondary]) if (r !== null) this.#ledger?.release(r.body)
  }

  #maybeDone (): void {
    if (this.#cancelled || this.#primary === null || this.#candidate === null || this.#secondaryPending) return
    // Handed on: from here the receiver gives the captured bytes back.
    this.#cancelled = true
    this.#onComplete({ request: this.#request, primary: this.#primary, candidate: this.#candidate, secondary: this.#secondary })
  }
}
