// capture.maxBytes: every byte kept for comparison — in flight, queued, at a worker, becoming a sample — is taken
// from one ledger, so what comparing adds to memory has one bound however many exchanges are open; an exchange
// that finds no room is counted (diff_queue_full) and every byte goes back once the pipeline is done with it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { BodyCapture, CaptureLedger } from '../src/proxy/capture.ts'
import { loadConfig } from '../src/config/load.ts'
import type { Handler } from './helpers/upstream.ts'
import { eventually, metricValue, metricsText, writeConfig } from './helpers/proxy.ts'
import { testScope } from './helpers/scope.ts'
import { request } from './helpers/http.ts'
import { bigJson } from './helpers/bodies.ts'

const { upstream, proxy } = testScope()

const captured = (text: string): number => metricValue(text, 'shadowsplit_capture_bytes')

test('captures take their bytes from the ledger, keep nothing once it is full, and give every byte back once', () => {
  const ledger = new CaptureLedger(() => 250_000)
  const body = randomBytes(150_000)

  const announced = new BodyCapture(1 << 20, ledger)
  announced.expect(100_000)
  announced.add(body.subarray(0, 100_000))
  const a = announced.finish()
  assert.equal(a.held, 100_000)
  assert.ok(a.bytes!.equals(body.subarray(0, 100_000)))

  const chunked = new BodyCapture(1 << 20, ledger)
  for (let i = 0; i < 3; i++) chunked.add(body.subarray(i * 50_000, (i + 1) * 50_000))
  const b = chunked.finish()
  assert.deepEqual([b.held, b.dropped, ledger.used], [150_000, false, 250_000])
  assert.ok(b.bytes!.equals(body))

  const late = new BodyCapture(1 << 20, ledger)
  late.add(body.subarray(0, 1))
  const c = late.finish()
  assert.deepEqual([c.bytes, c.sha256, c.dropped, c.held, c.length], [null, null, true, 0, 1])

  ledger.release(a)
  ledger.release(a)
  assert.equal(ledger.used, 150_000, 'a second release gives nothing back')

  // An announced length that does not fit drops the capture before anything is copied; later chunks are counted only.
  const big = new BodyCapture(1 << 20, ledger)
  big.expect(120_000)
  big.add(body.subarray(0, 60_000))
  big.add(body.subarray(60_000, 120_000))
  assert.deepEqual([big.finish().dropped, ledger.used], [true, 150_000])

  // Room taken chunk by chunk goes back when the capture is dropped part way, or discarded.
  const partway = new BodyCapture(1 << 20, ledger)
  partway.add(body.subarray(0, 90_000))
  partway.add(body.subarray(0, 20_000))
  assert.equal(ledger.used, 150_000, 'the first chunk was given back when the second found no room')
  assert.equal(partway.finish().dropped, true)
  const abandoned = new BodyCapture(1 << 20, ledger)
  abandoned.add(body.subarray(0, 40_000))
  assert.equal(ledger.used, 190_000)
  abandoned.discard()
  assert.equal(ledger.used, 150_000)

  // Past capture.bodyLimit only a digest is kept, and the bytes taken so far go back.
  const over = new BodyCapture(60_000, ledger)
  over.add(body.subarray(0, 50_000))
  over.add(body.subarray(50_000, 100_000))
  const d = over.finish()
  assert.deepEqual([d.bytes, d.held, ledger.used], [null, 0, 150_000])
  assert.equal(d.sha256, createHash('sha256').update(body.subarray(0, 100_000)).digest('hex'))

  ledger.release(b)
  assert.equal(ledger.used, 0)
})

