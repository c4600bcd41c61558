// The Dockerfile, built and run without Docker: its stages are replayed in a temporary directory (COPY from the
// build context or another stage, RUN npm ... with the real npm and npm's cache), then the final stage's
// ENTRYPOINT + CMD starts with the image's ENV as `docker run -e` would add to it, and its HEALTHCHECK command
// runs as Docker would. No mock: real npm install, real process, real sockets.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import {
  ROOT, buildContext, envOf, finalStage, freePort, last, parseDockerfile, readText, run, start, stageNamed, waitForHttp, words
} from './ops-support.ts'
import type { Exit, Proc, Stage } from './ops-support.ts'

const df = parseDockerfile(readText('Dockerfile'))
const work = mkdtempSync(join(tmpdir(), 'shadowsplit-image-'))
after(() => { rmSync(work, { recursive: true, force: true }) })

/** What the machine gives every RUN and the started process: Node 24 (the image's), npm, npm's cache. */
function baseEnv (): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME ?? '/root',
    // Installs come from npm's cache when it has the packages, else from the registry.
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false'
  }
  // The machine's way to the registry (proxy, extra CA), as a Docker build inherits the daemon's network. Only
  // these npm settings pass: others that an outer `npm test` exports (npm_config_local_prefix) would aim npm
  // at this checkout instead of the stage directory.
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue
    if (/^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(https?|no|all)_proxy)$/i.test(k)) env[k] = v
    if (/^npm_config_(cache|registry|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i.test(k)) env[k] = v
  }
  return env
}

interface Built { root: string; workdir: string; env: Record<string, string> }

const context = join(work, 'context')
const built = new Map<string, Promise<Built>>()

function buildStage (name: string): Promise<Built> {
  let p = built.get(name)
  if (p === undefined) {
    p = replay(stageNamed(df, name))
    built.set(name, p)
  }
  return p
}

function expand (root: string, pattern: string): string[] {
  const dir = dirname(pattern)
  const base = pattern.slice(dir === '.' ? 0 : dir.length + 1)
  if (!/[*?]/.test(base)) return existsSync(join(root, pattern)) ? [join(root, pattern)] : []
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  const full = join(root, dir)
  return existsSync(full) ? readdirSync(full).filter((f) => re.test(f)).map((f) => join(full, f)) : []
}

