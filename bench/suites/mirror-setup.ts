// Suite mirror, the setup: one primary, two counting candidates (fast, 100 ms late), and per candidate a
// shadowsplit, an nginx mirror listener and a hand-made Node mirror. Every target's runs are bracketed by
// hooks that measure what the candidate really received and what shadowsplit says it skipped.
import { startPrimary, startCountingServer } from '../lib/upstream.ts'
import type { CountingServer, Upstream } from '../lib/upstream.ts'
import { startShadowsplit } from '../lib/shadowsplit.ts'
import { startNodePeer } from '../lib/peers.ts'
import { startNginxMirror } from '../lib/nginx-mirror.ts'
import { LOAD_PATH } from '../lib/payload.ts'
import { sleep } from '../lib/net.ts'
import { writeResult } from '../lib/results.ts'
import { byLabel, diffCounts, scrape, sumOf } from '../lib/prom.ts'
import type { Sample } from '../lib/prom.ts'
import type { Target } from '../lib/rounds.ts'
import type { SuiteContext } from './suite.ts'

export const SLOW_MS = 100
const SETTLE_MAX_MS = 10_000
const SKIPPED = 'shadowsplit_mirror_skipped_total'
const REQUESTS = 'shadowsplit_requests_total'

export type Peer = 'shadowsplit' | 'nginx' | 'node-mirror'
export type CandidateKey = 'fast' | 'slow'

export interface MirrorExtra {
  /** Requests the candidate received during the run (and the straggling copies that landed after it). */
  mirrored: number
  /** Requests the primary received during the run: the base of the mirrored share. */
  primaryReceived: number
  /** shadowsplit only: skipped mirrors by reason, and copies it says it sent (served="shadow"). */
  skips: Record<string, number> | null
  shadowSent: number | null
}

export interface MirrorTarget extends Target<MirrorExtra> {
  peer: Peer
  candidate: CandidateKey
}

export interface MirrorSetup {
  primary: Upstream
  targets: MirrorTarget[]
  notes: string[]
}

// Copies still in flight when wrk stops (up to 100 ms late) must land before the count is read or reset.
async function settle (c: CountingServer): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS
  let last = -1
  let stable = 0
  while (Date.now() < deadline) {
    const { received, inflight } = await c.count()
    if (inflight === 0 && received === last) {
      if (++stable >= 2) return
    } else {
      stable = 0
    }
    last = received
    await sleep(100)
  }
}

function countingHooks (c: CountingServer, primary: Upstream, metricsUrl: string | null): Pick<MirrorTarget, 'before' | 'after'> {
  let primaryBefore = 0
  let metricsBefore: Sample[] = []
  return {
    before: async () => {
      await settle(c)
      await c.reset()
      primaryBefore = await primary.received()
      if (metricsUrl !== null) metricsBefore = await scrape(metricsUrl)
    },
    after: async () => {
      await settle(c)
      const mirrored = (await c.count()).received
      const primaryReceived = (await primary.received()) - primaryBefore
      if (metricsUrl === null) return { mirrored, primaryReceived, skips: null, shadowSent: null }
      const m = await scrape(metricsUrl)
      return {
        mirrored,
        primaryReceived,
        skips: diffCounts(byLabel(m, SKIPPED, 'reason'), byLabel(metricsBefore, SKIPPED, 'reason')),
        shadowSent: sumOf(m, REQUESTS, { served: 'shadow' }) - sumOf(metricsBefore, REQUESTS, { served: 'shadow' })
      }
    }
  }
}

export async function setUpMirror (ctx: SuiteContext, stops: Array<() => Promise<void>>): Promise<MirrorSetup> {
  const notes: string[] = []
  const primary = await startPrimary(ctx.nginx)
  stops.push(primary.stop)
  const candidates: Record<CandidateKey, CountingServer> = {
    fast: await startCountingServer('candidate (fast)', 0),
    slow: await startCountingServer(`candidate (${SLOW_MS} ms late)`, SLOW_MS)
  }
  stops.push(candidates.fast.stop, candidates.slow.stop)
  const keys: CandidateKey[] = ['fast', 'slow']
  const byPeer: Record<Peer, Partial<Record<CandidateKey, MirrorTarget>>> = { shadowsplit: {}, nginx: {}, 'node-mirror': {} }

  for (const key of keys) {
    const c = candidates[key]
    try {
      const ss = await startShadowsplit({ name: `shadowsplit (${key})`, primary: primary.origin, candidate: c.origin, mode: 'mirror', mirrorPercent: 100 })
      stops.push(ss.stop)
      if (key === 'fast') notes.push(`shadowsplit: \`${ss.command}\` (the ${key} candidate's URL differs per target).`)
      byPeer.shadowsplit[key] = { name: `shadowsplit → ${key}`, peer: 'shadowsplit', candidate: key, url: ss.url + LOAD_PATH, procs: [ss.proc], ...countingHooks(c, primary, ss.metricsUrl) }
    } catch (err) {
      notes.push(`shadowsplit → ${key}: **could not start in mirror mode** (${(err as Error).message.split('\n').slice(0, 4).join(' / ')}).`)
    }
    const node = await startNodePeer(`node-mirror (${key})`, 'node-mirror.ts', ['--primary', primary.origin, '--candidate', c.origin])
    stops.push(node.stop)
    byPeer['node-mirror'][key] = { name: `node-mirror → ${key}`, peer: 'node-mirror', candidate: key, url: node.url + LOAD_PATH, procs: [node.proc], ...countingHooks(c, primary, null) }
  }

  if ('missing' in ctx.nginx) {
    notes.push(`nginx mirror: skipped (${ctx.nginx.missing}).`)
  } else if (!ctx.nginx.hasMirror) {
    notes.push('nginx mirror: skipped (this nginx was built --without-http_mirror_module).')
  } else {
    const nm = await startNginxMirror(ctx.nginx, primary.origin, keys.map((key) => ({ key, origin: candidates[key].origin })))
    stops.push(nm.stop)
    notes.push(`nginx mirror: \`mirror /__shadow; mirror_request_body on;\`, keep-alive upstream pools, 1 worker (config: ${writeResult('nginx-mirror.conf', nm.conf)}).`)
    for (const key of keys) {
      byPeer.nginx[key] = { name: `nginx mirror → ${key}`, peer: 'nginx', candidate: key, url: (nm.urls[key] ?? '') + LOAD_PATH, procs: [nm.proc], ...countingHooks(candidates[key], primary, null) }
    }
  }
  notes.push('node-mirror: `node bench/peers/node-mirror.ts` (node-http-proxy with a keep-alive agent + fire-and-forget undici request to the candidate).')

  // Alternate peers within a round; fast and slow halves keep each peer's pair close in time.
  const targets: MirrorTarget[] = []
  for (const key of keys) {
    for (const peer of ['shadowsplit', 'nginx', 'node-mirror'] as Peer[]) {
      const t = byPeer[peer][key]
      if (t !== undefined) targets.push(t)
    }
  }
  return { primary, targets, notes }
}
