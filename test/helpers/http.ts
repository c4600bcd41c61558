// Client side of tests: plain node:http requests and raw sockets for bytes no HTTP client would send.
import http from 'node:http'
import net from 'node:net'

export interface Response {
  status: number
  statusMessage: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  trailers: NodeJS.Dict<string>
}

const agent = new http.Agent({ keepAlive: false })

export async function request (url: string, options: http.RequestOptions & { body?: Buffer | string } = {}): Promise<Response> {
  return await new Promise((resolve, reject) => {
    const headers = options.body === undefined || Array.isArray(options.headers) || (options.headers as http.OutgoingHttpHeaders | undefined)?.['transfer-encoding'] !== undefined
      ? options.headers
      : { 'content-length': String(Buffer.byteLength(options.body)), ...options.headers }
    const req = http.request(url, { agent, ...options, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? '',
        headers: res.headers,
        rawHeaders: res.rawHeaders,
        body: Buffer.concat(chunks),
        trailers: res.trailers
      }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

export async function json (url: string, options: http.RequestOptions & { body?: Buffer | string } = {}): Promise<{ status: number; body: any }> {
  const res = await request(url, options)
  return { status: res.status, body: JSON.parse(res.body.toString()) }
}

/** Sends raw bytes, returns everything the server wrote until it closed the connection (or `ms` passed). */
export async function rawExchange (port: number, bytes: string | Buffer, ms = 2000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); resolve(Buffer.concat(chunks).toString('latin1')) }, ms)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('end', () => { clearTimeout(timer); socket.destroy(); resolve(Buffer.concat(chunks).toString('latin1')) })
    socket.on('error', (err) => { clearTimeout(timer); reject(err) })
    socket.write(bytes)
  })
}
