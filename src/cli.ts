// shadowsplit [command] [flags]: argv + env + file → config → start. Exit codes: 0 clean stop, 2 usage or
// config error, 1 runtime failure.
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { FLAGS, envName, loadConfig } from './config/load.ts'
import { ConfigError } from './config/schema-kit.ts'
import { startApp } from './app.ts'
import { startDemo, demoBanner } from './demo/demo.ts'
import { startDemoService } from './demo/demo-service.ts'
import { formatListen, parseListen } from './config/addresses.ts'
import type { App } from './app.ts'

const EXIT_RUNTIME = 1
const EXIT_USAGE = 2

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export function usage (): string {
  const width = Math.max(...FLAGS.map((f) => f.flag.length)) + 2
  const lines = FLAGS.map((f) => `  --${f.flag.padEnd(width)} ${f.doc}`)
  return `shadowsplit ${version()}: serve from the primary, mirror or split to a candidate, compare the answers.

Usage: shadowsplit [serve|check|demo|demo-service] [flags]
  serve          run the proxy (default)
  check          validate the configuration, print it as JSON and exit
  demo           run a demo: two versions of a JSON service, shadowsplit in front, light traffic
  demo-service   run the demo JSON service alone: --version v1|v2 --instance NAME --listen HOST:PORT

Flags (each has an env twin SHADOWSPLIT_<FLAG>, e.g. ${envName('mirror-percent')}; flag > env > file > default):
${lines.join('\n')}
  --${'help'.padEnd(width)} this text
  --${'version'.padEnd(width)} print the version

Example: shadowsplit --primary http://127.0.0.1:3000 --candidate http://127.0.0.1:3001 --mode mirror
`
}

function fail (message: string, code: number): never {
  process.stderr.write(`shadowsplit: ${message}\n`)
  process.exit(code)
}

function parse (argv: string[]): { command: string; flags: Record<string, string | undefined>; help: boolean; version: boolean } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, version: { type: 'boolean' } }
  for (const f of FLAGS) options[f.flag] = { type: 'string' }
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    const m = /'(-[^']*)'/.exec((err as Error).message)
    const flag = m?.[1].split(' ')[0] ?? ''
    const detail = (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? 'needs a value' : 'unknown flag'
    fail(`${flag === '' ? (err as Error).message : `${flag}: ${detail}`} (see --help)`, EXIT_USAGE)
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) fail(`unexpected argument '${positionals[1]}' (see --help)`, EXIT_USAGE)
  const flags: Record<string, string | undefined> = {}
  for (const f of FLAGS) flags[f.flag] = values[f.flag] as string | undefined
  return { command: positionals[0] ?? 'serve', flags, help: values.help === true, version: values.version === true }
}

async function runDemo (flags: Record<string, string | undefined>): Promise<void> {
  const rps = 20
  let demo
  try {
    demo = await startDemo({ flags, rps })
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT_USAGE)
    throw err
  }
  process.stderr.write(demoBanner(demo, rps))
  const stop = (): void => { void demo.stop().then(() => process.exit(0)) }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

async function runDemoService (argv: string[]): Promise<void> {
  let values
  try {
    values = parseArgs({ args: argv, options: { version: { type: 'string' }, instance: { type: 'string' }, listen: { type: 'string' } }, strict: true }).values
  } catch (err) {
    fail(`demo-service: ${(err as Error).message}`, EXIT_USAGE)
  }
  const version = values.version ?? 'v1'
  if (version !== 'v1' && version !== 'v2') fail(`demo-service --version: must be v1 or v2 (got '${version}')`, EXIT_USAGE)
  let listen
  try { listen = parseListen(values.listen ?? '0.0.0.0:3000') } catch (err) { fail(`demo-service --listen: ${(err as Error).message}`, EXIT_USAGE) }
  const s = await startDemoService(version, values.instance ?? version, listen.host, listen.port).catch((err: NodeJS.ErrnoException) =>
    fail(`demo-service --listen: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`, EXIT_USAGE))
  process.stderr.write(`demo-service ${version} (${values.instance ?? version}) listening on ${formatListen(listen)}\n`)
  const stop = (): void => { s.server.closeAllConnections(); s.server.close(() => process.exit(0)) }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

export async function main (argv: string[]): Promise<void> {
  if (argv[0] === 'demo-service') { await runDemoService(argv.slice(1)); return }
  const args = parse(argv)
  if (args.help) { process.stdout.write(usage()); return }
  if (args.version) { process.stdout.write(`${version()}\n`); return }
  if (args.command === 'demo') { await runDemo(args.flags); return }
  if (args.command !== 'serve' && args.command !== 'check') fail(`unknown command '${args.command}' (see --help)`, EXIT_USAGE)

  let loaded
  try {
    loaded = loadConfig({ flags: args.flags, env: process.env })
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT_USAGE)
    throw err
  }
  if (args.command === 'check') {
    process.stdout.write(`${JSON.stringify(loaded.config, null, 2)}\n`)
    return
  }

  // Signals are handled from the start: one arriving while the servers come up must not kill the process.
  let app: App | null = null
  let signals = 0
  const shutdown = (signal: string): void => {
    if (app === null) process.exit(0)
    const running = app
    if (++signals > 1) {
      running.log.warn({ signal }, 'second signal: exiting without waiting for the drain')
      process.exit(EXIT_RUNTIME)
    }
    running.log.info({ signal }, 'shutting down')
    void running.stop().then(() => process.exit(0), (err: unknown) => {
      running.log.error({ err }, 'shutdown failed')
      process.exit(EXIT_RUNTIME)
    })
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  process.on('SIGHUP', () => {
    if (app === null) return
    try {
      app.reload(loadConfig({ flags: args.flags, env: process.env }).config)
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      app.log.error({ reason: err.message }, 'reload refused; the running configuration stays')
    }
  })

  try {
    app = await startApp(loaded.config)
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT_USAGE)
    throw err
  }
}

process.on('uncaughtException', (err) => {
  process.stderr.write(`shadowsplit: runtime failure: ${err.stack ?? String(err)}\n`)
  process.exit(EXIT_RUNTIME)
})

await main(process.argv.slice(2))
