// Routes change live through PUT /api/routes/:name, validated by the config schema; bad changes keep the old values.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'

let primary: Upstream
let candidate: Upstream
let proxy: TestProxy
before(async () => {
  primary = await startUpstream()
  candidate = await startUpstream()
  proxy = await startProxy({ primary: primary.url, candidate: candidate.url, 'mirror-percent': '0' }, {
    routes: [{ name: 'api', match: { prefix: '/api' } }]
  })
})
after(async () => { await proxy.stop(); await primary.close(); await candidate.close() })

const put = async (name: string, body: unknown, raw = false) => await json(`${proxy.adminUrl}/api/routes/${name}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: raw ? String(body) : JSON.stringify(body)
})

test('GET /api/routes lists every route with its knobs and state', async () => {
  const res = await json(`${proxy.adminUrl}/api/routes`)
  assert.deepEqual(res.body.map((r: { name: string }) => r.name), ['api', 'default'])
  assert.equal(res.body[0].mirrorPercent, 0)
  assert.deepEqual(res.body[0].state, { inflight: 0, circuitOpen: false })
})

test('a change takes effect on the next request, without a restart', async () => {
  const before = candidate.seen.length
  await request(`${proxy.url}/api/a`)
  assert.equal((await put('api', { mirrorPercent: 100 })).status, 200)
  await request(`${proxy.url}/api/b`)
  await eventually(() => candidate.seen.length === before + 1, 2000, 'the copy')
  assert.equal(candidate.seen.at(-1)!.url, '/api/b')
  await request(`${proxy.url}/other`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(candidate.seen.length, before + 1, 'only the changed route mirrors')
})

const bad: Array<[string, unknown, RegExp]> = [
  ['percent out of range', { mirrorPercent: 150 }, /routes\.api\.mirrorPercent: must be a number between 0 and 100 \(got 150\)/],
  ['wrong type', { splitPercent: 'half' }, /routes\.api\.splitPercent: must be a number/],
  ['unknown key', { mirrorPercnt: 5 }, /routes\.api\.mirrorPercnt: unknown key \(did you mean 'mirrorPercent'\?\)/],
  ['bad nested value', { budget: { circuit: { cooldown: 'never' } } }, /routes\.api\.budget\.circuit\.cooldown: must be a duration/],
  ['bad sticky key', { stickyBy: 'query:x' }, /routes\.api\.stickyBy: must be header:NAME or cookie:NAME/],
  ['not an object', [1, 2], /must be a JSON object/]
]
for (const [name, body, reason] of bad) {
  test(`${name}: 400 with the reason, old values stay`, async () => {
    const before = (await json(`${proxy.adminUrl}/api/routes`)).body[0]
    const res = await put('api', body)
    assert.equal(res.status, 400)
    assert.equal(res.body.error, 'SHADOWSPLIT_INVALID_ROUTE_UPDATE')
    assert.match(res.body.message, reason)
    assert.deepEqual((await json(`${proxy.adminUrl}/api/routes`)).body[0], before)
  })
}

test('malformed JSON and unknown routes get clear errors', async () => {
  const res = await put('api', '{"mirrorPercent":', true)
  assert.equal(res.status, 400)
  assert.equal(res.body.error, 'SHADOWSPLIT_BAD_ADMIN_REQUEST')
  const missing = await put('nope', { mirrorPercent: 1 })
  assert.equal(missing.status, 404)
  assert.equal(missing.body.error, 'SHADOWSPLIT_NOT_FOUND')
})
