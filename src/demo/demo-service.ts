// The demo's JSON service, in two versions. v1 plays primary and secondary, v2 the candidate with a few real
// regressions; every instance adds the noise real services have (timestamps, request ids, its own name,
// sets in random order) so the dashboard shows both divergences and learnt noise.
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'

export type DemoVersion = 'v1' | 'v2'

const NAMES = ['anvil', 'bracket', 'cog', 'dowel', 'elbow', 'flange', 'gasket', 'hinge', 'joist', 'knob']

function shuffled<T> (items: readonly T[]): T[] {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

interface Reply { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number }

function product (id: number, v2: boolean): Reply {
  const base = 10 + (id % 17) * 3
  return {
    status: 200,
    headers: { 'cache-control': v2 ? 'no-store' : 'max-age=60' },
    body: {
      id,
      name: NAMES[id % NAMES.length],
      price: v2 && id % 4 === 0 ? Math.round(base * 110) / 100 : base, // v2: a 10 % price change on one product in four
      currency: 'EUR',
      stock: id % 7,
      tags: shuffled(['metal', 'spare', id % 2 === 0 ? 'even' : 'odd'])
    }
  }
}

function user (id: number, v2: boolean): Reply {
  const email = `user${id}@example.com`
  return {
    status: 200,
    body: v2
      ? { id, name: `User ${id}`, email_address: email, roles: ['reader'] } // v2 renamed a field: schema change
      : { id, name: `User ${id}`, email, roles: ['reader'] }
  }
}

function order (id: number, v2: boolean): Reply {
  if (v2 && id % 10 === 7) return { status: 500, body: { error: 'order service timeout' } } // v2: status regression
  return { status: 200, body: { id, lines: [{ sku: `sku-${id}`, qty: 1 + (id % 3) }], total: 20 + id % 50 } }
}

function search (q: string, v2: boolean): Reply {
  const hits = NAMES.filter((n) => n.includes(q.slice(0, 1))).slice(0, 5).map((name, rank) => ({ rank, name }))
  // v2 returns the same hits in reverse order (ranking matters) and is slower.
  return { status: 200, body: { q, hits: v2 ? [...hits].reverse().map((h, rank) => ({ ...h, rank })) : hits }, delayMs: v2 ? 8 : 2 }
}

/** An ISO time with microseconds, as many services stamp their answers: two instances never agree on it. */
function generatedAt (): string {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000)
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`
}

export function demoHandler (version: DemoVersion, instance: string): http.RequestListener {
  const v2 = version === 'v2'
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo')
    const parts = url.pathname.split('/')
    const id = Number(parts[3] ?? 0)
    let reply: Reply
    if (url.pathname === '/api/health') reply = { status: 200, body: { ok: true } }
    else if (parts[2] === 'products' && id > 0) reply = product(id, v2)
    else if (parts[2] === 'users' && id > 0) reply = user(id, v2)
    else if (parts[2] === 'orders' && id > 0) reply = order(id, v2)
    else if (url.pathname === '/api/search') reply = search(url.searchParams.get('q') ?? '', v2)
    else reply = { status: 404, body: { error: 'not found' } }
    const body = JSON.stringify({
      ...(reply.body as object),
      meta: { servedBy: `${instance}-${version}`, requestId: randomUUID(), generatedAt: generatedAt() }
    })
    const send = (): void => {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...reply.headers })
      res.end(body)
    }
    const delay = (reply.delayMs ?? 1) + Math.random() * 3
    setTimeout(send, delay)
  }
}

export async function startDemoService (version: DemoVersion, instance: string, host = '127.0.0.1', port = 0): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer({ keepAliveTimeout: 10_000 }, demoHandler(version, instance))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const addr = server.address() as { port: number }
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`, server }
}
