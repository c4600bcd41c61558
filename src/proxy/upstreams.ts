// One capped keep-alive undici Pool per upstream origin, balanced round-robin. An origin that refuses
// connections is skipped for a short while unless every origin of the group is down.
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import type { Config } from '../config/schema.ts'

const EJECT_MS = 2000

export interface Member {
  readonly origin: string
  readonly pool: Pool
  downUntil: number
}

export type PoolSettings = Config['upstream']

export function poolOptions (s: PoolSettings): Pool.Options {
  return {
    connections: s.connections,
    pipelining: 1,
    keepAliveTimeout: s.keepAliveTimeout,
    keepAliveMaxTimeout: Math.max(s.keepAliveTimeout, 1000),
    connectTimeout: s.connectTimeout,
    headersTimeout: s.headersTimeout,
    bodyTimeout: s.bodyTimeout,
    strictContentLength: true,
    connect: {
      rejectUnauthorized: s.rejectUnauthorized,
      ...(s.ca === null ? {} : { ca: readFileSync(s.ca) })
    }
  }
}

export class UpstreamGroup {
  readonly members: Member[]
  #next = 0

  constructor (origins: string[], settings: PoolSettings) {
    const options = poolOptions(settings)
    this.members = origins.map((origin) => ({ origin, pool: new Pool(origin, options), downUntil: 0 }))
  }

  /** Next member round-robin, skipping ejected ones while any other is up. */
  pick (): Member {
    const n = this.members.length
    if (n === 1) return this.members[0]
    const now = Date.now()
    for (let i = 0; i < n; i++) {
      const m = this.members[this.#next]
      this.#next = (this.#next + 1) % n
      if (m.downUntil <= now) return m
    }
    const m = this.members[this.#next]
    this.#next = (this.#next + 1) % n
    return m
  }

  eject (member: Member): void {
    member.downUntil = Date.now() + EJECT_MS
  }

  get size (): number { return this.members.length }

  async close (): Promise<void> {
    await Promise.all(this.members.map(async (m) => await m.pool.destroy()))
  }
}
