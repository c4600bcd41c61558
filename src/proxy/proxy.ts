// The data plane: every client request is forwarded to the serving upstream and streamed back.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Config } from '../config/schema.ts'
import type { Logger } from '../observe/log.ts'
import type { Metrics } from '../observe/metrics.ts'
import { EndpointNamer, pathOf } from '../analysis/endpoint-names.ts'
import { UpstreamGroup } from './upstreams.ts'
import { upstreamRequestHeaders } from './headers.ts'
import type { ForwardedInfo } from './headers.ts'
import { ClientCall } from './client-call.ts'
import type { ClientHooks } from './client-call.ts'
import { answerRaw, tunnel } from './upgrade.ts'

export function clientAddress (req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? ''
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}

export function hasRequestBody (req: IncomingMessage): boolean {
  const h = req.headers
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')
}

export class Proxy {
  readonly config: Config
  readonly log: Logger
  readonly metrics: Metrics
  readonly namer: EndpointNamer
  readonly primary: UpstreamGroup
  readonly tunnels = new Set<Duplex>()
  draining = false
  readonly #hooks: ClientHooks

  constructor (config: Config, log: Logger, metrics: Metrics) {
    this.config = config
    this.log = log
    this.metrics = metrics
    this.namer = new EndpointNamer(endpointTemplates(config), config.endpoints.maxEndpoints)
    this.primary = new UpstreamGroup(config.primary, config.upstream)
    this.#hooks = {
      log,
      closeConnection: () => this.draining,
      onResult: null,
      onRejected: (reason) => metrics.reject(reason)
    }
  }

  forwardedInfo (req: IncomingMessage, host: string | null): ForwardedInfo {
    return { clientIp: clientAddress(req), proto: 'http', host, drop: null, extra: null }
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.metrics.countClientRequest()
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const endpoint = this.namer.name(pathOf(url))
    const headers = upstreamRequestHeaders(req.rawHeaders, this.forwardedInfo(req, this.config.hostRewrite.primary))
    const call = new ClientCall({
      group: this.primary,
      target: 'primary',
      served: 'client',
      method,
      path: url,
      headers,
      body: hasRequestBody(req) ? req : null,
      endpoint,
      metrics: this.metrics,
      captureLimit: null
    }, req, res, this.#hooks)
    call.start()
    if (this.config.accessLog) this.#accessLog(req, res, endpoint)
  }

  readonly upgrade = (req: IncomingMessage, socket: Duplex, firstBytes: Buffer): void => {
    this.metrics.countClientRequest()
    const endpoint = this.namer.name(pathOf(req.url ?? '/'))
    const method = req.method ?? 'GET'
    if (this.draining) {
      answerRaw(socket, 503, 'Service Unavailable', 'upstreamUnavailable', 'shutting down')
      return
    }
    const member = this.primary.pick()
    tunnel(req, socket, firstBytes, {
      origin: member.origin,
      headers: upstreamRequestHeaders(req.rawHeaders, this.forwardedInfo(req, this.config.hostRewrite.primary)),
      settings: this.config.upstream,
      open: this.tunnels,
      onDone: (status, ms, error) => {
        this.metrics.observeUpstream('primary', 'client', endpoint, method, status, error === null ? ms / 1000 : -1)
        if (error !== null) this.log.warn({ target: 'primary', origin: member.origin, endpoint, code: error }, 'upgrade tunnel failed')
      }
    })
  }

  #accessLog (req: IncomingMessage, res: ServerResponse, endpoint: string): void {
    const started = Date.now()
    res.once('close', () => {
      this.log.info({
        method: req.method,
        path: pathOf(req.url ?? '/'),
        endpoint,
        status: res.statusCode,
        ms: Date.now() - started,
        client: clientAddress(req),
        complete: res.writableFinished
      }, 'access')
    })
  }

  async close (): Promise<void> {
    for (const s of this.tunnels) s.destroy()
    await this.primary.close()
  }
}

export function endpointTemplates (config: Config): string[] {
  const fromRoutes = config.routes.map((r) => r.match.template).filter((t): t is string => t !== null)
  return [...config.endpoints.templates, ...fromRoutes]
}