async function replay (stage: Stage): Promise<Built> {
  const root = join(work, 'stages', stage.name)
  mkdirSync(root, { recursive: true })
  let workdir = root
  const env: Record<string, string> = {}
  // Stages this one copies from are built first, side by side, as BuildKit does.
  await Promise.all(stage.instructions.filter((i) => i.options.from !== undefined).map(async (i) => await buildStage(i.options.from)))
  for (const ins of stage.instructions) {
    const where = `Dockerfile:${ins.line} ${ins.op} ${ins.rest}`
    if (ins.op === 'WORKDIR') {
      workdir = isAbsolute(ins.rest) ? join(root, ins.rest) : join(workdir, ins.rest)
      mkdirSync(workdir, { recursive: true })
    } else if (ins.op === 'ENV') {
      Object.assign(env, envOf(ins, env))
    } else if (ins.op === 'COPY') {
      const parts = ins.exec ?? words(ins.rest)
      const dest = parts.at(-1) ?? ''
      const sources = parts.slice(0, -1)
      const from = ins.options.from === undefined ? context : (await buildStage(ins.options.from)).root
      const target = isAbsolute(dest) ? join(root, dest) : join(workdir, dest)
      for (const src of sources) {
        const found = expand(from, src.replace(/^\/+/, ''))
        assert.ok(found.length > 0, `${where}: '${src}' not found in ${ins.options.from === undefined ? 'the build context' : `stage ${ins.options.from}`}`)
        for (const f of found) {
          if (statSync(f).isDirectory()) cpSync(f, target, { recursive: true })
          else if (dest.endsWith('/') || sources.length > 1 || found.length > 1) cpSync(f, join(target, f.slice(dirname(f).length + 1)), { recursive: true })
          else cpSync(f, target)
        }
      }
    } else if (ins.op === 'RUN') {
      const command = ins.exec?.join(' ') ?? ins.rest
      assert.ok(command.split('&&').every((c) => /^\s*npm\s/.test(c)), `${where}: only npm commands can be replayed outside Docker`)
      const r = await run('sh', ['-c', command], { cwd: workdir, env: { ...baseEnv(), ...env } }, 180_000)
      const out = (r.stdout + r.stderr).slice(-3000)
      const offline = /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|network/i.test(out)
        ? ' npm could reach neither its cache nor the registry: the install step cannot be checked without one of them.'
        : ''
      assert.equal(r.code, 0, `${where} failed (exit ${r.code}).${offline}\n${out}`)
    } else if (!['USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'LABEL', 'STOPSIGNAL', 'ARG'].includes(ins.op)) {
      assert.fail(`${where}: no replay for ${ins.op}`)
    }
  }
  return { root, workdir, env }
}

let image: Built
const runtime = finalStage(df)
const token = 'image-test-admin-token-0123456789'

before(async () => {
  for (const f of buildContext()) cpSync(join(ROOT, f), join(context, f))
  image = await buildStage(runtime.name)
}, { timeout: 300_000 })

function entrypoint (stage: Stage, cmd?: string[]): string[] {
  const ep = last(stage, 'ENTRYPOINT')?.exec
  assert.ok(ep !== undefined && ep !== null, 'the runtime stage needs an exec-form ENTRYPOINT')
  const argv = [...ep, ...(cmd ?? last(stage, 'CMD')?.exec ?? [])]
  return argv.map((a, i) => (i === 0 && a === 'node' ? process.execPath : a))
}

async function upstream (): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ url: req.url })) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: async () => await new Promise((resolve) => server.close(() => resolve(undefined))) }
}

async function healthcheck (env: Record<string, string>): Promise<Exit> {
  const hc = last(runtime, 'HEALTHCHECK')?.exec
  assert.ok(hc !== undefined && hc !== null, 'HEALTHCHECK CMD must be in exec form')
  const [cmd, ...args] = hc
  return await run(cmd === 'node' ? process.execPath : cmd, args, { cwd: image.workdir, env }, 15_000)
}

/** `docker run -p`: the image's ports stay, hosts of the test machine's free ports are used. */
async function runEnv (extra: Record<string, string>): Promise<Record<string, string>> {
  const adminHost = (image.env.SHADOWSPLIT_ADMIN_LISTEN ?? '').split(':').slice(0, -1).join(':')
  return {
    ...baseEnv(),
    ...image.env,
    SHADOWSPLIT_LISTEN: `127.0.0.1:${await freePort()}`,
    SHADOWSPLIT_ADMIN_LISTEN: `${adminHost}:${await freePort()}`,
    ...extra
  }
}

test('the image holds production dependencies only, the sources and the dashboard bundle', () => {
  const modules = join(image.workdir, 'node_modules')
  for (const dep of ['fastify', 'pino', 'prom-client', 'undici', 'yaml', 'json-diff-ts', 'lru-cache']) {
    assert.ok(existsSync(join(modules, dep, 'package.json')), `node_modules/${dep} missing`)
  }
  for (const dev of ['typescript', 'node', '@types/node', 'esbuild', 'http-proxy']) {
    assert.ok(!existsSync(join(modules, dev)), `devDependency ${dev} must not be in the image`)
  }
  assert.ok(existsSync(join(image.workdir, 'bin/shadowsplit.js')))
  assert.ok(existsSync(join(image.workdir, 'src/cli.ts')))
  assert.ok(existsSync(join(image.workdir, 'dist/dashboard/index.html')), 'the build stage must leave dist/dashboard/index.html (npm run prepare)')
  assert.ok(!existsSync(join(image.workdir, 'test')) && !existsSync(join(image.workdir, 'bench')), 'tests and benchmarks stay out of the image')
})

