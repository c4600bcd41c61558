// Composition root: builds the proxy and admin servers from a validated config and owns their lifecycle.
import type http from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Config } from './config/schema.ts'
import { ConfigError } from './config/schema-kit.ts'
import { formatListen } from './config/addresses.ts'
import type { ListenAddress } from './config/addresses.ts'
import { createLogger, flushLogger } from './observe/log.ts'
import type { Logger } from './observe/log.ts'
import { Metrics } from './observe/metrics.ts'
import { Proxy, latencyDelta } from './proxy/proxy.ts'
import type { CompareRules } from './config/schema.ts'
import { Analysis } from './analysis/analysis.ts'
import { SampleStore } from './observe/samples.ts'
import { ComparePipeline } from './compare/pipeline.ts'
import { createProxyServer, drain, listen } from './proxy/server.ts'
import { createAdminServer } from './admin/server.ts'

export interface AppOptions {
  /** Defaults to pino on stdout at the configured level. */
  log?: Logger
}

export interface App {
  readonly config: Config
  readonly proxy: Proxy
  readonly log: Logger
  readonly address: ListenAddress
  readonly adminAddress: ListenAddress
  /** Graceful stop: drain in-flight requests, then close everything. True when nothing had to be cut off. */
  stop: () => Promise<boolean>
  /** Applies a new validated config; returns the changed keys that only take effect after a restart. */
  reload: (config: Config) => string[]
}

/** Keys that shape sockets, pools and listeners: read once at start. */
export const RESTART_KEYS = ['listen', 'adminListen', 'primary', 'candidate', 'secondary', 'upstream', 'server', 'endpoints', 'samples'] as const

/**
 * Noise paths configured on any route. Reports group by endpoint, and an endpoint may be served by several
 * routes, so they show a path as noise when any route declares it; each request is judged by its own route.
 */
function configuredNoise (proxy: Proxy): readonly string[] {
  return [...new Set(proxy.router.all.flatMap((r) => r.knobs.compare.noise))]
}

function listenError (key: string, addr: ListenAddress, err: NodeJS.ErrnoException): Error {
  const where = formatListen(addr)
  if (err.code === 'EADDRINUSE') return new ConfigError(key, `address ${where} is already in use`)
  if (err.code === 'EACCES') return new ConfigError(key, `permission denied to listen on ${where}`)
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new ConfigError(key, `address ${where} is not available on this machine`)
  return err
}

export async function startApp (config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel)
  const metrics = new Metrics()
  const proxy = new Proxy(config, log, metrics)
  const analysis = new Analysis(config.compare, metrics)
  const samples = new SampleStore(config.samples)
  const routeCompare = (route: string): CompareRules => (proxy.router.byName(route) ?? proxy.router.fallback).knobs.compare
  const pipeline = config.candidate.length === 0 ? null : new ComparePipeline({
    config: () => proxy.config, metrics, analysis, samples, log, rulesFor: routeCompare, ledger: proxy.captured
  })
  if (pipeline !== null) {
    proxy.counters = analysis
    proxy.compareFull = () => pipeline.full
    proxy.onExchange = (ex) => {
      metrics.exchange(ex.request.endpoint, latencyDelta(ex))
      pipeline.submit(ex)
    }
  }
  const server: http.Server = createProxyServer(proxy)
  let listening = false
  const admin: FastifyInstance = createAdminServer({
    proxy,
    listening: () => listening && !proxy.draining,
    analysis: { analysis, samples, log, routeNoise: () => configuredNoise(proxy) }
  })

  async function closeAll (): Promise<void> {
    await proxy.close()
    await pipeline?.close()
    analysis.close()
  }

  let address: ListenAddress
  try {
    address = await listen(server, config.listen)
  } catch (err) {
    await closeAll()
    throw listenError('listen', config.listen, err as NodeJS.ErrnoException)
  }
  let adminAddress: ListenAddress
  try {
    await admin.listen({ host: config.adminListen.host, port: config.adminListen.port })
    const a = admin.server.address()
    adminAddress = { host: config.adminListen.host, port: typeof a === 'object' && a !== null ? a.port : config.adminListen.port }
  } catch (err) {
    server.close()
    await closeAll()
    throw listenError('adminListen', config.adminListen, err as NodeJS.ErrnoException)
  }
  listening = true
  log.info({ listen: formatListen(address), admin: formatListen(adminAddress), primary: config.primary, candidate: config.candidate }, 'shadowsplit started')
  // Out at once for whoever waits for it (a supervisor, a test), not with the next buffer.
  flushLogger(log)

  let stopping: Promise<boolean> | null = null
  const stop = async (): Promise<boolean> => {
    stopping ??= (async () => {
      proxy.draining = true
      log.info({ drainMs: config.server.drainTimeout }, 'draining')
      const clean = await drain(server, config.server.drainTimeout)
      await closeAll()
      await admin.close()
      log.info({ clean }, 'stopped')
      flushLogger(log)
      return clean
    })()
    return await stopping
  }

  const reload = (next: Config): string[] => {
    const current = proxy.config
    const changed = RESTART_KEYS.filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next[k]))
    const restart: string[] = [...changed]
    const kept: Config = { ...next }
    for (const k of changed) (kept as unknown as Record<string, unknown>)[k] = current[k]
    // The worker pool is built once: its size, its threads' priority and their CPU take a restart.
    const { workers, cpu, workerPolicy, workerNice } = current.compare
    const poolKeys = (['workers', 'cpu', 'workerPolicy', 'workerNice'] as const).filter((k) => current.compare[k] !== next.compare[k])
    if (poolKeys.length > 0) {
      restart.push(...poolKeys.map((k) => `compare.${k}`))
      kept.compare = { ...next.compare, workers, cpu, workerPolicy, workerNice }
    }
    proxy.applyConfig(kept)
    analysis.configure(kept.compare)
    log.info({ routes: next.routes.map((r) => r.name), needRestart: restart }, 'configuration reloaded')
    if (restart.length > 0) log.warn({ keys: restart }, 'these changes take effect after a restart')
    return restart
  }

  return { config, proxy, log, address, adminAddress, stop, reload }
}
