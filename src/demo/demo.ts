// `npm run demo`: two versions of a demo service on loopback (v1 as primary and secondary, v2 as candidate),
// shadowsplit in front in mirror mode with noise learning, and light traffic — divergences show up in the
// dashboard within seconds.
import { fileURLToPath } from 'node:url'
import type { Server } from 'node:http'
import { loadConfig } from '../config/load.ts'
import { ConfigError } from '../config/schema-kit.ts'
import { formatListen } from '../config/addresses.ts'
import { startApp } from '../app.ts'
import type { App } from '../app.ts'
import type { Logger } from '../observe/log.ts'
import { startDemoService } from './demo-service.ts'

export const DEMO_CONFIG = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url))

export interface DemoOptions {
  /** CLI flags on top of the demo's (listen addresses, log level). */
  flags: Record<string, string | undefined>
  /** Requests per second the traffic driver sends; 0 sends none. */
  rps: number
  log?: Logger
}

export interface Demo {
  app: App
  proxyUrl: string
  adminUrl: string
  services: { primary: string; secondary: string; candidate: string }
  stop: () => Promise<void>
}

const PATHS = [
  (i: number) => `/api/products/${1 + (i % 40)}`,
  (i: number) => `/api/users/${1 + (i % 25)}`,
  (i: number) => `/api/orders/${1 + (i % 30)}`,
  (i: number) => `/api/search?q=${'abcdefghjk'[i % 10]}`,
  () => '/api/health'
]

/** Sends `rps` requests per second to the proxy, as a few dozen sticky users. */
function drive (proxyUrl: string, rps: number): () => void {
  if (rps <= 0) return () => {}
  let i = 0
  const timer = setInterval(() => {
    const n = i++
    const path = PATHS[n % PATHS.length](Math.floor(n / PATHS.length))
    fetch(`${proxyUrl}${path}`, { headers: { 'x-user': `user-${n % 37}` } }).then((r) => r.arrayBuffer(), () => {})
  }, 1000 / rps)
  timer.unref()
  return () => clearInterval(timer)
}

async function startOn (flags: Record<string, string | undefined>, options: DemoOptions): Promise<App> {
  const { config } = loadConfig({ flags: { ...flags, config: flags.config ?? DEMO_CONFIG }, env: {} })
  return await startApp(config, options.log === undefined ? {} : { log: options.log })
}

export async function startDemo (options: DemoOptions): Promise<Demo> {
  const servers: Server[] = []
  const service = async (version: 'v1' | 'v2', instance: string): Promise<string> => {
    const s = await startDemoService(version, instance)
    servers.push(s.server)
    return s.url
  }
  const services = { primary: await service('v1', 'primary'), secondary: await service('v1', 'secondary'), candidate: await service('v2', 'candidate') }
  const given = Object.fromEntries(Object.entries(options.flags).filter(([, v]) => v !== undefined))
  const flags = {
    listen: '127.0.0.1:8080',
    'admin-listen': '127.0.0.1:9901',
    ...given,
    primary: services.primary,
    secondary: services.secondary,
    candidate: services.candidate
  }
  let app: App
  try {
    app = await startOn(flags, options)
  } catch (err) {
    // The usual ports are taken (another demo, a real service): the demo still runs, on free ones.
    if (!(err instanceof ConfigError) || given.listen !== undefined || given['admin-listen'] !== undefined) throw err
    app = await startOn({ ...flags, listen: '127.0.0.1:0', 'admin-listen': '127.0.0.1:0' }, options)
  }
  const proxyUrl = `http://${formatListen(app.address)}`
  const adminUrl = `http://${formatListen(app.adminAddress)}`
  const stopTraffic = drive(proxyUrl, options.rps)
  return {
    app,
    proxyUrl,
    adminUrl,
    services,
    stop: async () => {
      stopTraffic()
      await app.stop()
      for (const s of servers) { s.closeAllConnections(); s.close() }
    }
  }
}

export function demoBanner (demo: Demo, rps: number): string {
  return `
shadowsplit demo is running.

  dashboard   ${demo.adminUrl}/
  proxy       ${demo.proxyUrl}   (v1 serves every client; each request is mirrored to v2 and to a second v1)
  traffic     ${rps} requests/s from 37 simulated users

Try:
  curl -s ${demo.proxyUrl}/api/products/4
  curl -s ${demo.adminUrl}/api/endpoints
  curl -s '${demo.adminUrl}/api/divergences?limit=1'

v2 carries real regressions (a price change, a renamed field, a 500 on some orders, reversed search results,
a changed cache header); timestamps, request ids, instance names and tag order are noise and are learnt as such.
Ctrl-C stops everything.
`
}
