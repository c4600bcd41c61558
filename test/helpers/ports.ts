// Ports a test has to name before anything binds them: a dead upstream, or a port handed to a child process.
// A port freed by a closed server on port 0 is not safe for either: test files run in parallel processes, and
// the kernel may give the same port to another file's server on port 0 (seen in CI: a "dead" candidate answered,
// so a circuit never opened; measured here: a freed port came back to a later listen(0) in 1 of 20 trials of 500
// listens). Servers on port 0 only get ports from the kernel's ephemeral range, so these are picked outside it.
// Nor are the ports fetch() refuses to connect to (the Fetch Standard's "bad ports"; undici answers "bad port"
// before any socket opens): tests and the demo's traffic script reach servers with fetch, and a proxy on 10080
// failed every request of the compose stack test.
import net from 'node:net'
import { readFileSync } from 'node:fs'

/** The unprivileged ports of https://fetch.spec.whatwg.org/#bad-port, as undici blocks them. */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080
])

let outside: number[] | null = null

/**
 * Unprivileged ports the kernel never hands out for port 0 (Linux's range from /proc; elsewhere 49152-65535), less
 * those fetch() refuses.
 */
export function portsOutsideEphemeral (): number[] {
  if (outside !== null) return outside
  let [low, high] = [49152, 65535]
  try {
    const [l, h] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(l) && Number.isInteger(h) && l <= h) [low, high] = [l, h]
  } catch { /* not Linux */ }
  const out: number[] = []
  for (let p = 1024; p <= 65535; p++) if ((p < low || p > high) && !FETCH_BAD_PORTS.has(p)) out.push(p)
  if (out.length === 0) throw new Error(`the ephemeral range ${low}-${high} covers every unprivileged port`)
  outside = out
  return out
}

/** A random port outside the ephemeral range that passes `accept` (tried up to 50 times). */
async function pick (what: string, accept: (port: number) => Promise<boolean>): Promise<number> {
  const ports = portsOutsideEphemeral()
  for (let i = 0; i < 50; i++) {
    const port = ports[Math.floor(Math.random() * ports.length)]
    if (await accept(port)) return port
  }
  throw new Error(`no port outside the ephemeral range ${what} on 127.0.0.1`)
}

/** A port on 127.0.0.1 that refuses connections, and that no server on port 0 will be given. */
export async function refusedPort (): Promise<number> {
  return await pick('refuses connections', async (port) => await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  }))
}

/** A port on 127.0.0.1 that was free a moment ago, and that no server on port 0 will be given. */
export async function freePort (): Promise<number> {
  return await pick('can be bound', async (port) => await new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  }))
}
