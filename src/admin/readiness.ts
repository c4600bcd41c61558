// Readiness: the listener is up and at least one primary origin accepts TCP connections (probe cached 1 s).
import net from 'node:net'

const CACHE_MS = 1000
const PROBE_TIMEOUT_MS = 1000

function probe (origin: string): Promise<boolean> {
  const url = new URL(origin)
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port })
    const finish = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false))
    socket.once('connect', () => finish(true))
    socket.once('error', () => finish(false))
  })
}

export class PrimaryProbe {
  readonly #origins: string[]
  #checkedAt = 0
  #last: Promise<string[]> | null = null

  constructor (origins: string[]) {
    this.#origins = origins
  }

  /** Origins that accepted a connection in the latest probe. */
  async reachable (): Promise<string[]> {
    const now = Date.now()
    if (this.#last === null || now - this.#checkedAt > CACHE_MS) {
      this.#checkedAt = now
      this.#last = Promise.all(this.#origins.map(probe)).then((ok) => this.#origins.filter((_, i) => ok[i]))
    }
    return await this.#last
  }
}
