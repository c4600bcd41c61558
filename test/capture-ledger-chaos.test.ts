// A leak in the capture ledger would be silent and lasting: once capture.maxBytes is used up by bytes nobody gives
// back, every later exchange is dropped as diff_queue_full and the proxy compares nothing again until it restarts.
// So this test mixes, with a small ledger that is often full, every way an exchange can end at once: matches and
// divergences (inline, in the worker, with samples), gzip and chunked bodies, bodies over capture.bodyLimit, a
// candidate that breaks off, answers 500 or too late, a primary that is slow, clients that give up before or during
// the response, request bodies under and over mirrorBodyLimit, a secondary on half the requests. Which path each
// exchange takes depends on timing; what must hold whatever the timing is that every captured byte comes back, and
// that the proxy still compares afterwards.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { gzipSync } from 'node:zlib'
import type { Handler } from './helpers/upstream.ts'
import { eventually, metricValue, metricsText } from './helpers/proxy.ts'
import { testScope } from './helpers/scope.ts'
import { request } from './helpers/http.ts'

const { upstream, proxy } = testScope()

const KINDS = ['same', 'diff', 'gzip', 'chunked', 'big', 'slowprimary', 'cbroken', 'cslow', 'c500'] as const
type Kind = typeof KINDS[number]

function doc (kind: string, side: 'p' | 'c', size: number): Buffer {
  const value = side === 'c' && kind !== 'same' ? 2 : 1
  return Buffer.from(JSON.stringify({ kind, value, pad: 'x'.repeat(size) }))
}

function handler (side: 'p' | 'c'): Handler {
  return (req, res) => {
    const kind = (req.url ?? '').split('/')[2] as Kind
    const json = { 'content-type': 'application/json' }
    const body = doc(kind, side, kind === 'big' ? 400_000 : 30_000)
    if (kind === 'gzip') { const z = gzipSync(body); res.writeHead(200, { ...json, 'content-encoding': 'gzip', 'content-length': z.length }); res.end(z); return }
    if (kind === 'chunked') { res.writeHead(200, json); res.write(body.subarray(0, 10_000)); setTimeout(() => res.end(body.subarray(10_000)), 5); return }
    if (side === 'p' && kind === 'slowprimary') { res.writeHead(200, { ...json, 'content-length': body.length }); res.write(body.subarray(0, 15_000)); setTimeout(() => res.end(body.subarray(15_000)), 150); return }
    if (side === 'c' && kind === 'cbroken') { res.writeHead(200, { ...json, 'content-length': body.length }); res.write(body.subarray(0, 12_000), () => res.destroy()); return }
    if (side === 'c' && kind === 'cslow') { res.writeHead(200, { ...json, 'content-length': body.length }); res.write(body.subarray(0, 12_000)); setTimeout(() => res.destroy(), 600); return }
    if (side === 'c' && kind === 'c500') { res.writeHead(500, { ...json, 'content-length': body.length }); res.end(body); return }
    res.writeHead(200, { ...json, 'content-length': body.length })
    res.end(body)
  }
}

/** A small deterministic generator, so that the mix of requests is the same on every run (their timing is not). */
function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** One client request that may give up: before the response (after `abortMs`), or once the headers are in. */
async function client (url: string, how: 'full' | 'abortEarly' | 'abortOnHeaders', abortMs: number, body: Buffer | null): Promise<string> {
  return await new Promise((resolve) => {
    const req = http.request(url, {
      method: body === null ? 'GET' : 'POST',
      agent: false,
      headers: body === null ? {} : { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }
    }, (res) => {
      if (how === 'abortOnHeaders') { req.destroy(); resolve('aborted'); return }
      res.resume()
      res.on('end', () => resolve(String(res.statusCode)))
      res.on('error', () => resolve('error'))
    })
    req.on('error', () => resolve('error'))
    if (how === 'abortEarly') setTimeout(() => { req.destroy(); resolve('aborted') }, abortMs)
    if (body === null) { req.end(); return }
    // The body in two pieces, so that some copies are abandoned part way when it outgrows mirrorBodyLimit.
    req.write(body.subarray(0, body.length >> 1))
    setTimeout(() => req.end(body.subarray(body.length >> 1)), 2)
  })
}

test('whatever way each of many concurrent exchanges ends, every captured byte comes back and comparing goes on', async () => {
  const primary = await upstream(handler('p'))
  const candidate = await upstream(handler('c'))
  const p = await proxy({ primary: primary.url, candidate: candidate.url, secondary: 'primary' }, {
    capture: { bodyLimit: '256KiB', maxBytes: '1MiB' },
    defaultRoute: { mirrorMethods: ['GET', 'POST'], mirrorBodyLimit: '16KiB', secondaryPercent: 50, budget: { timeout: 300 } }
  })
  const next = rng(4242)
  const outcomes = new Map<string, number>()
  const jobs = Array.from({ length: 240 }, (_, i) => {
    const kind = KINDS[Math.floor(next() * KINDS.length)]!
    const r = next()
    const how = r < 0.6 ? 'full' : r < 0.8 ? 'abortEarly' : 'abortOnHeaders'
    const b = next()
    const body = b < 0.7 ? null : Buffer.alloc(b < 0.85 ? 8_000 : 40_000, 7)
    return { url: `${p.url}/k/${kind}/${i}`, how, abortMs: Math.floor(next() * 40), body } as const
  })
  // 24 at a time.
  let at = 0
  await Promise.all(Array.from({ length: 24 }, async () => {
    while (at < jobs.length) {
      const j = jobs[at++]!
      const o = await client(j.url, j.how, j.abortMs, j.body)
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1)
    }
  }))
  assert.ok((outcomes.get('200') ?? 0) > 100, `too few complete answers to mean anything: ${JSON.stringify([...outcomes])}`)
  assert.ok((outcomes.get('aborted') ?? 0) > 30, `too few clients gave up: ${JSON.stringify([...outcomes])}`)

  const t0 = await metricsText(p)
  const results = (t: string): Record<string, number> => Object.fromEntries(['match', 'diverge', 'error', 'skipped', 'noise_only']
    .map((result) => [result, metricValue(t, 'shadowsplit_diffs_total', { result })]))
  // The mix reached the paths it is for: compared and diverging, failed copies, and exchanges with no room.
  await eventually(async () => { const r = results(await metricsText(p)); return r.diverge > 0 && r.error > 0 }, 20_000, 'divergences and failed copies counted')
  assert.ok(metricValue(t0, 'shadowsplit_mirror_skipped_total', { reason: 'diff_queue_full' }) + results(t0).skipped > 0, 'the ledger never filled: the small bound did not bite')

  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_capture_bytes') === 0, 60_000, 'every captured byte given back')

  // And the proxy still compares: one more divergent exchange is counted as such.
  const before = results(await metricsText(p)).diverge
  assert.equal((await request(`${p.url}/k/diff/last`)).status, 200)
  await eventually(async () => results(await metricsText(p)).diverge === before + 1, 20_000, 'a comparison after the storm')
  await eventually(async () => metricValue(await metricsText(p), 'shadowsplit_capture_bytes') === 0, 20_000, 'its bytes given back too')
})