test('capture.maxBytes below the two sides of one exchange is a config error naming both settings', () => {
  const config = writeConfig({ capture: { bodyLimit: '1MiB', maxBytes: '1536KiB' } })
  assert.throws(() => loadConfig({ flags: { config, primary: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:2' }, env: {} }), /capture\.maxBytes.*capture\.bodyLimit/)
  const fits = writeConfig({ capture: { bodyLimit: '1MiB', maxBytes: '2MiB' } })
  assert.equal(loadConfig({ flags: { config: fits, primary: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:2' }, env: {} }).config.capture.maxBytes, 2 * 1024 ** 2)
})


const serve = (body: Buffer): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}

test('with room for about one exchange, concurrent large exchanges are compared or counted, clients get every byte, and the ledger empties', async () => {
  const primaryBody = bigJson(8000, 1)
  const primary = await upstream(serve(primaryBody))
  const candidate = await upstream(serve(bigJson(8000, 2)))
  assert.ok(primaryBody.length > 600_000)
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { capture: { bodyLimit: '1MiB', maxBytes: '2MiB' } })
  const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => await request(`${p.url}/big/${i}`)))
  assert.ok(answers.every((a) => a.status === 200 && a.body.equals(primaryBody)), 'a client got less than the primary sent')
  const counts = async (): Promise<{ compared: number; skippedMirrors: number; skippedDiffs: number; held: number }> => {
    const t = await metricsText(p)
    return {
      compared: metricValue(t, 'shadowsplit_diffs_total', { result: 'diverge' }),
      skippedMirrors: metricValue(t, 'shadowsplit_mirror_skipped_total', { reason: 'diff_queue_full' }),
      skippedDiffs: metricValue(t, 'shadowsplit_diffs_total', { result: 'skipped' }),
      held: captured(t)
    }
  }
  await eventually(async () => { const c = await counts(); return c.compared + c.skippedMirrors === 30 }, 20_000, 'every request compared or counted')
  await eventually(async () => (await counts()).held === 0, 20_000, 'every captured byte given back')
  const c = await counts()
  assert.ok(c.compared >= 1, 'nothing was compared')
  assert.ok(c.skippedMirrors >= 1, 'nothing was counted as diff_queue_full: the bound did not bite')
  // Copies that were sent and then found no room are diffs "skipped"; the rest were never sent.
  assert.equal(candidate.seen.length, c.compared + c.skippedDiffs)
})

test('every way an exchange ends gives its captured bytes back: match inline or in a worker, divergence with a sample, candidate failure and timeout, and a copy abandoned part way', async () => {
  const same = Buffer.from(JSON.stringify({ a: 1, pad: 'x'.repeat(50_000) }))
  const primary = await upstream((req, res) => {
    if (req.url === '/order') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ a: 1, b: 2, pad: 'z'.repeat(20_000) })); return }
    if (req.url === '/diff') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ a: 1, pad: 'y'.repeat(40_000) })); return }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(same)
  })
  const candidate = await upstream((req, res) => {
    if (req.url === '/order') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ b: 2, pad: 'z'.repeat(20_000), a: 1 })); return }
    if (req.url === '/diff') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ a: 2, pad: 'y'.repeat(40_000) })); return }
    if (req.url === '/broken') { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100_000 }); res.write('x'.repeat(30_000), () => res.destroy()); return }
    if (req.url === '/slow') { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100_000 }); res.write('x'.repeat(30_000)); setTimeout(() => res.destroy(), 1500); return }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(same)
  })
  const p = await proxy({ primary: primary.url, candidate: candidate.url, secondary: 'primary' }, {
    defaultRoute: { mirrorMethods: ['GET', 'POST'], mirrorBodyLimit: '16KiB', budget: { timeout: 300 } }
  })
  const held = async (): Promise<number> => captured(await metricsText(p))
  const settled = async (what: string): Promise<void> => { await eventually(async () => await held() === 0, 20_000, `${what}: every captured byte given back`) }

  // /same is concluded inline (identical bytes); /order in a worker (same document, keys reordered), without a sample.
  for (const path of ['/same', '/order', '/diff', '/broken']) {
    assert.equal((await request(`${p.url}${path}`)).status, 200)
    await settled(path)
  }
  const t = await metricsText(p)
  assert.deepEqual(['match', 'diverge', 'error'].map((result) => metricValue(t, 'shadowsplit_diffs_total', { result })), [2, 1, 1])
  await eventually(async () => (await (await fetch(`${p.adminUrl}/api/divergences`)).json() as unknown[]).length === 1, 20_000, 'the sample')
  await settled('after the sample was built')

  // The candidate times out after 300 ms with 30 KB captured; while it waits, those bytes are held.
  const slow = request(`${p.url}/slow`)
  await eventually(async () => await held() > 0, 5000, 'bytes held while the copy is in flight')
  assert.equal((await slow).status, 200)
  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_diffs_total', { result: 'error' }) >= 2, 5000, 'the failed and the timed-out copies')
  await settled('/slow')

  // A chunked body that outgrows mirrorBodyLimit part way: the copy is abandoned after the decision to send it.
  const post = await request(`${p.url}/upload`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/octet-stream' }, body: randomBytes(64 * 1024) })
  assert.equal(post.status, 200)
  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_mirror_skipped_total', { reason: 'body_too_large' }) === 1, 5000, 'the abandoned copy counted')
  await settled('the abandoned copy')
})
