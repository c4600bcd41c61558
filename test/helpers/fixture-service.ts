// A small JSON service in two versions. v2 (the candidate) carries known regressions; every instance adds
// known noise (timestamps, random ids, its own name, a shuffled set). Used by the comparison tests.
import http from 'node:http'
import { gzipSync } from 'node:zlib'
import { randomUUID } from 'node:crypto'
import { listenOn } from './upstream.ts'
import type { Upstream } from './upstream.ts'

export type Version = 'v1' | 'v2'

function shuffle<T> (items: T[]): T[] {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

export function fixtureHandler (version: Version, instance: string): http.RequestListener {
  const v2 = version === 'v2'
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const noise = { generatedAt: new Date().toISOString(), requestId: randomUUID(), instance }
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
      res.end(text)
    }
    const id = Number(url.pathname.split('/')[2] ?? 0)
    if (url.pathname.startsWith('/products/')) {
      json(200, {
        id,
        name: `product ${id}`,
        price: v2 ? 19.99 : 17.99,                     // regression: changed value
        stock: v2 ? String(5) : 5,                     // regression: type change
        ...(v2 ? {} : { description: 'a fine product' }), // regression: missing field
        ranking: v2 ? ['c', 'b', 'a'] : ['a', 'b', 'c'], // regression: reordered array where order matters
        tags: shuffle(['new', 'sale', 'eco']),           // noise: an unordered set
        meta: noise                                      // noise: timestamp, random id, instance name
      }, { 'cache-control': v2 ? 'no-store' : 'max-age=60' }) // regression: changed header
    } else if (url.pathname.startsWith('/orders/')) {
      if (v2) json(500, { error: 'boom', ...noise })     // regression: status change
      else json(200, { id, total: 10, ...noise })
    } else if (url.pathname === '/catalog') {
      const body = gzipSync(JSON.stringify({ count: v2 ? 41 : 42, items: ['x', 'y'], meta: noise })) // regression inside gzip
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length })
      res.end(body)
    } else if (url.pathname === '/form') {
      const body = `a=1&b=${v2 ? '3' : '2'}&at=${encodeURIComponent(noise.generatedAt)}`
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
      res.end(body)
    } else if (url.pathname === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(['line one', 'line two', v2 ? 'line THREE' : 'line three', `served by ${instance}`].join('\n'))
    } else if (url.pathname === '/same') {
      json(200, { ok: true, meta: noise })
    } else {
      json(404, { error: 'not found' })
    }
  }
}

export async function startFixture (version: Version, instance: string): Promise<Upstream> {
  return await listenOn(http.createServer(fixtureHandler(version, instance)))
}
