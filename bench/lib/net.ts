// Ports and readiness: free loopback ports, waiting for a listener or an HTTP 200, small control requests.
import net from 'node:net'
import type { Managed } from './processes.ts'

export const HOST = '127.0.0.1'
const POLL_MS = 50

// Ports handed out in this run: the kernel may offer a port again until someone binds it.
const handedOut = new Set<number>()

export async function freePort (): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer()
      srv.once('error', reject)
      srv.listen(0, HOST, () => {
        const addr = srv.address()
        const p = typeof addr === 'object' && addr !== null ? addr.port : 0
        srv.close(() => resolve(p))
      })
    })
    if (!handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error('could not find a free port')
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

function diedError (proc: Managed): Error {
  return new Error(`${proc.name} exited before it was ready (${proc.howExited() ?? '?'}):\n${proc.output().trim().split('\n').slice(-15).join('\n')}`)
}

async function connects (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = net.connect({ host: HOST, port })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { s.destroy(); resolve(false) })
  })
}

/** Waits until something accepts TCP connections on the port; fails early when `proc` dies. */
export async function waitForPort (port: number, proc: Managed | null, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc?.hasExited() === true) throw diedError(proc)
    if (await connects(port)) return
    await sleep(POLL_MS)
  }
  throw new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs} ms${proc === null ? '' : ` (${proc.name})`}`)
}

/** Waits until GET url answers 200; fails early when `proc` dies. */
export async function waitForHttpOk (url: string, proc: Managed | null, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (proc?.hasExited() === true) throw diedError(proc)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      const body = await res.text()
      if (res.status === 200) return
      last = `${res.status} ${body.slice(0, 200)}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(POLL_MS * 2)
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last})${proc === null ? '' : ` (${proc.name})`}`)
}

export interface TextResponse {
  status: number
  contentType: string | null
  body: string
}

export async function httpText (url: string, method = 'GET'): Promise<TextResponse> {
  const res = await fetch(url, { method, signal: AbortSignal.timeout(5000) })
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
}

export { sleep }
