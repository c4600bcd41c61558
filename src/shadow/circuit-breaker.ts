// Opens after N consecutive failures or timeouts of the mirror target; after the cool-down one half-open
// probe is let through, and its outcome closes or re-opens the circuit.

export class CircuitBreaker {
  failures: number
  cooldownMs: number
  #consecutive = 0
  #openedAt = 0
  #open = false
  #probing = false
  readonly #now: () => number

  constructor (failures: number, cooldownMs: number, now: () => number = Date.now) {
    this.failures = failures
    this.cooldownMs = cooldownMs
    this.#now = now
  }

  get isOpen (): boolean { return this.#open }

  /** Open and not yet due for a probe, or a probe already out: requests must not go. */
  get blocked (): boolean {
    return this.#open && (this.#probing || this.#now() - this.#openedAt < this.cooldownMs)
  }

  /** Call when a request goes out; in the half-open state it becomes the one probe. */
  sending (): void {
    if (this.#open) this.#probing = true
  }

  /** The request announced with `sending()` never went out. */
  unsent (): void {
    this.#probing = false
  }

  success (): void {
    this.#consecutive = 0
    this.#open = false
    this.#probing = false
  }

  failure (): void {
    this.#consecutive++
    if (this.#probing || this.#consecutive >= this.failures) {
      this.#open = true
      this.#openedAt = this.#now()
    }
    this.#probing = false
  }
}
