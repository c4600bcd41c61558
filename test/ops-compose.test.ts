// compose.yaml and the files it mounts point at each other: service names, ports, scrape target, Grafana data
// source and dashboard paths; and what compose hands shadowsplit (env, mounted config) is accepted by
// `shadowsplit check` with the image's own ENV underneath.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { ROOT, envOf, finalStage, parseDockerfile, readText, readYamlDocs, run } from './ops-support.ts'

interface Service {
  build?: string | { context: string }
  image?: string
  command?: string[]
  entrypoint?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  depends_on?: Record<string, { condition: string }> | string[]
  healthcheck?: { test?: string[]; disable?: boolean }
}
interface Compose { services: Record<string, Service> }

const compose = readYamlDocs('compose.yaml')[0] as Compose
const services = compose.services
const BIN = join(ROOT, 'bin/shadowsplit.js')

/** Compose's `${VAR:-default}` with nothing set in the environment, as on a fresh checkout without .env. */
function interpolate (value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_m, _name: string, fallback: string) => fallback)
}

function mounts (service: Service): Array<{ host: string; container: string }> {
  return (service.volumes ?? []).map((v) => {
    const [host, container] = v.split(':')
    return { host: join(ROOT, host), container }
  })
}

function imageEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const i of finalStage(parseDockerfile(readText('Dockerfile'))).instructions.filter((x) => x.op === 'ENV')) Object.assign(env, envOf(i, env))
  return env
}

function flagValue (args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

function url (u: string): URL {
  return new URL(interpolate(u))
}

const shadowsplit = services.shadowsplit
const env = Object.fromEntries(Object.entries(shadowsplit.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]))
const listenPort = (env.SHADOWSPLIT_LISTEN ?? imageEnv().SHADOWSPLIT_LISTEN ?? '0.0.0.0:8080').split(':').at(-1)
const adminPort = (env.SHADOWSPLIT_ADMIN_LISTEN ?? imageEnv().SHADOWSPLIT_ADMIN_LISTEN).split(':').at(-1)

test('the stack: shadowsplit, demo primary, secondary and candidate, traffic, Prometheus, Grafana', () => {
  assert.deepEqual(Object.keys(services).sort(), ['candidate', 'grafana', 'primary', 'prometheus', 'secondary', 'shadowsplit', 'traffic'])
  for (const name of ['shadowsplit', 'primary', 'secondary', 'candidate', 'traffic']) {
    const s = services[name]
    assert.equal(typeof s.build === 'string' ? s.build : s.build?.context, '.', `${name} builds this repository's Dockerfile`)
    assert.equal(s.image, shadowsplit.image, `${name} shares one image`)
  }
  for (const name of ['prometheus', 'grafana']) assert.match(services[name].image ?? '', /:v?\d+\.\d+\.\d+$/, `${name}: a pinned version`)
})

test('every host path compose mounts exists', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const m of mounts(s)) assert.ok(existsSync(m.host), `${name}: ${m.host} does not exist`)
  }
})

test('the demo services run `demo-service` on port 3000 with the versions the demo needs, and their healthcheck asks that port', () => {
  const expected: Record<string, [string, string]> = { primary: ['v1', 'primary'], secondary: ['v1', 'secondary'], candidate: ['v2', 'candidate'] }
  for (const [name, [version, instance]] of Object.entries(expected)) {
    const cmd = services[name].command ?? []
    assert.equal(cmd[0], 'demo-service', name)
    assert.equal(flagValue(cmd, '--version'), version, name)
    assert.equal(flagValue(cmd, '--instance'), instance, name)
    assert.equal(flagValue(cmd, '--listen'), '0.0.0.0:3000', name)
    const check = (services[name].healthcheck?.test ?? []).join(' ')
    assert.match(check, /http:\/\/127\.0\.0\.1:3000\/api\/health/, `${name}: healthcheck`)
  }
})

test('shadowsplit points at the demo services by compose name and port', () => {
  assert.deepEqual([url(env.SHADOWSPLIT_PRIMARY).host, url(env.SHADOWSPLIT_SECONDARY).host, url(env.SHADOWSPLIT_CANDIDATE).host], ['primary:3000', 'secondary:3000', 'candidate:3000'])
  const deps = shadowsplit.depends_on as Record<string, { condition: string }>
  assert.equal(deps.primary.condition, 'service_healthy')
  assert.ok(deps.candidate !== undefined)
  assert.equal(shadowsplit.healthcheck, undefined, 'shadowsplit keeps the image HEALTHCHECK')
  const traffic = services.traffic
  assert.equal(url(traffic.environment?.TARGET ?? '').host, `shadowsplit:${listenPort}`)
  const script = mounts(traffic).find((m) => m.container === traffic.entrypoint?.[1])
  assert.ok(script !== undefined && statSync(script.host).isFile(), 'the traffic entrypoint runs the mounted script')
})

