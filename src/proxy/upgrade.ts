// WebSocket and other Upgrade requests are tunnelled to the serving upstream byte for byte, never mirrored.
import http from 'node:http'
import https from 'node:https'
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { clientResponseHeaders } from './headers.ts'
import { errorBody } from '../errors.ts'
import type { ErrorName } from '../errors.ts'
import type { PoolSettings } from './upstreams.ts'

export interface TunnelOptions {
  origin: string
  headers: string[]
  settings: PoolSettings
  /** Called once: status sent to the client (0 when the tunnel failed before any answer) and elapsed ms. */
  onDone: (status: number, ms: number, error: string | null) => void
  /** Open tunnels, so shutdown can close them. */
  open: Set<Duplex>
}

function head (status: number, message: string, headers: string[]): string {
  let text = `HTTP/1.1 ${status} ${message}\r\n`
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${text}\r\n`
}

export function answerRaw (socket: Duplex, status: number, message: string, name: ErrorName, detail: string): void {
  const body = errorBody(name, detail)
  if (!socket.writable) { socket.destroy(); return }
  socket.end(head(status, message, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'connection', 'close']) + body)
}

export function tunnel (req: IncomingMessage, socket: Duplex, firstBytes: Buffer, opts: TunnelOptions): void {
  const started = performance.now()
  const url = new URL(opts.origin)
  const secure = url.protocol === 'https:'
  const headers = [...opts.headers, 'connection', 'upgrade', 'upgrade', req.headers.upgrade ?? '']
  let settled = false
  const done = (status: number, error: string | null): void => {
    if (settled) return
    settled = true
    opts.onDone(status, performance.now() - started, error)
  }
  const upstreamReq = (secure ? https : http).request({
    host: url.hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    method: req.method,
    path: req.url,
    headers,
    agent: false,
    timeout: opts.settings.connectTimeout,
    rejectUnauthorized: opts.settings.rejectUnauthorized,
    ...(opts.settings.ca === null ? {} : { ca: readFileSync(opts.settings.ca) })
  })
  socket.on('error', () => upstreamReq.destroy())
  socket.on('close', () => upstreamReq.destroy())
  upstreamReq.on('timeout', () => upstreamReq.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })))

  upstreamReq.on('upgrade', (res, upstream, upstreamHead) => {
    upstreamReq.setTimeout(0)
    socket.write(head(res.statusCode ?? 101, res.statusMessage ?? 'Switching Protocols', res.rawHeaders))
    if (upstreamHead.length > 0) socket.write(upstreamHead)
    if (firstBytes.length > 0) upstream.write(firstBytes)
    opts.open.add(socket)
    const close = (): void => {
      opts.open.delete(socket)
      upstream.destroy()
      socket.destroy()
    }
    upstream.on('error', close).on('close', close)
    socket.on('error', close).on('close', close)
    upstream.pipe(socket)
    socket.pipe(upstream)
    done(res.statusCode ?? 101, null)
  })

  upstreamReq.on('response', (res) => {
    // The upstream declined to switch protocols: relay its answer and close.
    upstreamReq.setTimeout(0)
    const out = clientResponseHeaders(res.rawHeaders)
    socket.write(head(res.statusCode ?? 502, res.statusMessage ?? '', [...out, 'connection', 'close']))
    res.pipe(socket)
    res.on('end', () => socket.end())
    done(res.statusCode ?? 502, null)
  })

  upstreamReq.on('error', (err) => {
    const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN'
    if (!settled) {
      const timeout = code === 'ETIMEDOUT'
      answerRaw(socket, timeout ? 504 : 502, timeout ? 'Gateway Timeout' : 'Bad Gateway',
        timeout ? 'upstreamTimeout' : 'upstreamUnavailable', `upgrade to upstream failed (${code})`)
    }
    done(0, code)
  })
  upstreamReq.end()
}
