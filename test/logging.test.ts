// Logs are JSON lines; credentials never appear in them.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { spawn } from 'node:child_process'
import { startUpstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'
import { createLogger } from '../src/observe/log.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

test('access lines are off by default and on with accessLog', async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  const quiet = await startProxy({ primary: up.url })
  cleanups.push(quiet.stop)
  await request(`${quiet.url}/a?x=1`)
  assert.equal(quiet.logs.filter((l) => l.msg === 'access').length, 0)

  const loud = await startProxy({ primary: up.url }, { accessLog: true })
  cleanups.push(loud.stop)
  await request(`${loud.url}/a/7?token=t0ps3cret`, { headers: { authorization: 'Bearer abc' } })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const line = loud.logs.find((l) => l.msg === 'access')
  assert.ok(line !== undefined)
  assert.equal(line.path, '/a/7')
  assert.equal(line.endpoint, '/a/:id')
  assert.equal(line.status, 200)
  assert.doesNotMatch(JSON.stringify(loud.logs), /t0ps3cret|Bearer abc/)
})

test('authorization, proxy-authorization, cookie and set-cookie are redacted wherever headers are logged', () => {
  const lines: string[] = []
  const log = createLogger('info', new Writable({ write (c: Buffer, _e, cb) { lines.push(c.toString()); cb() } }))
  const headers = { authorization: 'Bearer a1', 'proxy-authorization': 'Basic b2', cookie: 'sid=c3', 'set-cookie': ['k=d4'], accept: 'x' }
  log.info({ headers }, 'top')
  log.info({ req: { headers } }, 'nested')
  log.info({ sample: { primary: { headers } } }, 'deep')
  const text = lines.join('')
  for (const secret of ['a1', 'b2', 'c3', 'd4']) assert.doesNotMatch(text, new RegExp(secret))
  assert.equal((text.match(/\[redacted\]/g) ?? []).length, 12)
  assert.match(text, /"accept":"x"/)
  // The caller's objects are left as they were.
  assert.equal(headers.authorization, 'Bearer a1')
  assert.deepEqual(headers['set-cookie'], ['k=d4'])
})

test('redaction in logs ignores the letter case of header names and reaches into errors and nested objects', () => {
  const lines: Array<Record<string, any>> = []
  const log = createLogger('info', new Writable({ write (c: Buffer, _e, cb) { lines.push(JSON.parse(c.toString())); cb() } }))
  log.info({ request: { headers: { Authorization: 'Bearer e5', COOKIE: 'sid=f6', Accept: 'y' } } }, 'raw case')
  const err = Object.assign(new Error('upstream said no', { cause: new Error('socket hang up') }), { code: 'E_TEST', headers: { 'Set-Cookie': 'k=g7' } })
  log.error({ err, endpoint: '/a' }, 'failed')
  log.info({ a: { b: { c: { headers: { authorization: 'deep' } } } } }, 'three down')
  const text = JSON.stringify(lines)
  for (const secret of ['e5', 'f6', 'g7']) assert.doesNotMatch(text, new RegExp(secret))
  assert.deepEqual(lines[0]!.request.headers, { Authorization: '[redacted]', COOKIE: '[redacted]', Accept: 'y' })
  // Still an error to pino's serializer: type, message (with its cause's, as pino writes it), stack and its own fields.
  assert.deepEqual([lines[1]!.err.type, lines[1]!.err.message, lines[1]!.err.code, lines[1]!.endpoint], ['Error', 'upstream said no: socket hang up', 'E_TEST', '/a'])
  assert.match(lines[1]!.err.stack, /upstream said no/)
  assert.equal(lines[1]!.err.headers['Set-Cookie'], '[redacted]')
  assert.equal(err.headers['Set-Cookie'], 'k=g7')
  assert.equal(lines[2]!.a.b.c.headers.authorization, '[redacted]')
})

/** Runs test/fixtures/log-writer.ts; what it wrote, stdout lines (by msg) and stderr marks, in the order they arrived. */
async function logWriter (flushMs: number, steps: string[]): Promise<string[]> {
  const child = spawn(process.execPath, [new URL('./fixtures/log-writer.ts', import.meta.url).pathname, String(flushMs), ...steps])
  const seen: string[] = []
  child.stdout.on('data', (c: Buffer) => { for (const l of c.toString().split('\n')) if (l !== '') seen.push((JSON.parse(l) as { msg: string }).msg) })
  child.stderr.on('data', (c: Buffer) => { for (const l of c.toString().split('\n')) if (l !== '') seen.push(l) })
  await new Promise<void>((resolve) => child.on('close', () => resolve()))
  return seen
}

// Each case writes its stderr mark hundreds of ms after the lines it is compared with, on another pipe.
test('stdout logs are buffered: a line waits for more, for the flush timer, for a warning, or for exit, and is never lost', async () => {
  // A quiet info line is written by the timer (here 200 ms) while the process still runs.
  assert.deepEqual(await logWriter(200, ['info', 'wait:1500', 'mark', 'exit']), ['an info line', 'mark'])
  // Without the timer (1 h) the line waits in the buffer, past the mark, and is written at exit.
  assert.deepEqual(await logWriter(3_600_000, ['info', 'wait:500', 'mark', 'exit']), ['mark', 'an info line'])
  // A warning is written at once, and takes the buffered info line with it.
  assert.deepEqual(await logWriter(3_600_000, ['info', 'warn', 'wait:1500', 'mark', 'exit']), ['an info line', 'a warning', 'mark'])
})
