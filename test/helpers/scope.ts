// Upstreams and proxies that a test file starts and that go when the file's tests are done.
import { after } from 'node:test'
import { startUpstream } from './upstream.ts'
import type { Handler, Upstream } from './upstream.ts'
import { startProxy } from './proxy.ts'
import type { TestProxy } from './proxy.ts'

export interface Scope {
  upstream: (handler: Handler) => Promise<Upstream>
  /** A proxy logging at warn unless `flags` says otherwise. */
  proxy: (flags: Record<string, string>, file: Record<string, unknown>) => Promise<TestProxy>
}

export function testScope (): Scope {
  const cleanups: Array<() => Promise<void>> = []
  after(async () => { for (const c of cleanups.reverse()) await c() })
  return {
    upstream: async (handler) => {
      const u = await startUpstream(handler)
      cleanups.push(u.close)
      return u
    },
    proxy: async (flags, file) => {
      const p = await startProxy({ 'log-level': 'warn', ...flags }, file)
      cleanups.push(p.stop)
      return p
    }
  }
}
