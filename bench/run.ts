// npm run bench -- [passthrough|mirror|compare|compare-e2e|log-line …] [--rounds N] [--duration S] [--connections C] [--warmup S]
// Runs the load benchmarks against their peers and prints one markdown table per suite, with the median
// ratios judged against the bars; the same report goes to bench/results/latest.md. Benchmarks, not tests:
// the exit code is 0 whatever the bars say, 1 when a suite could not run, 2 on bad usage or no load tool.
import { parseArgs } from 'node:util'
import { detectLoadTool, WRK_INSTALL_HINT } from './lib/load-tool.ts'
import { probeNginx } from './lib/nginx.ts'
import { machineLines } from './lib/machine.ts'
import { stopAll } from './lib/processes.ts'
import { writeResult } from './lib/results.ts'
import { passthroughSuite } from './suites/passthrough.ts'
import { mirrorSuite } from './suites/mirror.ts'
import { compareSuite } from './suites/compare-suite.ts'
import { compareE2eSuite } from './suites/compare-e2e.ts'
import { logLineSuite } from './suites/log-line.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suites/suite.ts'

const SUITES: Record<string, (ctx: SuiteContext) => Promise<SuiteReport>> = {
  passthrough: passthroughSuite,
  mirror: mirrorSuite,
  compare: compareSuite,
  'compare-e2e': compareE2eSuite,
  'log-line': logLineSuite
}

const USAGE = `usage: npm run bench -- [suite…] [--rounds N] [--duration S] [--connections C] [--warmup S]
  suites: ${Object.keys(SUITES).join(', ')} (default: all)
  --rounds N       measured rounds per target, targets alternated within a round (default 5)
  --duration S     seconds per measured run (default 10)
  --connections C  concurrent client connections (default 64)
  --warmup S       seconds of the one warm-up run per target (default: 30 % of --duration, 1 to 3 s)
`

function usageError (message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}`)
  process.exit(2)
}

function positiveInt (name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer (got ${raw})`)
  return n
}

function parse (): { suites: string[]; rounds: number; durationS: number; connections: number; warmupS: number } {
  let parsed
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' }, warmup: { type: 'string' }, help: { type: 'boolean' } }
    })
  } catch (err) {
    usageError((err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) { process.stdout.write(USAGE); process.exit(0) }
  const unknown = positionals.filter((s) => !(s in SUITES))
  if (unknown.length > 0) usageError(`unknown suite ${unknown.join(', ')}`)
  const durationS = positiveInt('duration', values.duration, 10)
  const warmupS = positiveInt('warmup', values.warmup, Math.min(3, Math.max(1, Math.round(durationS * 0.3))))
  return {
    suites: positionals.length === 0 ? Object.keys(SUITES) : [...new Set(positionals)],
    rounds: positiveInt('rounds', values.rounds, 5),
    durationS,
    connections: positiveInt('connections', values.connections, 64),
    warmupS
  }
}

function commandLine (): string {
  const args = process.argv.slice(2).join(' ')
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args === '' ? '' : ` -- ${args}`}` : `node bench/run.ts ${args}`.trim()
}

async function main (): Promise<number> {
  const opts = parse()
  const detected = await detectLoadTool()
  if (detected.tool === null) {
    process.stderr.write(`bench: no load generator (${detected.notes.join('; ')}).\n  ${WRK_INSTALL_HINT}\n`)
    return 2
  }
  const nginx = probeNginx()
  const header = [
    '# shadowsplit benchmarks',
    '',
    `Command: \`${commandLine()}\` — ${opts.rounds} rounds × ${opts.durationS} s per target, ${opts.connections} connections, warm-up ${opts.warmupS} s per target.`,
    '',
    ...machineLines(detected.tool.describe, detected.notes, nginx)
  ].join('\n')
  process.stdout.write(`${header}\n\n`)
  if ('missing' in nginx) process.stdout.write(`Note: nginx peers are skipped (${nginx.missing}).\n\n`)

  const ctx: SuiteContext = { ...opts, tool: detected.tool, nginx, progress: (line) => process.stderr.write(`${line}\n`) }
  const sections: string[] = [header]
  const verdicts: Verdict[] = []
  let failed = 0
  const save = (): void => { writeResult('latest.md', `${sections.join('\n\n')}\n`) }
  for (const name of opts.suites) {
    let text: string
    try {
      const report = await (SUITES[name] as (c: SuiteContext) => Promise<SuiteReport>)(ctx)
      verdicts.push(...report.verdicts.map((v) => ({ ...v, bar: `${name}: ${v.bar}` })))
      text = `## ${report.title}\n\n${report.markdown}`
    } catch (err) {
      failed++
      text = `## ${name}\n\n**Could not run:** ${(err as Error).message}`
      await stopAll()
    }
    process.stdout.write(`${text}\n\n`)
    sections.push(text)
    save()
  }
  if (verdicts.length > 0) {
    const summary = `## Bars\n\n${verdicts.map((v) => `- **${v.status}** ${v.bar}`).join('\n')}`
    process.stdout.write(`${summary}\n\n`)
    sections.push(summary)
    save()
  }
  process.stdout.write(`(written to bench/results/latest.md)\n`)
  return failed > 0 ? 1 : 0
}

let code = 1
try {
  code = await main()
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
} finally {
  await stopAll()
}
process.exit(code)
