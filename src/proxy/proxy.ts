// The data plane: each request is routed, served by the primary or (split) the candidate, and a budgeted copy
// may be mirrored to the other side. The serving exchange never waits for, or shares a stream with, the copy.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Config } from '../config/schema.ts'
import type { Logger } from '../observe/log.ts'
import type { Metrics, SkipReason, Target } from '../observe/metrics.ts'
import { EndpointNamer, pathOf } from '../analysis/endpoint-names.ts'
import { UpstreamGroup } from './upstreams.ts'
import { upstreamRequestHeaders } from './headers.ts'
import type { ForwardedInfo } from './headers.ts'
import { ClientCall } from './client-call.ts'
import type { ClientHooks } from './client-call.ts'
import { answerRaw, tunnel } from './upgrade.ts'
import { Router } from './router.ts'
import type { LiveRoute } from './router.ts'
import { bucketOf, cookieValue } from './sticky-hash.ts'
import { ShadowCall } from '../shadow/shadow-call.ts'
import { BodyCopy } from '../shadow/body-copy.ts'
import { ExchangeCollector } from '../shadow/exchange.ts'
import type { UpstreamResult } from './upstream-call.ts'
import type { Exchange } from '../shadow/exchange.ts'
import { CaptureLedger } from './capture.ts'

export const SHADOW_HEADER = 'x-shadowsplit-shadow'
const SHADOW_MARK: readonly string[] = [SHADOW_HEADER, '1']

export function clientAddress (req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? ''
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}

export function hasRequestBody (req: IncomingMessage): boolean {
  const h = req.headers
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')
}

type Side = 'primary' | 'candidate'

export class Proxy {
  config: Config
  router: Router
  readonly log: Logger
  readonly metrics: Metrics
  readonly namer: EndpointNamer
  readonly primary: UpstreamGroup
  readonly candidate: UpstreamGroup | null
  /** Another instance of the primary version (possibly the primary's own pool), for noise learning. */
  readonly secondary: UpstreamGroup | null
  /** Per-endpoint request and mirror counts for reports; set by the app when comparison runs. */
  counters: { countRequest: (endpoint: string, route: string) => void; countMirrored: (endpoint: string) => void } | null = null
  readonly tunnels = new Set<Duplex>()
  /** Every byte captured for comparison, in flight or in the pipeline, is taken from here (capture.maxBytes). */
  readonly captured: CaptureLedger
  draining = false
  /** Where complete exchanges go; the comparison pipeline replaces this. */
  onExchange: (exchange: Exchange) => void
  /** True while the comparison queue has no room: a copy made now would only be dropped. */
  compareFull: () => boolean = () => false
  /** The override header, lower-cased once per config; null when disabled. */
  #targetHeader: string | null = null
  #drop: ReadonlySet<string> | null = null
  readonly #hooks: ClientHooks

