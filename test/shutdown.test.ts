// SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the drain timeout, exit 0.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { startCli } from './helpers/cli.ts'
import { startUpstream } from './helpers/upstream.ts'
import { request } from './helpers/http.ts'
import { writeConfig } from './helpers/proxy.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(false) })
    s.once('error', () => resolve(true))
  })
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: the in-flight request completes, new connections are refused, exit 0`, async () => {
    const up = await startUpstream((_req, res) => setTimeout(() => res.end('late but complete'), 600))
    cleanups.push(up.close)
    const run = await startCli(['--primary', up.url])
    const inflight = request(`http://127.0.0.1:${run.port}/slow`)
    await new Promise((resolve) => setTimeout(resolve, 150))
    run.child.kill(signal)
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.equal(await refused(run.port), true, 'a new connection was accepted while draining')
    const res = await inflight
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'late but complete')
    assert.equal(res.headers.connection, 'close')
    const exit = await run.exited
    assert.equal(exit.code, 0, exit.stderr)
    assert.ok(run.lines.some((l) => l.msg === 'stopped' && l.clean === true))
  })
}

test('a request outliving the drain timeout is cut, and the exit is still clean', async () => {
  const up = await startUpstream(() => { /* never answers */ })
  cleanups.push(up.close)
  const run = await startCli(['--config', writeConfig({ primary: up.url, server: { drainTimeout: '300ms' } })])
  const inflight = request(`http://127.0.0.1:${run.port}/forever`).then(() => 'answered', () => 'cut')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  run.child.kill('SIGTERM')
  const exit = await run.exited
  assert.equal(exit.code, 0)
  assert.ok(Date.now() - started < 3000, 'exit waited far beyond the drain timeout')
  assert.equal(await inflight, 'cut')
  assert.ok(run.lines.some((l) => l.msg === 'stopped' && l.clean === false))
})
