// The inbound listener: strict HTTP/1.1 parsing, long keep-alive for load balancers, malformed requests
// answered with 400 while the server keeps serving, and a graceful drain on shutdown.
import http from 'node:http'
import type { Socket } from 'node:net'
import type { Proxy } from './proxy.ts'
import type { ListenAddress } from '../config/addresses.ts'
import { errorBody } from '../errors.ts'

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'Request Timeout', 'request headers not received in time']
}

export function createProxyServer (proxy: Proxy): http.Server {
  const s = proxy.config.server
  const server = http.createServer({
    keepAliveTimeout: s.keepAliveTimeout,
    headersTimeout: s.headersTimeout,
    requestTimeout: s.requestTimeout,
    insecureHTTPParser: false,
    requireHostHeader: false
  }, proxy.handle)
  server.on('upgrade', proxy.upgrade)
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? 'UNKNOWN'
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const [status, message, detail] = CLIENT_ERRORS[code] ?? [400, 'Bad Request', `malformed request (${code})`]
    proxy.metrics.reject(status === 400 ? 'malformed' : status === 431 ? 'headers_too_large' : 'client_timeout')
    proxy.log.info({ code, status, client: socket.remoteAddress }, detail)
    const body = errorBody('badRequest', detail)
    socket.end(`HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
  })
  return server
}

export async function listen (server: http.Server, addr: ListenAddress): Promise<ListenAddress> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => { reject(err) }
    server.once('error', onError)
    server.listen(addr.port, addr.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  const a = server.address()
  return typeof a === 'object' && a !== null ? { host: addr.host, port: a.port } : addr
}

/** Stop accepting, let in-flight requests finish within `drainMs`, then close whatever is left. */
export async function drain (server: http.Server, drainMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  // Connections that finish a response started before the drain become idle later: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 100)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), drainMs) })
  const clean = await Promise.race([closed.then(() => true), timedOut])
  clearTimeout(timer)
  clearInterval(sweep)
  if (!clean) server.closeAllConnections()
  return clean
}
