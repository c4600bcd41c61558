// Config comes from file < env < flag over defaults, validated by one schema.
import { test } from 'node:test'
import { writeFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { loadConfig } from '../src/config/load.ts'
import { ConfigError } from '../src/config/schema-kit.ts'
import { writeConfig } from './helpers/proxy.ts'
import { EXAMPLE_PATH } from '../scripts/gen-docs.ts'

const load = (flags: Record<string, string> = {}, env: Record<string, string> = {}) => loadConfig({ flags, env }).config

function rejects (fn: () => unknown, key: string, pattern: RegExp): void {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.key, key)
    assert.match(err.message, pattern)
    assert.doesNotMatch(err.message, /\n/, 'one line')
    return
  }
  assert.fail('expected a config error')
}

test('defaults fill everything not given', () => {
  const c = load({ primary: 'http://127.0.0.1:3000' })
  assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8080 })
  assert.deepEqual(c.adminListen, { host: '127.0.0.1', port: 9901 })
  assert.equal(c.server.keepAliveTimeout, 72_000)
  assert.equal(c.upstream.rejectUnauthorized, true)
  assert.equal(c.defaultRoute.mode, 'off', 'no candidate: pass-through')
  assert.equal(c.defaultRoute.mirrorPercent, 100)
  assert.equal(c.targetHeader, 'x-shadowsplit-target')
})

test('precedence: flag > env > file > default', () => {
  const file = writeConfig({ primary: 'http://file:1', listen: '127.0.0.1:1111', logLevel: 'warn', accessLog: true })
  const c1 = load({ config: file }, {})
  assert.deepEqual([c1.primary, c1.listen.port, c1.logLevel, c1.accessLog], [['http://file:1'], 1111, 'warn', true])
  const c2 = load({ config: file }, { SHADOWSPLIT_PRIMARY: 'http://env:2', SHADOWSPLIT_LISTEN: '127.0.0.1:2222' })
  assert.deepEqual([c2.primary, c2.listen.port, c2.logLevel], [['http://env:2'], 2222, 'warn'])
  const c3 = load({ config: file, primary: 'http://flag:3' }, { SHADOWSPLIT_PRIMARY: 'http://env:2', SHADOWSPLIT_LISTEN: '127.0.0.1:2222' })
  assert.deepEqual([c3.primary, c3.listen.port], [['http://flag:3'], 2222])
  const c4 = load({}, { SHADOWSPLIT_CONFIG: file })
  assert.deepEqual(c4.primary, ['http://file:1'])
})

test('JSON files work like YAML files', () => {
  const file = writeConfig({ primary: ['http://a:1', 'http://b:2'], upstream: { connections: 8 } }, 'c.json')
  const c = load({ config: file })
  assert.deepEqual(c.primary, ['http://a:1', 'http://b:2'])
  assert.equal(c.upstream.connections, 8)
})

test('comma-separated origins, durations and sizes', () => {
  const file = writeConfig({ upstream: { headersTimeout: '1.5s', connectTimeout: 250 }, capture: { bodyLimit: '64KiB' } })
  const c = load({ config: file, primary: 'http://a:1, https://b.example' })
  assert.deepEqual(c.primary, ['http://a:1', 'https://b.example'])
  assert.equal(c.upstream.headersTimeout, 1500)
  assert.equal(c.upstream.connectTimeout, 250)
  assert.equal(c.capture.bodyLimit, 65536)
})

test('bad values name the flag, env var or key', () => {
  rejects(() => load({ primary: 'ftp://x' }), '--primary', /http or https/)
  rejects(() => load({ primary: 'http://a:1/path' }), '--primary', /origin without path/)
  rejects(() => load({}, { SHADOWSPLIT_PRIMARY: 'not a url' }), 'SHADOWSPLIT_PRIMARY', /not a valid URL/)
  rejects(() => load({ primary: 'http://a:1', listen: '0.0.0.0:70000' }), '--listen', /port must be between 0 and 65535/)
  rejects(() => load({ primary: 'http://a:1', 'mirror-percent': 'lots' }), '--mirror-percent', /number between 0 and 100/)
  rejects(() => load({ primary: 'http://a:1', 'log-level': 'loud' }), '--log-level', /one of fatal, error/)
  rejects(() => load({}), 'primary', /is required/)
  rejects(() => load({ primary: 'http://a:1', mode: 'mirror' }), '--mode', /needs a candidate/)
})

test('unknown keys and wrong types in a file are refused, with a hint for typos', () => {
  rejects(() => load({ config: writeConfig({ primary: 'http://a:1', upstrem: {} }) }), 'upstrem', /unknown key \(did you mean 'upstream'\?\)/)
  rejects(() => load({ config: writeConfig({ primary: 'http://a:1', upstream: { conections: 3 } }) }), 'upstream.conections', /did you mean 'connections'/)
  rejects(() => load({ config: writeConfig({ primary: 'http://a:1', upstream: { connections: 'many' } }) }), 'upstream.connections', /must be an integer/)
  rejects(() => load({ config: writeConfig({ primary: 'http://a:1', accessLog: 'yes please' }) }), 'accessLog', /true or false/)
  rejects(() => load({ config: writeConfig({ primary: 'http://a:1', server: { drainTimeout: 'soon' } }) }), 'server.drainTimeout', /duration/)
})

test('unreadable and unparsable files', () => {
  rejects(() => load({ config: '/nonexistent/shadowsplit.yaml' }), '--config /nonexistent/shadowsplit.yaml', /cannot read file \(ENOENT\)/)
  const bad = writeConfig({})
  writeFileSync(bad, 'primary: [unclosed\n')
  rejects(() => load({ config: bad }), `--config ${bad}`, /invalid YAML/)
})

test('config/example.yaml is a valid configuration', () => {
  const c = load({ config: EXAMPLE_PATH })
  assert.equal(c.routes.length, 1)
  assert.equal(c.routes[0].mode, 'mirror')
})
