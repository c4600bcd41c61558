// What a route may spend on mirrored traffic: in-flight requests, requests per second (token bucket with a
// one-second burst) and a circuit breaker. A limit that bites names the reason the mirror is skipped.
import type { BudgetConfig } from '../config/schema.ts'
import type { SkipReason } from '../observe/metrics.ts'
import { CircuitBreaker } from './circuit-breaker.ts'

export class TokenBucket {
  #rate: number
  #tokens: number
  #last: number
  readonly #now: () => number

  constructor (ratePerSecond: number, now: () => number = Date.now) {
    this.#now = now
    this.#rate = ratePerSecond
    this.#tokens = ratePerSecond
    this.#last = now()
  }

  set rate (r: number) {
    this.#rate = r
    this.#tokens = Math.min(this.#tokens, r)
  }

  take (): boolean {
    if (this.#rate <= 0) return true
    const now = this.#now()
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#last) / 1000) * this.#rate)
    this.#last = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}

export class Budget {
  inflight = 0
  #config: BudgetConfig
  readonly #bucket: TokenBucket
  readonly circuit: CircuitBreaker

  constructor (config: BudgetConfig, now: () => number = Date.now) {
    this.#config = config
    this.#bucket = new TokenBucket(config.maxRps, now)
    this.circuit = new CircuitBreaker(config.circuit.failures, config.circuit.cooldown, now)
  }

  get config (): BudgetConfig { return this.#config }

  /** New limits; in-flight count and circuit state carry over. */
  update (config: BudgetConfig): void {
    this.#config = config
    this.#bucket.rate = config.maxRps
    this.circuit.failures = config.circuit.failures
    this.circuit.cooldownMs = config.circuit.cooldown
  }

  /** Takes a slot, or names the limit that refuses one. */
  admit (): SkipReason | null {
    if (this.circuit.blocked) return 'circuit_open'
    if (this.inflight >= this.#config.maxInflight) return 'concurrency'
    if (!this.#bucket.take()) return 'rate'
    this.circuit.sending()
    this.inflight++
    return null
  }

  /** Gives the slot back; `ok` false for a transport failure or timeout. */
  release (ok: boolean): void {
    this.inflight--
    if (ok) this.circuit.success()
    else this.circuit.failure()
  }

  /** Gives back a slot whose request was never sent (e.g. body too large), without touching the circuit. */
  cancel (): void {
    this.inflight--
    this.circuit.unsent()
  }
}
