// What the Dockerfile promises, read from the file: Node 24 bases, a production-only install, a non-root user,
// the documented ports and env, a curl-free HEALTHCHECK on /healthz, and a build context that keeps what the
// build needs and leaves out what it must not send.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildContext, dockerIgnore, envOf, finalStage, last, parseDockerfile, readText, stageNamed, words } from './ops-support.ts'
import type { Stage } from './ops-support.ts'

const df = parseDockerfile(readText('Dockerfile'))
const runtime = finalStage(df)

function runs (stage: Stage): string[] {
  return stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.exec?.join(' ') ?? i.rest)
}

function imageEnv (stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const i of stage.instructions.filter((x) => x.op === 'ENV')) Object.assign(env, envOf(i, env))
  return env
}

test('every stage starts from Node 24 (slim or distroless)', () => {
  assert.ok(df.stages.length >= 2, 'a multi-stage build')
  for (const s of df.stages) assert.match(s.base, /^(node:24(\.\d+)*-slim|gcr\.io\/distroless\/nodejs24-\S+)(@sha256:[0-9a-f]{64})?$/, `stage ${s.name}: ${s.base}`)
})

test('the runtime stage runs as a non-root user', () => {
  const user = last(runtime, 'USER')
  assert.ok(user !== undefined, 'USER missing in the runtime stage')
  assert.doesNotMatch(user.rest, /^(root|0)(:|$)/)
  const runsAfterUser = runtime.instructions.slice(runtime.instructions.indexOf(user)).filter((i) => i.op === 'RUN')
  assert.equal(runsAfterUser.length, 0, 'nothing runs as the runtime user at build time')
})

test('production dependencies come from `npm ci --omit=dev --ignore-scripts` and reach the runtime stage', () => {
  const copies = runtime.instructions.filter((i) => i.op === 'COPY')
  const fromStages = new Set(copies.map((c) => c.options.from).filter((f) => f !== undefined))
  const installers = df.stages.filter((s) => runs(s).some((r) => /\bnpm ci\b/.test(r) && /--omit=dev/.test(r)))
  assert.ok(installers.length > 0, 'no stage runs npm ci --omit=dev')
  for (const s of installers) {
    const cmd = runs(s).find((r) => /--omit=dev/.test(r)) ?? ''
    assert.match(cmd, /--ignore-scripts/, 'production install without lifecycle scripts')
  }
  const source = installers.find((s) => s === runtime || fromStages.has(s.name))
  assert.ok(source !== undefined, 'the runtime stage must install, or copy node_modules from, the --omit=dev stage')
  if (source !== runtime) {
    assert.ok(copies.some((c) => c.options.from === source.name && /node_modules/.test(c.rest)), 'copy node_modules from the production install')
  }
  for (const r of runs(runtime)) assert.doesNotMatch(r, /npm (ci|install)(?!.*--omit=dev)/, `dev install in the runtime stage: ${r}`)
})

test('the dashboard bundle is built with dev dependencies in a build stage and copied as dist/', () => {
  const copy = runtime.instructions.find((i) => i.op === 'COPY' && i.options.from !== undefined && /\bdist\b/.test(i.rest))
  assert.ok(copy !== undefined, 'COPY --from=<build> …/dist missing')
  const build = stageNamed(df, copy.options.from)
  const cmds = runs(build)
  const ci = cmds.findIndex((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))
  assert.ok(ci >= 0, 'the build stage installs every dependency (esbuild is a devDependency)')
  const prepare = cmds.findIndex((r) => /\bnpm run prepare\b/.test(r))
  const scriptsRun = !/--ignore-scripts/.test(cmds[ci])
  assert.ok(scriptsRun || prepare > ci, 'npm ci runs `prepare`, or `npm run prepare` follows it')
})

test('the runtime stage copies what the launcher needs: bin/, src/, package.json', () => {
  const copied = runtime.instructions.filter((i) => i.op === 'COPY' && i.options.from === undefined).flatMap((i) => (i.exec ?? words(i.rest)).slice(0, -1))
  for (const needed of ['bin', 'src', 'package.json']) {
    assert.ok(copied.some((c) => c.replace(/\/$/, '') === needed || (needed === 'package.json' && /^package\*?\.json$/.test(c))), `${needed} is not copied`)
  }
})

