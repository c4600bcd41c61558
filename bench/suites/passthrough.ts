// Suite passthrough: the cost of the proxy itself. One cheap upstream; load goes to it directly, through
// shadowsplit with mirroring off, and through @fastify/http-proxy. Bar: shadowsplit ≥ 1.3× fastify's req/s.
import { startPrimary, checkServesPayload } from '../lib/upstream.ts'
import { startShadowsplit } from '../lib/shadowsplit.ts'
import { startNodePeer } from '../lib/peers.ts'
import { LOAD_PATH, PAYLOAD } from '../lib/payload.ts'
import { runRounds } from '../lib/rounds.ts'
import type { RunSample, Target } from '../lib/rounds.ts'
import { markdownTable } from '../lib/stats.ts'
import { STANDARD_HEADERS, STANDARD_NOTES, ratio, standardCells, warnings } from '../lib/report.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'
import { verdictLine } from './suite.ts'

const BAR = 1.3
const DIRECT = 'direct (no proxy)'
const SHADOWSPLIT = 'shadowsplit --mode off'
const FASTIFY = '@fastify/http-proxy'

export async function passthroughSuite (ctx: SuiteContext): Promise<SuiteReport> {
  const stops: Array<() => Promise<void>> = []
  try {
    ctx.progress('passthrough: starting upstream and proxies')
    const upstream = await startPrimary(ctx.nginx)
    stops.push(upstream.stop)
    const ss = await startShadowsplit({ name: 'shadowsplit', primary: upstream.origin, mode: 'off' })
    stops.push(ss.stop)
    const fastify = await startNodePeer('fastify-proxy', 'fastify-proxy.ts', ['--upstream', upstream.origin])
    stops.push(fastify.stop)

    const targets: Array<Target<null>> = [
      { name: DIRECT, url: upstream.origin + LOAD_PATH, procs: [upstream.proc] },
      { name: SHADOWSPLIT, url: ss.url + LOAD_PATH, procs: [ss.proc] },
      { name: FASTIFY, url: fastify.url + LOAD_PATH, procs: [fastify.proc] }
    ]
    for (const t of targets) await checkServesPayload(t.name, t.url)
    const { samples, aborted } = await runRounds(targets, ctx)
    const runs = (name: string): Array<RunSample<null>> => samples.get(name) ?? []
    const rps = (name: string): number[] => runs(name).map((s) => s.load.rps)
    const p99 = (name: string): number[] => runs(name).map((s) => s.load.p99Ms)

    const vsFastify = (name: string): string => ratio(rps(name), rps(FASTIFY)).median.toFixed(2) + '×'
    const rows = targets.map((t) => [t.name, ...standardCells(runs(t.name)), vsFastify(t.name)])
    const bar = ratio(rps(SHADOWSPLIT), rps(FASTIFY))
    const verdict: Verdict = {
      bar: `shadowsplit ≥ ${BAR}× @fastify/http-proxy req/s`,
      status: bar.median >= BAR ? 'PASS' : 'FAIL',
      detail: bar.text
    }
    const markdown = [
      `Upstream: ${upstream.label} at ${upstream.origin}, answering ${LOAD_PATH} with a ${PAYLOAD.length} B JSON body.`,
      `shadowsplit: \`${ss.command}\`. @fastify/http-proxy: \`node bench/peers/fastify-proxy.ts\` (undici keep-alive, 128 connections, pipelining 1).`,
      '',
      markdownTable(['target', ...STANDARD_HEADERS, 'req/s vs fastify'], rows),
      '',
      STANDARD_NOTES + ' CPU of *direct* is the upstream\'s; a proxy row shows the proxy alone (the upstream works too).',
      '',
      verdictLine(verdict),
      `- context: shadowsplit / direct req/s ${ratio(rps(SHADOWSPLIT), rps(DIRECT)).text}`,
      `- context: @fastify/http-proxy / direct req/s ${ratio(rps(FASTIFY), rps(DIRECT)).text}`,
      `- context: shadowsplit / @fastify/http-proxy p99 ${ratio(p99(SHADOWSPLIT), p99(FASTIFY)).text}`,
      ...warnings(targets.map((t) => runs(t.name)), aborted)
    ].join('\n')
    return { title: 'passthrough', markdown, verdicts: [verdict] }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
