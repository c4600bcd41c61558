// Real HTTP servers on loopback that play primary, candidate or secondary in tests.
import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { refusedPort } from './ports.ts'

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

/** An address nothing listens on, and nothing in the suite will (see ports.ts). */
export async function deadUrl (): Promise<string> {
  return `http://127.0.0.1:${await refusedPort()}`
}