  constructor (config: Config, log: Logger, metrics: Metrics) {
    this.config = config
    this.log = log
    this.metrics = metrics
    this.namer = new EndpointNamer(endpointTemplates(config), config.endpoints.maxEndpoints)
    this.primary = new UpstreamGroup(config.primary, config.upstream)
    this.candidate = config.candidate.length > 0 ? new UpstreamGroup(config.candidate, config.upstream) : null
    this.secondary = config.secondary.length === 0 ? null
      : config.secondary[0] === 'primary' ? this.primary : new UpstreamGroup(config.secondary, config.upstream)
    this.router = new Router(config.routes, config.defaultRoute)
    this.captured = new CaptureLedger(() => this.config.capture.maxBytes)
    this.#applyHeaders(config)
    this.#hooks = {
      log,
      closeConnection: () => this.draining,
      onResult: null,
      onRejected: (reason) => metrics.reject(reason)
    }
    this.onExchange = (ex) => metrics.exchange(ex.request.endpoint, latencyDelta(ex))
    metrics.routesFrom(() => this.router.all.map((r) => ({ name: r.name, inflight: r.budget.inflight, circuitOpen: r.budget.circuit.isOpen })))
    metrics.capturedFrom(() => this.captured.used)
  }

  /** Applies what can change without a restart (routes, header names, capture, logging). */
  applyConfig (config: Config): void {
    this.router = new Router(config.routes, config.defaultRoute, this.router)
    this.#applyHeaders(config)
    this.log.level = config.logLevel
    this.config = config
  }

  #applyHeaders (config: Config): void {
    this.#targetHeader = config.targetHeader === null || config.targetHeader === '' ? null : config.targetHeader.toLowerCase()
    this.#drop = this.#targetHeader === null ? null : new Set([this.#targetHeader])
  }

  #info (req: IncomingMessage, target: Target, extra: readonly string[] | null): ForwardedInfo {
    const host = this.config.hostRewrite[target === 'candidate' ? 'candidate' : 'primary']
    return { clientIp: clientAddress(req), proto: 'http', host, drop: this.#drop, extra }
  }

  #group (target: Target): UpstreamGroup {
    if (target === 'candidate' && this.candidate !== null) return this.candidate
    if (target === 'secondary' && this.secondary !== null) return this.secondary
    return this.primary
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.metrics.countClientRequest()
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const path = pathOf(url)
    const endpoint = this.namer.name(path)
    const route = this.router.match(req, path)
    this.counters?.countRequest(endpoint, route.name)
    const served = this.#side(req, route)
    const shadow = this.#shadowTarget(req, route, served, method)
    const hasBody = hasRequestBody(req)
    const opts = {
      group: this.#group(served),
      target: served as Target,
      served: 'client' as const,
      method,
      path: url,
      headers: upstreamRequestHeaders(req.rawHeaders, this.#info(req, served, null)),
      body: hasBody ? req : null,
      endpoint,
      metrics: this.metrics,
      captureLimit: null,
      ledger: this.captured
    }
    if (this.config.accessLog) this.#accessLog(req, res, endpoint, served)
    if (shadow === null) {
      new ClientCall(opts, req, res, this.#hooks).start()
      return
    }

    const k = route.knobs
    const withSecondary = this.secondary !== null && k.compare.enabled && (k.secondaryPercent >= 100 || Math.random() * 100 < k.secondaryPercent)
    const exchange = new ExchangeCollector({ method, url, endpoint, route: route.name, headers: req.headers, served, compare: k.compare.enabled }, withSecondary, this.onExchange, this.captured)
    const budget = route.budget
    // Nothing is kept of either side when the route's responses are not compared.
    const captureLimit = k.compare.enabled ? this.config.capture.bodyLimit : null
    // Built now: with `after_response` the client's socket may be gone (or serving its next request) at send time.
    const shadowHeaders = upstreamRequestHeaders(req.rawHeaders, this.#info(req, shadow, SHADOW_MARK))
    const secondaryHeaders = withSecondary ? upstreamRequestHeaders(req.rawHeaders, this.#info(req, 'secondary', SHADOW_MARK)) : null
    const copyTo = (target: Target, headers: string[], body: Buffer | null, onDone: (result: UpstreamResult) => void): void => {
      new ShadowCall({
        ...opts,
        group: this.#group(target),
        target,
        served: 'shadow',
        headers,
        body,
        captureLimit
      }, budget.config.timeout, onDone).start()
    }
    const send = (body: Buffer | null): void => {
      this.counters?.countMirrored(endpoint)
      copyTo(shadow, shadowHeaders, body, (result) => {
        budget.release(result.error === null)
        exchange.add(result)
      })
      if (secondaryHeaders !== null) copyTo('secondary', secondaryHeaders, body, (result) => exchange.add(result))
    }
    // The copy leaves once its body is copied (none: at once) and, with `after_response`, the client's response is finished.
    const afterResponse = k.mirrorTiming === 'after_response'
    let body: Buffer | null | undefined = hasBody ? undefined : null
    let clientDone = false
    let sent = false
    const maybeSend = (): void => {
      if (sent || body === undefined || (afterResponse && !clientDone)) return
      sent = true
      send(body)
    }
    let copy: BodyCopy | null = null
    if (hasBody) {
      copy = new BodyCopy(k.mirrorBodyLimit, (outcome) => {
        if ('body' in outcome) { body = outcome.body; maybeSend(); return }
        budget.cancel()
        exchange.cancel()
        this.metrics.skip(outcome.skipped)
      })
    }
    const hooks: ClientHooks = {
      ...this.#hooks,
      onResult: (r) => {
        copy?.abandon()
        clientDone = true
        maybeSend()
        exchange.add(r)
      }
    }
    new ClientCall({ ...opts, body: copy === null ? null : copy.tee(req), captureLimit }, req, res, hooks).start()
    maybeSend()
  }

  /** Which side serves the client: the override header, else the route's split share (sticky when keyed). */
  #side (req: IncomingMessage, route: LiveRoute): Side {
    if (this.candidate === null) return 'primary'
    if (this.#targetHeader !== null) {
      const forced = req.headers[this.#targetHeader]
      if (forced === 'candidate' || forced === 'primary') return forced
    }
    const k = route.knobs
    if (k.mode !== 'split' || k.splitPercent <= 0) return 'primary'
    const sticky = route.sticky
    let key: string | undefined
    if (sticky !== null) {
      if (sticky.from === 'cookie') key = cookieValue(req.headers.cookie, sticky.name)
      else {
        const v = req.headers[sticky.name]
        key = Array.isArray(v) ? v[0] : v
      }
    }
    const bucket = key === undefined || key === '' ? Math.random() * 100 : bucketOf(key)
    return bucket < k.splitPercent ? 'candidate' : 'primary'
  }

  /** The side that gets a copy, or null; every refusal after the route chose to mirror is counted. */
  #shadowTarget (req: IncomingMessage, route: LiveRoute, served: Side, method: string): Side | null {
    if (this.candidate === null) return null
    const k = route.knobs
    if (k.mode === 'off') return null
    const target: Side | null = served === 'primary' ? 'candidate' : k.reverseShadow ? 'primary' : null
    if (target === null) return null
    let reason: SkipReason | null = null
    if (req.headers[SHADOW_HEADER] !== undefined) reason = 'loop'
    else if (!route.mirrors(method)) reason = 'method'
    else if (k.mirrorPercent < 100 && Math.random() * 100 >= k.mirrorPercent) reason = 'sampled_out'
    else if (Number(req.headers['content-length'] ?? 0) > k.mirrorBodyLimit) reason = 'body_too_large'
    else if (k.compare.enabled && this.compareFull()) reason = 'diff_queue_full'
    else reason = route.budget.admit()
    if (reason === null) return target
    this.metrics.skip(reason)
    return null
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
      headers: upstreamRequestHeaders(req.rawHeaders, this.#info(req, 'primary', null)),
      settings: this.config.upstream,
      open: this.tunnels,
      onDone: (status, ms, error) => {
        this.metrics.observeUpstream('primary', 'client', endpoint, method, status, error === null ? ms / 1000 : -1)
        if (error !== null) this.log.warn({ target: 'primary', origin: member.origin, endpoint, code: error }, 'upgrade tunnel failed')
      }
    })
  }

  #accessLog (req: IncomingMessage, res: ServerResponse, endpoint: string, served: Side): void {
    const started = Date.now()
    res.once('close', () => {
      this.log.info({
        method: req.method,
        path: pathOf(req.url ?? '/'),
        endpoint,
        served,
        status: res.statusCode,
        ms: Date.now() - started,
        client: clientAddress(req),
        complete: res.writableFinished
      }, 'access')
    })
  }

  async close (): Promise<void> {
    for (const s of this.tunnels) s.destroy()
    await Promise.all([this.primary.close(), this.candidate?.close(), this.secondary === this.primary ? undefined : this.secondary?.close()])
  }
}

/** Candidate minus primary, in seconds, when both sides answered. */
export function latencyDelta (ex: Exchange): number | null {
  if (ex.primary.error !== null || ex.candidate.error !== null) return null
  return (ex.candidate.ms - ex.primary.ms) / 1000
}

export function endpointTemplates (config: Config): string[] {
  const fromRoutes = config.routes.map((r) => r.match.template).filter((t): t is string => t !== null)
  return [...config.endpoints.templates, ...fromRoutes]
}
