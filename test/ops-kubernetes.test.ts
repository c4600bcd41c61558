// examples/kubernetes: the manifests parse and point at each other (Service → sidecar port, probes → admin
// port, config mount → SHADOWSPLIT_CONFIG, primary → the app on loopback, candidate → a Service), the
// ConfigMap passes `shadowsplit check --config`, and the pod's containers, started as the kubelet would start
// them (ports moved to free ones), serve a request through the sidecar and mirror it to the candidate.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { ROOT, envOf, finalStage, freePort, parseDockerfile, readText, readYamlDocs, run, start, waitForHttp } from './ops-support.ts'
import type { Proc } from './ops-support.ts'

interface Probe { httpGet?: { path: string; port: string | number }; exec?: { command: string[] } }
interface Container {
  name: string
  image: string
  args?: string[]
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }>
  ports?: Array<{ name: string; containerPort: number }>
  readinessProbe?: Probe
  livenessProbe?: Probe
  lifecycle?: { preStop?: { exec?: { command: string[] } } }
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean }
  volumeMounts?: Array<{ name: string; mountPath: string }>
}
interface PodSpec { containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string } }>; terminationGracePeriodSeconds?: number; securityContext?: { runAsNonRoot?: boolean } }
interface Manifest {
  apiVersion: string
  kind: string
  metadata: { name: string }
  spec?: { selector?: Record<string, string> & { matchLabels?: Record<string, string> }; ports?: Array<{ port: number; targetPort: string | number }>; template?: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } }
  data?: Record<string, string>
  resources?: string[]
}

const DIR = 'examples/kubernetes'
function yamlFiles (dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const rel = `${dir}/${f}`
    return statSync(join(ROOT, rel)).isDirectory() ? yamlFiles(rel) : /\.ya?ml$/.test(f) ? [rel] : []
  })
}
const all = new Map(yamlFiles(DIR).map((f) => [f, readYamlDocs(f) as Manifest[]]))
const docs = (file: string): Manifest[] => all.get(`${DIR}/${file}`) ?? assert.fail(`${DIR}/${file} missing`)
const one = (file: string, kind: string): Manifest => docs(file).find((d) => d.kind === kind) ?? assert.fail(`${file}: no ${kind}`)

const deployment = one('deployment.yaml', 'Deployment')
const pod = deployment.spec?.template?.spec as PodSpec
const app = pod.containers.find((c) => c.name === 'app') as Container
const sidecar = pod.containers.find((c) => c.name === 'shadowsplit') as Container
const configMap = one('configmap.yaml', 'ConfigMap')
const service = one('service.yaml', 'Service')
const candidateService = one('candidate.yaml', 'Service')
const candidateDeployment = one('candidate.yaml', 'Deployment')
const envValue = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value
const port = (c: Container, name: string): number => c.ports?.find((p) => p.name === name)?.containerPort ?? assert.fail(`${c.name}: no port ${name}`)
const flag = (args: string[] | undefined, f: string): string => { const i = (args ?? []).indexOf(f); return i < 0 ? assert.fail(`no ${f} in ${args?.join(' ')}`) : (args ?? [])[i + 1] }

const configPath = envValue(sidecar, 'SHADOWSPLIT_CONFIG') ?? ''
const configKey = posix.basename(configPath)
const mount = sidecar.volumeMounts?.find((m) => posix.dirname(configPath) === m.mountPath.replace(/\/$/, ''))
const work = mkdtempSync(join(tmpdir(), 'shadowsplit-k8s-'))
after(() => { rmSync(work, { recursive: true, force: true }) })
const configFile = join(work, configKey)
writeFileSync(configFile, configMap.data?.[configKey] ?? '')
const image: Record<string, string> = {}
for (const i of finalStage(parseDockerfile(readText('Dockerfile'))).instructions.filter((x) => x.op === 'ENV')) Object.assign(image, envOf(i, image))
const BIN = join(ROOT, 'bin/shadowsplit.js')

/** The sidecar's environment as the kubelet builds it: image ENV, then the container's env, secrets filled in. */
function sidecarEnv (): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...image }
  for (const e of sidecar.env ?? []) env[e.name] = e.value ?? (e.valueFrom?.secretKeyRef !== undefined ? 'kubernetes-test-secret-token-0123' : '')
  env.SHADOWSPLIT_CONFIG = configFile
  return env
}

