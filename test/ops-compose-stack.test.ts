// The compose stack, run without Docker: each service's command from compose.yaml starts as a real process on
// loopback (compose names become 127.0.0.1 and free ports), the demo services pass their compose healthcheck,
// the traffic script drives shadowsplit, and the metrics Prometheus would scrape show the candidate's
// divergences, as the dashboard expects them.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ROOT, envOf, finalStage, freePort, parseDockerfile, readText, readYamlDocs, run, start, waitForHttp } from './ops-support.ts'
import type { Proc } from './ops-support.ts'

interface Service { command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; volumes?: string[]; healthcheck?: { test?: string[] } }
const services = (readYamlDocs('compose.yaml')[0] as { services: Record<string, Service> }).services
const BIN = join(ROOT, 'bin/shadowsplit.js')
const procs: Proc[] = []
after(async () => { for (const p of procs.reverse()) await p.stop() })

const ports = new Map<string, number>()
/** compose DNS: `http://name:port` → the loopback port the test gave that service. */
function resolve (value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1').replace(/\/\/([a-z]+):\d+/g, (whole, host: string) => {
    const port = ports.get(host)
    return port === undefined ? whole : `//127.0.0.1:${port}`
  })
}

function hostPath (service: Service, container: string): string {
  const volume = (service.volumes ?? []).map((v) => v.split(':')).find(([, c]) => c === container)
  assert.ok(volume !== undefined, `${container} is not mounted`)
  return join(ROOT, volume[0])
}

test('the compose services, started as compose starts them, show the candidate\'s divergences in /metrics', { timeout: 90_000 }, async () => {
  for (const name of ['primary', 'secondary', 'candidate', 'shadowsplit']) ports.set(name, await freePort())

  for (const name of ['primary', 'secondary', 'candidate']) {
    const args = (services[name].command ?? []).map((a) => (a === '0.0.0.0:3000' ? `127.0.0.1:${ports.get(name)}` : a))
    const p = start(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' } })
    procs.push(p)
    await waitForHttp(`http://127.0.0.1:${ports.get(name)}/`, p)
    const [cmd, ...check] = (services[name].healthcheck?.test ?? []).slice(1).map((a) => a.replace('127.0.0.1:3000', `127.0.0.1:${ports.get(name)}`))
    const hc = await run(cmd === 'node' ? process.execPath : cmd, check, {}, 10_000)
    assert.equal(hc.code, 0, `${name}: compose healthcheck failed\n${hc.stderr}`)
  }

  const image: Record<string, string> = {}
  for (const i of finalStage(parseDockerfile(readText('Dockerfile'))).instructions.filter((x) => x.op === 'ENV')) Object.assign(image, envOf(i, image))
  const s = services.shadowsplit
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...image }
  for (const [k, v] of Object.entries(s.environment ?? {})) env[k] = resolve(String(v))
  env.SHADOWSPLIT_CONFIG = hostPath(s, env.SHADOWSPLIT_CONFIG)
  const adminPort = await freePort()
  env.SHADOWSPLIT_LISTEN = `127.0.0.1:${ports.get('shadowsplit')}`
  env.SHADOWSPLIT_ADMIN_LISTEN = `127.0.0.1:${adminPort}`
  const proxy = start(process.execPath, [BIN, 'serve'], { env })
  procs.push(proxy)
  assert.equal((await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, proxy)).status, 200)

  const t = services.traffic
  const script = hostPath(t, t.entrypoint?.[1] ?? '')
  const traffic = await run(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...Object.fromEntries(Object.entries(t.environment ?? {}).map(([k, v]) => [k, resolve(String(v))])), RPS: '100', LIMIT: '80' }
  }, 30_000)
  assert.equal(traffic.code, 0, traffic.stderr)
  const summary = JSON.parse(traffic.stdout.trim().split('\n').at(-1) ?? '{}') as { answered: number; failed: number }
  assert.deepEqual([summary.answered, summary.failed], [80, 0], traffic.stdout)

  // Comparison runs off the client path: wait until the copies are compared.
  let metrics = ''
  const compared = (): number => [...metrics.matchAll(/^shadowsplit_diffs_total\{[^}]*result="(?:match|diverge|noise_only)"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0)
  for (let i = 0; i < 100; i++) {
    metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()
    if (compared() >= 60) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.ok(compared() >= 60, `only ${compared()} exchanges compared:\n${metrics.split('\n').filter((l) => l.startsWith('shadowsplit_diffs') || l.startsWith('shadowsplit_mirror_skipped')).join('\n')}`)
  for (const target of ['primary', 'secondary', 'candidate']) assert.match(metrics, new RegExp(`shadowsplit_requests_total\\{target="${target}"`), `no requests to the ${target}`)
  assert.match(metrics, /shadowsplit_diffs_total\{[^}]*result="diverge"[^}]*\} [1-9]/, 'v2\'s regressions show up as divergences')
  assert.match(metrics, /shadowsplit_divergences_total\{[^}]*class="(status|schema|value)"[^}]*\} [1-9]/)
  assert.match(metrics, /^shadowsplit_latency_delta_seconds_count\{endpoint="\/api\/search"\} [1-9]/m, 'latency delta per endpoint')
})