test('started as `docker run -e SHADOWSPLIT_PRIMARY=… -e SHADOWSPLIT_ADMIN_TOKEN=…`, it proxies, passes its HEALTHCHECK and stops cleanly', async (t) => {
  const up = await upstream()
  t.after(up.close)
  const env = await runEnv({ SHADOWSPLIT_PRIMARY: up.url, SHADOWSPLIT_ADMIN_TOKEN: token })
  const adminPort = env.SHADOWSPLIT_ADMIN_LISTEN.split(':').at(-1)
  const admin = `http://127.0.0.1:${adminPort}`

  const before = await healthcheck(env)
  assert.notEqual(before.code, 0, 'the HEALTHCHECK must fail while nothing listens on the admin port')

  const [cmd, ...args] = entrypoint(runtime)
  const proc: Proc = start(cmd, args, { cwd: image.workdir, env })
  t.after(async () => { await proc.stop('SIGKILL') })
  assert.equal((await waitForHttp(`${admin}/healthz`, proc)).status, 200)

  const hc = await healthcheck(env)
  assert.equal(hc.code, 0, `HEALTHCHECK failed: ${hc.stderr}`)

  const res = await fetch(`http://${env.SHADOWSPLIT_LISTEN}/hello?x=1`)
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { url: '/hello?x=1' })

  const metrics = await fetch(`${admin}/metrics`)
  assert.equal(metrics.status, 200, '/metrics stays readable without the token (Prometheus scrapes it)')
  assert.match(await metrics.text(), /shadowsplit_requests_total\{target="primary"/)
  assert.equal((await fetch(`${admin}/api/endpoints`)).status, 401, 'the admin API on 0.0.0.0 needs the token')
  assert.equal((await fetch(`${admin}/api/endpoints`, { headers: { authorization: `Bearer ${token}` } })).status, 200)
  const dashboard = await fetch(`${admin}/`)
  assert.equal(dashboard.status, 200)
  assert.match(dashboard.headers.get('content-type') ?? '', /text\/html/)

  const exit = await proc.stop('SIGTERM')
  assert.equal(exit.code, 0, `docker stop (SIGTERM) must end in exit 0:\n${exit.stderr}`)
})

test('without an admin token the image refuses to start, with one line naming the setting', async () => {
  const env = await runEnv({ SHADOWSPLIT_PRIMARY: 'http://127.0.0.1:1' })
  const [cmd, ...args] = entrypoint(runtime)
  const r = await run(cmd, args, { cwd: image.workdir, env }, 20_000)
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /adminListen.*--admin-token|SHADOWSPLIT_ADMIN_TOKEN/)
})

test('a mounted config file at SHADOWSPLIT_CONFIG is read (`check` as the CMD)', async () => {
  const file = join(work, 'config.yaml')
  writeFileSync(file, 'primary: http://primary.internal:3000\ncandidate: http://candidate.internal:3000\ndefaultRoute:\n  mirrorPercent: 25\n')
  const env = await runEnv({ SHADOWSPLIT_CONFIG: file, SHADOWSPLIT_ADMIN_TOKEN: token })
  const [cmd, ...args] = entrypoint(runtime, ['check'])
  const r = await run(cmd, args, { cwd: image.workdir, env }, 20_000)
  assert.equal(r.code, 0, r.stderr)
  const config = JSON.parse(r.stdout) as { primary: string[]; defaultRoute: { mirrorPercent: number }; adminListen: { host: string } }
  assert.deepEqual(config.primary, ['http://primary.internal:3000'])
  assert.equal(config.defaultRoute.mirrorPercent, 25)
  assert.equal(config.adminListen.host, '0.0.0.0')
})

