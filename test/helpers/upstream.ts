// Real HTTP servers on loopback that play primary, candidate or secondary in tests.
import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'

export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
}

export interface Upstream {
  url: string
  port: number
  server: http.Server
  seen: SeenRequest[]
  close: () => Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void

/** Starts a server that records every request (with its whole body) before calling `handler`. */
export async function startUpstream (handler: Handler = echo, options: http.ServerOptions = {}): Promise<Upstream> {
  const seen: SeenRequest[] = []
  const server = http.createServer(options, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body })
      handler(req, res, body)
    })
  })
  return await listenOn(server, seen)
}

export async function listenOn (server: http.Server, seen: SeenRequest[] = []): Promise<Upstream> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Answers with a JSON description of the request it received. */
export const echo: Handler = (req, res, body) => {
  const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}

/**
 * An address nothing listens on, and nothing in the suite will. A port freed by a closed server is not enough:
 * test files run in parallel processes, and another one's server on port 0 may be given the same port (seen once
 * in CI: a "dead" candidate answered and a circuit never opened). Servers on port 0 only get ports from the
 * kernel's ephemeral range, so the port is picked outside it and checked to refuse connections.
 */
export async function deadUrl (): Promise<string> {
  const outside = portsOutsideEphemeral()
  for (let i = 0; i < 50; i++) {
    const port = outside[Math.floor(Math.random() * outside.length)]
    if (await refused(port)) return `http://127.0.0.1:${port}`
  }
  throw new Error('no unprivileged port outside the ephemeral range refuses connections on 127.0.0.1')
}

/** Unprivileged ports the kernel never hands out for port 0 (Linux's range from /proc; elsewhere 49152-65535). */
function portsOutsideEphemeral (): number[] {
  let [low, high] = [49152, 65535]
  try {
    const [l, h] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(l) && Number.isInteger(h) && l <= h) [low, high] = [l, h]
  } catch { /* not Linux */ }
  const out: number[] = []
  for (let p = 1024; p <= 65535; p++) if (p < low || p > high) out.push(p)
  if (out.length === 0) throw new Error(`the ephemeral range ${low}-${high} covers every unprivileged port`)
  return out
}

async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })
}
