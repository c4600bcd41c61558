// The admin port: loopback by default; elsewhere a bearer token is required (or an explicit opt-out), every
// change needs the token when one is set, and tokens are compared in constant time.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'
import { loadConfig } from '../src/config/load.ts'
import { tokenMatches } from '../src/admin/auth.ts'
import { runCli } from './helpers/cli.ts'

const TOKEN = 'correct-horse-battery-staple'
const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function upstreams (): Promise<[Upstream, Upstream]> {
  const p = await startUpstream()
  const c = await startUpstream()
  cleanups.push(p.close, c.close)
  return [p, c]
}
async function proxy (flags: Record<string, string>, file?: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy(flags, file)
  cleanups.push(p.stop)
  return p
}

test('the admin port binds loopback by default', () => {
  const { config } = loadConfig({ flags: { primary: 'http://127.0.0.1:1' }, env: {} })
  assert.equal(config.adminListen.host, '127.0.0.1')
})

test('a non-loopback admin address without a token refuses to start, unless explicitly allowed', async () => {
  const refused = await runCli(['check', '--primary', 'http://127.0.0.1:1', '--admin-listen', '0.0.0.0:9901'], { SHADOWSPLIT_ADMIN_TOKEN: '' })
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /^shadowsplit: --admin-listen: binds 0\.0\.0\.0, which is not loopback: set --admin-token/)
  assert.equal((await runCli(['check', '--primary', 'http://127.0.0.1:1', '--admin-listen', '0.0.0.0:9901', '--admin-token', TOKEN])).code, 0)
  assert.equal((await runCli(['check', '--primary', 'http://127.0.0.1:1', '--admin-listen', '0.0.0.0:9901'], { SHADOWSPLIT_ADMIN_ALLOW_INSECURE: 'true' })).code, 0)
  const short = await runCli(['check', '--primary', 'http://127.0.0.1:1', '--admin-token', 'short'])
  assert.equal(short.code, 2)
  assert.match(short.stderr, /--admin-token: must be at least 16 printable characters/)
})

test('with a token: health, readiness, metrics and the dashboard files are open; the API needs the token', async () => {
  const [p, c] = await upstreams()
  const px = await proxy({ primary: p.url, candidate: c.url, 'admin-token': TOKEN })
  for (const path of ['/healthz', '/readyz', '/metrics']) assert.equal((await request(`${px.adminUrl}${path}`)).status, 200, path)
  for (const path of ['/api/endpoints', '/api/divergences', '/api/routes']) {
    const res = await json(`${px.adminUrl}${path}`)
    assert.equal(res.status, 401, path)
    assert.equal(res.body.error, 'SHADOWSPLIT_UNAUTHORIZED')
    assert.equal((await json(`${px.adminUrl}${path}`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status, 401)
    assert.equal((await json(`${px.adminUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, path)
  }
  const unauth = await request(`${px.adminUrl}/api/endpoints`)
  assert.equal(unauth.headers['www-authenticate'], 'Bearer realm="shadowsplit"')
  assert.notEqual((await request(`${px.adminUrl}/`)).status, 401, 'the dashboard page holds no data')
})

test('changes always need the token when one is set, even on public paths', async () => {
  const [p, c] = await upstreams()
  const px = await proxy({ primary: p.url, candidate: c.url, 'admin-token': TOKEN }, { admin: { publicPaths: ['/healthz', '/readyz', '/metrics', '/api/routes/default', '/api/reset'] } })
  const change = { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"mirrorPercent":5}' }
  assert.equal((await json(`${px.adminUrl}/api/routes/default`, change)).status, 401)
  assert.equal((await json(`${px.adminUrl}/api/reset`, { method: 'POST' })).status, 401)
  assert.equal((await json(`${px.adminUrl}/api/routes/default`, { ...change, headers: { ...change.headers, authorization: `Bearer ${TOKEN}` } })).status, 200)
  assert.equal(px.app.proxy.router.fallback.knobs.mirrorPercent, 5)
})

test('without a token on loopback the admin API is open', async () => {
  const [p, c] = await upstreams()
  const px = await proxy({ primary: p.url, candidate: c.url })
  assert.equal((await json(`${px.adminUrl}/api/endpoints`)).status, 200)
})

test('token comparison', () => {
  assert.equal(tokenMatches(`Bearer ${TOKEN}`, TOKEN), true)
  assert.equal(tokenMatches(`Bearer ${TOKEN}x`, TOKEN), false)
  assert.equal(tokenMatches(TOKEN, TOKEN), false, 'the Bearer scheme is required')
  assert.equal(tokenMatches(undefined, TOKEN), false)
  assert.equal(tokenMatches('Bearer ', TOKEN), false)
})
