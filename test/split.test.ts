// Split mode: a weighted share is served by the candidate, sticky by header or cookie, monotonic in the percent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'
import { bucketOf } from '../src/proxy/sticky-hash.ts'

let primary: Upstream
let candidate: Upstream
const cleanups: Array<() => Promise<void>> = []

before(async () => {
  const who = (name: string) => (_req: unknown, res: import('node:http').ServerResponse) => res.end(name)
  primary = await startUpstream(who('primary'))
  candidate = await startUpstream(who('candidate'))
})
after(async () => { for (const c of cleanups.reverse()) await c(); await primary.close(); await candidate.close() })

async function proxy (flags: Record<string, string>, file?: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy({ primary: primary.url, candidate: candidate.url, 'mirror-percent': '0', ...flags }, file)
  cleanups.push(p.stop)
  return p
}

async function servedBy (p: TestProxy, headers: Record<string, string> = {}): Promise<string> {
  return (await request(`${p.url}/page`, { headers })).body.toString()
}

/** Binomial tolerance: within 4.5 standard deviations (a false alarm about once in 150,000 runs). */
function assertShare (hits: number, n: number, percent: number): void {
  const p = percent / 100
  const sd = Math.sqrt(n * p * (1 - p))
  assert.ok(Math.abs(hits - n * p) <= 4.5 * sd, `${hits} of ${n} is not ${percent} %`)
}

test('without a sticky key the candidate serves about splitPercent of requests', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '20' })
  let hits = 0
  const n = 1500
  for (let i = 0; i < n; i++) if (await servedBy(p) === 'candidate') hits++
  assertShare(hits, n, 20)
})

test('sticky by header: a key always lands on the same side, and the share holds over keys', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '30', 'sticky-by': 'header:X-User' })
  let hits = 0
  const users = 800
  for (let u = 0; u < users; u++) {
    const first = await servedBy(p, { 'x-user': `user-${u}` })
    if (first === 'candidate') hits++
    if (u % 50 === 0) for (let r = 0; r < 5; r++) assert.equal(await servedBy(p, { 'x-user': `user-${u}` }), first)
    assert.equal(first === 'candidate', bucketOf(`user-${u}`) < 30, 'the side follows the documented hash')
  }
  assertShare(hits, users, 30)
})

test('sticky by cookie', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '50', 'sticky-by': 'cookie:sid' })
  for (const sid of ['a', 'b', 'c', 'd', 'e', 'f']) {
    const side = await servedBy(p, { cookie: `theme=dark; sid=${sid}; x=1` })
    for (let r = 0; r < 3; r++) assert.equal(await servedBy(p, { cookie: `sid=${sid}` }), side)
    assert.equal(side === 'candidate', bucketOf(sid) < 50)
  }
})

test('raising the percent only moves keys from primary to candidate', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '10', 'sticky-by': 'header:x-user' })
  const keys = Array.from({ length: 300 }, (_, i) => `k${i}`)
  const at10 = new Map<string, string>()
  for (const k of keys) at10.set(k, await servedBy(p, { 'x-user': k }))
  const put = await json(`${p.adminUrl}/api/routes/default`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ splitPercent: 40 }) })
  assert.equal(put.status, 200)
  let moved = 0
  for (const k of keys) {
    const now = await servedBy(p, { 'x-user': k })
    if (at10.get(k) === 'candidate') assert.equal(now, 'candidate', `${k} went back to the primary`)
    else if (now === 'candidate') moved++
  }
  assert.ok(moved > 0, 'some keys moved to the candidate')
})

test('the override header forces a side, and can be disabled', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '0' })
  assert.equal(await servedBy(p, { 'x-shadowsplit-target': 'candidate' }), 'candidate')
  const q = await proxy({ mode: 'split', 'split-percent': '100' })
  assert.equal(await servedBy(q, { 'x-shadowsplit-target': 'primary' }), 'primary')
  assert.equal(await servedBy(q, { 'x-shadowsplit-target': 'nonsense' }), 'candidate')
  const edge = await proxy({ mode: 'split', 'split-percent': '0' }, { targetHeader: null })
  assert.equal(await servedBy(edge, { 'x-shadowsplit-target': 'candidate' }), 'primary')
  assert.equal(primary.seen.at(-1)!.headers['x-shadowsplit-target'], 'candidate', 'a disabled override header is passed on like any other')
  const renamed = await proxy({ mode: 'split', 'split-percent': '0' }, { targetHeader: 'x-canary' })
  assert.equal(await servedBy(renamed, { 'x-canary': 'candidate' }), 'candidate')
})

test('split and mirror combine; reverse shadow sends candidate-served requests to the primary', async () => {
  const p = await proxy({ mode: 'split', 'split-percent': '50', 'mirror-percent': '100', 'sticky-by': 'header:x-user' }, { defaultRoute: { reverseShadow: true } })
  const beforeP = primary.seen.length
  const beforeC = candidate.seen.length
  const n = 40
  for (let i = 0; i < n; i++) await servedBy(p, { 'x-user': `u${i}` })
  await new Promise((resolve) => setTimeout(resolve, 200))
  // Every request reached both sides once: served by one, copied to the other.
  assert.equal(primary.seen.length - beforeP, n)
  assert.equal(candidate.seen.length - beforeC, n)
  const marked = primary.seen.slice(beforeP).filter((r) => r.headers['x-shadowsplit-shadow'] === '1').length
  const expected = Array.from({ length: n }, (_, i) => bucketOf(`u${i}`) < 50).filter(Boolean).length
  assert.equal(marked, expected, 'reverse shadows are marked')
})