test('ports, env and entrypoint match the CLI contract', () => {
  const expose = runtime.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => words(i.rest)).map((p) => p.replace(/\/tcp$/, ''))
  assert.deepEqual(expose.sort(), ['8080', '9901'])
  const env = imageEnv(runtime)
  assert.equal(env.SHADOWSPLIT_ADMIN_LISTEN, '0.0.0.0:9901', 'the admin port must be reachable from outside the container')
  assert.equal(env.SHADOWSPLIT_LISTEN ?? '0.0.0.0:8080', '0.0.0.0:8080')
  assert.equal(env.NODE_ENV, 'production')
  for (const name of Object.keys(env)) assert.ok(!/TOKEN|SECRET|PASSWORD/.test(name), `${name}: secrets never go into the image`)
  assert.deepEqual(last(runtime, 'ENTRYPOINT')?.exec, ['node', 'bin/shadowsplit.js'])
  assert.deepEqual(last(runtime, 'CMD')?.exec, ['serve'])
})

test('HEALTHCHECK asks /healthz with node, in exec form, with bounded timing', () => {
  const hc = last(runtime, 'HEALTHCHECK')
  assert.ok(hc?.exec !== undefined && hc.exec !== null, 'HEALTHCHECK CMD [...] (exec form)')
  assert.equal(hc.exec[0], 'node')
  const script = hc.exec.join(' ')
  assert.match(script, /\/healthz/)
  assert.match(script, /SHADOWSPLIT_ADMIN_LISTEN/, 'follows the admin port when it is changed')
  assert.doesNotMatch(script, /\b(curl|wget)\b/)
  for (const option of ['interval', 'timeout', 'start-period', 'retries']) assert.ok(hc.options[option] !== undefined, `--${option}`)
  // The request gives up before Docker kills the check, so a hung admin port reads as unhealthy, not as an error.
  const requestMs = Number(/AbortSignal\.timeout\((\d+)\)/.exec(script)?.[1])
  assert.ok(requestMs > 0 && requestMs < Number.parseInt(hc.options.timeout) * 1000, `request timeout ${requestMs} ms within --timeout=${hc.options.timeout}`)
})

test('the header comment documents ports, env, token, config file and commands', () => {
  const text = readText('Dockerfile')
  for (const needle of ['8080', '9901', 'SHADOWSPLIT_ADMIN_TOKEN', 'SHADOWSPLIT_CONFIG=/etc/shadowsplit/config.yaml', 'SHADOWSPLIT_PRIMARY', 'demo-service', 'check']) {
    assert.ok(text.includes(needle), `Dockerfile comments should mention ${needle}`)
  }
})

test('.dockerignore keeps node_modules, .git and built output out, and everything the build copies in', () => {
  const ignored = dockerIgnore(readText('.dockerignore'))
  for (const p of ['node_modules/fastify/package.json', '.git/HEAD', 'dist/dashboard/index.html', 'bench/run.ts', 'test/cli.test.ts', '.tmp/x']) {
    assert.ok(ignored(p), `${p} should not be sent to the Docker daemon`)
  }
  const context = new Set(buildContext())
  for (const p of ['package.json', 'package-lock.json', 'bin/shadowsplit.js', 'src/cli.ts', 'LICENSE']) assert.ok(context.has(p), `${p} must stay in the build context`)
  assert.ok(![...context].some((p) => p.startsWith('node_modules/') || p.startsWith('.git/')))
})

test('the .dockerignore matcher follows Docker rules (parents, negation, root-only globs)', () => {
  const ignored = dockerIgnore('bench\n*.log\n!keep.log\ndocs/**/*.png\n')
  assert.equal(ignored('bench/lib/net.ts'), true)
  assert.equal(ignored('benchmarks.md'), false)
  assert.equal(ignored('x.log'), true)
  assert.equal(ignored('keep.log'), false)
  assert.equal(ignored('src/x.log'), false)
  assert.equal(ignored('docs/a/b/c.png'), true)
  assert.equal(ignored('docs/a.png'), true)
})
