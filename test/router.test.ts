// Route matching: method, prefix, template, regex and headers; first match wins; the default takes the rest.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { Router } from '../src/proxy/router.ts'
import { loadConfig } from '../src/config/load.ts'
import { writeConfig } from './helpers/proxy.ts'
import { bucketOf, cookieValue, hash32 } from '../src/proxy/sticky-hash.ts'

function router (routes: unknown[]): Router {
  const { config } = loadConfig({ flags: { config: writeConfig({ primary: 'http://p:1', candidate: 'http://c:1', routes }) }, env: {} })
  return new Router(config.routes, config.defaultRoute)
}
const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers }) as unknown as IncomingMessage

test('each condition, and the first match wins', () => {
  const r = router([
    { name: 'writes', match: { methods: ['POST', 'PUT'] } },
    { name: 'users', match: { template: '/users/:id' } },
    { name: 'static', match: { prefix: '/static/' } },
    { name: 'v2', match: { regex: '^/v2/(a|b)$' } },
    { name: 'beta', match: { headers: { 'X-Beta': 'yes' } } },
    { name: 'traced', match: { headers: { 'x-trace': '*' } } },
    { name: 'both', match: { methods: ['GET'], prefix: '/both', headers: { 'x-k': 'v' } } }
  ])
  const at = (method: string, path: string, headers?: Record<string, string>) => r.match(req(method, headers), path).name
  assert.equal(at('POST', '/users/1'), 'writes')
  assert.equal(at('GET', '/users/1'), 'users')
  assert.equal(at('GET', '/users/1/x'), 'default')
  assert.equal(at('GET', '/static/app.js'), 'static')
  assert.equal(at('GET', '/v2/a'), 'v2')
  assert.equal(at('GET', '/v2/c'), 'default')
  assert.equal(at('GET', '/x', { 'x-beta': 'yes' }), 'beta')
  assert.equal(at('GET', '/x', { 'x-beta': 'no' }), 'default')
  assert.equal(at('GET', '/x', { 'x-trace': 'anything' }), 'traced')
  assert.equal(at('GET', '/both', { 'x-k': 'v' }), 'both')
  assert.equal(at('GET', '/both', {}), 'default')
})

test('routes inherit the default route knobs they leave out', () => {
  const { config } = loadConfig({
    flags: { config: writeConfig({ primary: 'http://p:1', candidate: 'http://c:1', defaultRoute: { mirrorPercent: 7, budget: { maxInflight: 3 } }, routes: [{ name: 'a', budget: { maxRps: 9 } }] }) },
    env: {}
  })
  assert.equal(config.routes[0].mirrorPercent, 7)
  assert.deepEqual([config.routes[0].budget.maxInflight, config.routes[0].budget.maxRps], [3, 9])
})

test('the sticky hash is deterministic and spreads similar keys', () => {
  assert.equal(hash32('user-1'), hash32('user-1'))
  assert.notEqual(hash32('user-1'), hash32('user-2'))
  const buckets = Array(10).fill(0)
  for (let i = 0; i < 10_000; i++) buckets[Math.floor(bucketOf(`user-${i}`) / 10)]++
  for (const b of buckets) assert.ok(b > 850 && b < 1150, `uneven deciles: ${buckets.join(',')}`)
  assert.equal(cookieValue('a=1; sid=xyz ; b=2', 'sid'), 'xyz')
  assert.equal(cookieValue('a=1', 'sid'), undefined)
})
