// wrk as the load generator: one thread, because the machine's cores are shared with the proxy under test.
// p50/p99 come from its --latency distribution, counts from a done() hook in bench/wrk/report.lua. A paced run
// (LoadOptions.ratePerS) uses bench/wrk/pace.lua instead, which adds a delay() hook: wrk 4.x has no -R.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runToCompletion } from './processes.ts'
import type { LoadOptions, LoadResult, LoadTool } from './load-result.ts'
import { parseHistogram } from './histogram.ts'

const REPORT_LUA = fileURLToPath(new URL('../wrk/report.lua', import.meta.url))
const PACE_LUA = fileURLToPath(new URL('../wrk/pace.lua', import.meta.url))
const THREADS = 1
// wrk's default of 2 s would drop slow answers from the latency figures as "timeouts".
const TIMEOUT = '10s'

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export function wrkVersion (): string | null {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  if (r.error !== undefined) return null
  const m = /wrk\s+(\S+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)
  return m?.[1] ?? 'unknown version'
}

function percentileMs (text: string, pct: number): number | null {
  const m = new RegExp(`^\\s*${pct}(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text)
  if (m === null) return null
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1)
}

interface WrkJson {
  requests: number
  duration_us: number
  connect: number
  read: number
  write: number
  status: number
  timeout: number
  p50_us: number
  p99_us: number
}

export function parseWrk (stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`)
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson
  const seconds = j.duration_us / 1e6
  const hist = stdout.split('\n').find((l) => l.startsWith('WRK_HIST'))
  return {
    requests: j.requests,
    seconds,
    rps: j.requests / seconds,
    p50Ms: percentileMs(stdout, 50) ?? j.p50_us / 1000,
    p99Ms: percentileMs(stdout, 99) ?? j.p99_us / 1000,
    badStatus: j.status,
    socketErrors: j.connect + j.read + j.write,
    timeouts: j.timeout,
    ...(hist === undefined ? {} : { histogram: parseHistogram(hist) })
  }
}

export function wrkTool (version: string): LoadTool {
  return {
    describe: `wrk ${version} (${THREADS} thread)`,
    run: async (url: string, o: LoadOptions): Promise<LoadResult> => {
      const args = [`-t${THREADS}`, `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', TIMEOUT, '--latency']
      const paced = o.ratePerS !== undefined
      if (paced && !(Number.isFinite(o.ratePerS) && (o.ratePerS as number) > 0)) throw new Error(`wrk: bad paced rate ${String(o.ratePerS)}`)
      // Per-connection wait: 1000 × connections / rate ms (the first wait of each connection is random in [0, wait)).
      if (paced) args.push('-s', PACE_LUA, url, '--', ((1000 * o.connections) / (o.ratePerS as number)).toFixed(3), String(o.connections))
      else args.push('-s', REPORT_LUA, url)
      const r = await runToCompletion('wrk', 'wrk', args, (o.durationS + 30) * 1000)
      if (r.code !== 0) throw new Error(`wrk exited with ${r.code}: ${r.stderr.trim()} ${r.stdout.trim()}`)
      const result = parseWrk(r.stdout)
      return paced ? { ...result, offeredRps: o.ratePerS } : result
    }
  }
}
