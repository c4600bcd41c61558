// Several primary origins are balanced round-robin; one that refuses connections is skipped.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function up (): Promise<Upstream> {
  const u = await startUpstream()
  cleanups.push(u.close)
  return u
}
async function proxy (primary: string): Promise<TestProxy> {
  const p = await startProxy({ primary })
  cleanups.push(p.stop)
  return p
}

test('requests are spread evenly over comma-separated primaries', async () => {
  const [a, b, c] = [await up(), await up(), await up()]
  const p = await proxy(`${a.url},${b.url}, ${c.url}`)
  for (let i = 0; i < 30; i++) assert.equal((await request(`${p.url}/r${i}`)).status, 200)
  assert.deepEqual([a.seen.length, b.seen.length, c.seen.length], [10, 10, 10])
})

test('a dead primary origin is skipped and every request is still served', async () => {
  const a = await up()
  const p = await proxy(`${await deadUrl()},${a.url}`)
  const statuses = []
  for (let i = 0; i < 10; i++) statuses.push((await request(`${p.url}/r${i}`)).status)
  assert.deepEqual(statuses, Array(10).fill(200))
  assert.equal(a.seen.length, 10)
})
