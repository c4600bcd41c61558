// The executable: help, version, check, and one clear line with exit code 2 for every kind of bad input.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { chmodSync, readFileSync } from 'node:fs'
import { runCli, startCli } from './helpers/cli.ts'
import { startUpstream } from './helpers/upstream.ts'
import { writeConfig } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'
import { availableMemory, heapFlags } from '../bin/heap-flags.js'

const cleanups: Array<() => Promise<void> | void> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

test('--help lists every flag and its env twin', async () => {
  const r = await runCli(['--help'])
  assert.equal(r.code, 0)
  for (const flag of ['--config', '--primary', '--candidate', '--listen', '--admin-listen', '--mode', '--mirror-percent', '--split-percent', '--sticky-by', '--log-level']) {
    assert.match(r.stdout, new RegExp(`  ${flag} `))
  }
  assert.match(r.stdout, /SHADOWSPLIT_MIRROR_PERCENT/)
})

test('check prints the resolved configuration', async () => {
  const r = await runCli(['check', '--primary', 'http://127.0.0.1:1'], { SHADOWSPLIT_LISTEN: '127.0.0.1:7000' })
  assert.equal(r.code, 0)
  const c = JSON.parse(r.stdout)
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 7000 })
})

async function busyPort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => { server.close() })
  return (server.address() as AddressInfo).port
}

const unreadable = writeConfig({ primary: 'http://127.0.0.1:1' })
chmodSync(unreadable, 0o000)

const badInputs: Array<[string, () => Promise<string[]>, RegExp]> = [
  ['bad URL', async () => ['--primary', 'htp:/nowhere'], /^shadowsplit: --primary: must use http or https/],
  ['unknown key', async () => ['--config', writeConfig({ primary: 'http://127.0.0.1:1', lissten: '1' })], /^shadowsplit: lissten: unknown key \(did you mean 'listen'\?\)/],
  ['wrong type', async () => ['--config', writeConfig({ primary: 'http://127.0.0.1:1', upstream: { connections: [] } })], /^shadowsplit: upstream\.connections: must be an integer/],
  ['out-of-range port', async () => ['--primary', 'http://127.0.0.1:1', '--listen', '127.0.0.1:65536'], /^shadowsplit: --listen: port must be between 0 and 65535/],
  ['port already in use', async () => ['--primary', 'http://127.0.0.1:1', '--listen', `127.0.0.1:${await busyPort()}`, '--admin-listen', '127.0.0.1:0'], /^shadowsplit: listen: address 127\.0\.0\.1:\d+ is already in use/],
  ['admin port already in use', async () => ['--primary', 'http://127.0.0.1:1', '--listen', '127.0.0.1:0', '--admin-listen', `127.0.0.1:${await busyPort()}`], /^shadowsplit: adminListen: address 127\.0\.0\.1:\d+ is already in use/],
  ['missing file', async () => ['--config', '/no/such/file.yaml'], /^shadowsplit: --config \/no\/such\/file\.yaml: cannot read file \(ENOENT\)/],
  ['unknown flag', async () => ['--primray', 'http://127.0.0.1:1'], /^shadowsplit: --primray: unknown flag \(see --help\)/],
  ['flag without value', async () => ['--primary'], /^shadowsplit: --primary: needs a value/],
  ['no primary', async () => [], /^shadowsplit: primary: is required/]
]
if (process.getuid?.() !== 0) badInputs.push(['unreadable file', async () => ['--config', unreadable], /cannot read file \(EACCES\)/])

for (const [name, args, pattern] of badInputs) {
  test(`${name}: exit 2 and one line`, async () => {
    const r = await runCli(await args(), { SHADOWSPLIT_PRIMARY: '' })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, pattern)
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `more than one line:\n${r.stderr}`)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
  })
}

test('a new user: npx-style start proxies curl-like requests and exposes metrics', async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  const run = await startCli(['--primary', up.url])
  cleanups.push(() => { run.child.kill('SIGKILL') })
  const res = await request(`http://127.0.0.1:${run.port}/hello?x=1`)
  assert.equal(res.status, 200)
  assert.equal(JSON.parse(res.body.toString()).url, '/hello?x=1')
  const metrics = await (await fetch(`http://127.0.0.1:${run.adminPort}/metrics`)).text()
  assert.match(metrics, /shadowsplit_requests_total\{target="primary",served="client",endpoint="\/hello",method="GET",status_class="2xx"\} 1/)
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0)
})

// The launcher starts Node with the heap flags (bin/shadowsplit.js) in the same process (execve), so the pid a
// supervisor holds is the proxy's. Read back from /proc, so Linux only.
const procCmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '')
const linuxOnly = { skip: process.platform !== 'linux' ? 'reads /proc' : false }

test('the proxy runs with the launcher\'s V8 heap flags, in the process that was started', linuxOnly, async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  const r = await startCli(['--primary', up.url])
  cleanups.push(async () => { r.child.kill('SIGTERM'); await r.exited })
  const argv = procCmdline(r.child.pid!)
  // Sized to this machine's memory (test/heap-flags.test.ts checks the sizing itself).
  for (const flag of heapFlags(availableMemory())) {
    assert.ok(argv.includes(flag), `${flag} missing from ${argv.join(' ')}`)
  }
  assert.equal((await request(`http://127.0.0.1:${r.port}/x`)).status, 200)
})

test('SHADOWSPLIT_NODE_FLAGS replaces the heap flags; empty means none', linuxOnly, async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  for (const [value, expected] of [['', []], ['--max-semi-space-size=8', ['--max-semi-space-size=8']]] as const) {
    const r = await startCli(['--primary', up.url], { SHADOWSPLIT_NODE_FLAGS: value })
    const argv = procCmdline(r.child.pid!)
    r.child.kill('SIGTERM')
    assert.equal((await r.exited).code, 0)
    // Node's own options come before the script (bin/shadowsplit.js, or src/cli.ts after a re-exec).
    const flags = argv.slice(1, argv.findIndex((a, i) => i > 0 && !a.startsWith('--')))
    assert.deepEqual(flags.filter((f) => !f.includes('strip-types') && !f.startsWith('--no-warnings')), [...expected])
  }
})

test('a bad SHADOWSPLIT_NODE_FLAGS fails at once, naming the option', async () => {
  const r = await runCli(['check', '--primary', 'http://127.0.0.1:1'], { SHADOWSPLIT_NODE_FLAGS: '--no-such-v8-flag-xyz' })
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /bad option: --no-such-v8-flag-xyz/)
})