test('published ports: the proxy on 8080, the admin port on loopback only', () => {
  const ports = shadowsplit.ports ?? []
  assert.ok(ports.includes(`8080:${listenPort}`), `proxy port: ${ports.join(', ')}`)
  assert.ok(ports.includes(`127.0.0.1:9901:${adminPort}`), `admin port: ${ports.join(', ')}`)
  for (const name of ['prometheus', 'grafana']) for (const p of services[name].ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name}: ${p}`)
})

test('compose env names are shadowsplit flags\' env twins, and `shadowsplit check` accepts env + mounted file + image ENV', async () => {
  const help = await run(process.execPath, [BIN, '--help'], { env: { PATH: process.env.PATH ?? '' } })
  const twins = new Set([...help.stdout.matchAll(/^ {2}--([a-z-]+) /gm)].map((m) => `SHADOWSPLIT_${m[1].replaceAll('-', '_').toUpperCase()}`))
  for (const name of Object.keys(env).filter((n) => n.startsWith('SHADOWSPLIT_'))) assert.ok(twins.has(name), `${name} is no flag's env twin (shadowsplit --help)`)

  const configMount = mounts(shadowsplit).find((m) => m.container === env.SHADOWSPLIT_CONFIG)
  assert.ok(configMount !== undefined, `SHADOWSPLIT_CONFIG=${env.SHADOWSPLIT_CONFIG} is not a mounted file`)
  const r = await run(process.execPath, [BIN, 'check'], {
    env: { PATH: process.env.PATH ?? '', ...imageEnv(), ...env, SHADOWSPLIT_CONFIG: configMount.host }
  }, 20_000)
  assert.equal(r.code, 0, r.stderr)
  const config = JSON.parse(r.stdout) as { primary: string[]; secondary: string[]; candidate: string[]; adminListen: { host: string; port: number }; defaultRoute: { mode: string } }
  assert.deepEqual([config.primary, config.secondary, config.candidate], [['http://primary:3000'], ['http://secondary:3000'], ['http://candidate:3000']])
  assert.deepEqual(config.adminListen, { host: '0.0.0.0', port: Number(adminPort) })
  assert.equal(config.defaultRoute.mode, 'mirror')
})

test('Prometheus scrapes shadowsplit\'s admin port and loads the alert rules that compose mounts', () => {
  const prometheus = services.prometheus
  const configFlag = (prometheus.command ?? []).find((a) => a.startsWith('--config.file='))?.split('=')[1]
  const configMount = mounts(prometheus).find((m) => m.container === configFlag)
  assert.ok(configMount !== undefined, 'the --config.file is mounted')
  const config = readYamlDocs(posix.relative(ROOT, configMount.host))[0] as { rule_files: string[]; scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }> }
  const job = config.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.includes(`shadowsplit:${adminPort}`)))
  assert.ok(job !== undefined, `no scrape job targets shadowsplit:${adminPort}`)
  assert.equal(job.metrics_path ?? '/metrics', '/metrics')
  const rules = mounts(prometheus).find((m) => m.host === join(ROOT, 'config/prometheus-alerts.yaml'))
  assert.ok(rules !== undefined, 'config/prometheus-alerts.yaml is mounted')
  const globs = config.rule_files.map((g) => new RegExp(`^${g.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`))
  assert.ok(globs.some((g) => g.test(rules.container)), `rule_files ${config.rule_files.join(', ')} do not match ${rules.container}`)
})

test('Grafana is provisioned with the Prometheus service as default data source and loads the dashboard file', () => {
  const grafana = services.grafana
  const provisioning = mounts(grafana).find((m) => m.container === '/etc/grafana/provisioning')
  assert.ok(provisioning !== undefined, 'provisioning directory mounted at /etc/grafana/provisioning')
  const rel = posix.relative(ROOT, provisioning.host)

  const ds = readYamlDocs(`${rel}/datasources/prometheus.yaml`)[0] as { apiVersion: number; datasources: Array<{ type: string; url: string; isDefault: boolean; uid: string }> }
  assert.equal(ds.apiVersion, 1)
  const prom = ds.datasources.find((d) => d.type === 'prometheus')
  assert.ok(prom !== undefined)
  const prometheusPort = (services.prometheus.command ?? []).find((a) => a.startsWith('--web.listen-address='))?.split(':').at(-1) ?? '9090'
  assert.equal(prom.url, `http://prometheus:${prometheusPort}`)
  assert.equal(prom.isDefault, true, 'the dashboard\'s ${DS_PROMETHEUS} variable picks the default Prometheus data source')

  const dashboards = readYamlDocs(`${rel}/dashboards/shadowsplit.yaml`)[0] as { apiVersion: number; providers: Array<{ type: string; options: { path: string } }> }
  assert.equal(dashboards.apiVersion, 1)
  const dashboardMount = mounts(grafana).find((m) => m.host === join(ROOT, 'config/grafana-dashboard.json'))
  assert.ok(dashboardMount !== undefined, 'config/grafana-dashboard.json is mounted')
  assert.ok(dashboards.providers.some((p) => p.type === 'file' && posix.dirname(dashboardMount.container) === p.options.path.replace(/\/$/, '')),
    `no file provider reads ${posix.dirname(dashboardMount.container)}`)
  assert.equal(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, dashboardMount.container)
})

test('compose runs without a .env file: every ${VAR} has a default', () => {
  const text = readText('compose.yaml')
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) assert.match(m[1], /^[A-Z0-9_]+:-.+$/, `\${${m[1]}} has no default`)
  assert.ok(interpolate(env.SHADOWSPLIT_ADMIN_TOKEN ?? '').length >= 16, 'the demo admin token is long enough for admin.token')
})