test('every manifest has apiVersion, kind and a name; kustomization lists existing files', () => {
  for (const [file, ds] of all) {
    assert.ok(ds.length > 0, file)
    for (const d of ds) {
      assert.match(d.apiVersion ?? '', /^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/, `${file}: apiVersion`)
      assert.match(d.kind ?? '', /^[A-Z][A-Za-z]+$/, `${file}: kind`)
      if (d.kind !== 'Kustomization') assert.match(d.metadata?.name ?? '', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${file}: metadata.name`)
    }
  }
  const kustomization = one('kustomization.yaml', 'Kustomization')
  assert.deepEqual(kustomization.resources?.slice().sort(), ['candidate.yaml', 'configmap.yaml', 'deployment.yaml', 'service.yaml'])
  for (const r of kustomization.resources ?? []) assert.ok(existsSync(join(ROOT, DIR, r)), r)
})

test('the ConfigMap\'s config passes `shadowsplit check --config`', async () => {
  const r = await run(process.execPath, [BIN, 'check', '--config', configFile], { env: { PATH: process.env.PATH ?? '' } }, 20_000)
  assert.equal(r.code, 0, r.stderr)
})

test('the sidecar: config mounted where SHADOWSPLIT_CONFIG says, token from a Secret, ports and probes on the resolved addresses', async () => {
  assert.ok(mount !== undefined, `no volume mounted at ${posix.dirname(configPath)}`)
  const volume = pod.volumes?.find((v) => v.name === mount.name)
  assert.equal(volume?.configMap?.name, configMap.metadata.name)
  assert.ok(configMap.data?.[configKey] !== undefined, `ConfigMap has no key ${configKey}`)
  assert.ok(sidecar.env?.find((e) => e.name === 'SHADOWSPLIT_ADMIN_TOKEN')?.valueFrom?.secretKeyRef !== undefined, 'the admin token comes from a Secret')
  assert.deepEqual(sidecar.args, ['serve'])

  const r = await run(process.execPath, [BIN, 'check'], { env: sidecarEnv() }, 20_000)
  assert.equal(r.code, 0, r.stderr)
  const config = JSON.parse(r.stdout) as { listen: { port: number }; adminListen: { host: string; port: number }; primary: string[]; candidate: string[]; targetHeader: string | null }
  assert.equal(config.listen.port, port(sidecar, 'proxy'))
  assert.deepEqual(config.adminListen, { host: '0.0.0.0', port: port(sidecar, 'admin') })
  assert.equal(sidecar.readinessProbe?.httpGet?.path, '/readyz')
  assert.equal(sidecar.readinessProbe?.httpGet?.port, 'admin')
  assert.equal(sidecar.livenessProbe?.httpGet?.path, '/healthz')
  assert.equal(sidecar.livenessProbe?.httpGet?.port, 'admin')
  const annotations = deployment.spec?.template?.metadata.annotations ?? {}
  assert.equal(annotations['prometheus.io/port'], String(port(sidecar, 'admin')))
  assert.equal(annotations['prometheus.io/path'], '/metrics')
  assert.equal(config.targetHeader, null, 'clients must not force the serving side through a sidecar')

  // primary: the app of the same pod, on loopback; candidate: a Service, by name and port.
  assert.deepEqual(config.primary, [`http://${flag(app.args, '--listen')}`])
  assert.match(flag(app.args, '--listen'), /^127\.0\.0\.1:\d+$/, 'the app listens on loopback only')
  const candidate = new URL(config.candidate[0])
  assert.equal(candidate.hostname, candidateService.metadata.name)
  assert.equal(Number(candidate.port || 80), candidateService.spec?.ports?.[0].port)
})

test('the Services select the right pods and target named container ports', () => {
  const labels = deployment.spec?.template?.metadata.labels ?? {}
  assert.deepEqual(deployment.spec?.selector?.matchLabels, labels)
  for (const [k, v] of Object.entries(service.spec?.selector ?? {})) assert.equal(labels[k], v, `service selector ${k}`)
  assert.equal(service.spec?.ports?.[0].targetPort, 'proxy')
  assert.ok(port(sidecar, 'proxy') > 0)
  assert.equal(app.ports, undefined, 'the app exposes no port: traffic goes through the sidecar')
  const candidatePod = candidateDeployment.spec?.template
  for (const [k, v] of Object.entries(candidateService.spec?.selector ?? {})) assert.equal(candidatePod?.metadata.labels[k], v)
  const target = candidateService.spec?.ports?.[0].targetPort
  const cApp = candidatePod?.spec.containers[0] as Container
  assert.equal(Number(flag(cApp.args, '--listen').split(':')[1]), port(cApp, String(target)))
})

test('shutdown order and hardening: the app outlives the sidecar\'s drain; non-root, read-only root filesystem', () => {
  const sleep = (c: Container): number => Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0)
  assert.ok(sleep(app) >= sleep(sidecar) + 10, 'app preStop ≥ sidecar preStop + drainTimeout (10 s)')
  assert.ok((pod.terminationGracePeriodSeconds ?? 30) > sleep(app), 'terminationGracePeriodSeconds covers the app preStop')
  assert.equal(pod.securityContext?.runAsNonRoot, true)
  for (const c of pod.containers) {
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true, c.name)
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name)
  }
})

