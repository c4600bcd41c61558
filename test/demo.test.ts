// The demo: two versions of the demo service behind shadowsplit; its known regressions show up as
// divergences, its noise as noise.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDemo } from '../src/demo/demo.ts'
import { eventually } from './helpers/proxy.ts'
import { json } from './helpers/http.ts'
import { runCli } from './helpers/cli.ts'
import { createLogger } from '../src/observe/log.ts'
import { Writable } from 'node:stream'

const quiet = createLogger('silent', new Writable({ write (_c, _e, cb) { cb() } }))
let stop: (() => Promise<void>) | null = null
after(async () => { await stop?.() })

test('the demo shows its regressions as divergences and its noise as noise within seconds', async () => {
  const demo = await startDemo({ flags: { listen: '127.0.0.1:0', 'admin-listen': '127.0.0.1:0' }, rps: 100, log: quiet })
  stop = demo.stop
  type E = { endpoint: string; compared: number; divergentPaths: Array<{ path: string }>; noisyPaths: Array<{ path: string }>; verdict: string }
  let endpoints: E[] = []
  await eventually(async () => {
    endpoints = (await json(`${demo.adminUrl}/api/endpoints`)).body
    return endpoints.length === 5 && endpoints.every((e) => e.compared >= 10)
  }, 15_000, 'traffic on every demo endpoint')
  const paths = (name: string): string[] => endpoints.find((e) => e.endpoint === name)!.divergentPaths.map((p) => p.path).sort()
  assert.deepEqual(paths('/api/products/:id'), ['$.price', 'header:cache-control'])
  assert.deepEqual(paths('/api/users/:id'), ['$.email', '$.email_address'])
  assert.deepEqual(paths('/api/search'), ['$.hits[*].name'])
  assert.ok(paths('/api/orders/:id').includes('status') || endpoints.find((e) => e.endpoint === '/api/orders/:id')!.compared < 10)
  const health = endpoints.find((e) => e.endpoint === '/api/health')!
  assert.deepEqual(health.divergentPaths, [])
  const noisy = health.noisyPaths.map((p) => p.path)
  for (const path of ['$.meta.requestId', '$.meta.servedBy', '$.meta.generatedAt']) assert.ok(noisy.includes(path), `${path} is not learnt as noise`)
  const page = await fetch(`${demo.adminUrl}/`)
  assert.notEqual(page.status, 401)
})

test('demo-service runs one version alone and refuses bad flags', async () => {
  const bad = await runCli(['demo-service', '--version', 'v3'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^shadowsplit: demo-service --version: must be v1 or v2/)
})