test('the pod, started as the kubelet starts it, serves through the sidecar and mirrors to the candidate', { timeout: 60_000 }, async (t) => {
  const procs: Proc[] = []
  t.after(async () => { for (const p of procs.reverse()) await p.stop() })
  const appPort = await freePort()
  const candidatePort = await freePort()
  const listen = await freePort()
  const admin = await freePort()
  const nodeArgs = (c: Container, listenAt: string): string[] => (c.args ?? []).map((a) => a.replace('$(POD_NAME)', 'myapp-test').replace(/^(127\.0\.0\.1|0\.0\.0\.0):\d+$/, listenAt))

  const cApp = candidateDeployment.spec?.template?.spec.containers[0] as Container
  procs.push(start(process.execPath, [BIN, ...nodeArgs(cApp, `127.0.0.1:${candidatePort}`)], { env: { PATH: process.env.PATH ?? '' } }))
  const appProc = start(process.execPath, [BIN, ...nodeArgs(app, `127.0.0.1:${appPort}`)], { env: { PATH: process.env.PATH ?? '' } })
  procs.push(appProc)
  await waitForHttp(`http://127.0.0.1:${appPort}/`, appProc)
  const probe = (app.readinessProbe?.exec?.command ?? []).map((a) => a.replace('127.0.0.1:3000', `127.0.0.1:${appPort}`))
  assert.equal((await run(process.execPath, probe.slice(1), {}, 10_000)).code, 0, 'the app\'s exec readiness probe passes')

  const config = (configMap.data?.[configKey] ?? '')
    .replace('http://127.0.0.1:3000', `http://127.0.0.1:${appPort}`)
    .replace(/^candidate: .*$/m, `candidate: http://127.0.0.1:${candidatePort}`)
  const file = join(work, 'running.yaml')
  writeFileSync(file, config)
  // Every request mirrored (the ConfigMap samples 10 %), so five requests are enough to see the candidate used.
  const sidecarProc = start(process.execPath, [BIN, ...(sidecar.args ?? [])], {
    env: { ...sidecarEnv(), SHADOWSPLIT_CONFIG: file, SHADOWSPLIT_LISTEN: `127.0.0.1:${listen}`, SHADOWSPLIT_ADMIN_LISTEN: `127.0.0.1:${admin}`, SHADOWSPLIT_MIRROR_PERCENT: '100' }
  })
  procs.push(sidecarProc)
  assert.equal((await waitForHttp(`http://127.0.0.1:${admin}${sidecar.readinessProbe?.httpGet?.path}`, sidecarProc)).status, 200)
  assert.equal((await fetch(`http://127.0.0.1:${admin}${sidecar.livenessProbe?.httpGet?.path}`)).status, 200)

  for (let i = 1; i <= 5; i++) {
    const res = await fetch(`http://127.0.0.1:${listen}/api/users/${i}`, { headers: { 'x-shadowsplit-target': 'candidate' } })
    assert.equal(res.status, 200)
    const body = await res.json() as { email?: string; meta: { servedBy: string } }
    assert.equal(body.meta.servedBy, 'myapp-test-v1', 'served by the app, even when the client asks for the candidate')
    assert.ok(body.email !== undefined)
  }
  let metrics = ''
  for (let i = 0; i < 50 && !/shadowsplit_requests_total\{target="candidate"/.test(metrics); i++) {
    await new Promise((r) => setTimeout(r, 100))
    metrics = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text()
  }
  assert.match(metrics, /shadowsplit_requests_total\{target="candidate",served="shadow",endpoint="\/api\/users\/:id"/)
})
