// Picks the load generator: wrk when installed, else autocannon when it resolves from this project, else none
// (the harness then says how to install wrk and exits 2; it never installs anything itself).
import { wrkTool, wrkVersion } from './wrk.ts'
import type { LoadOptions, LoadResult, LoadTool } from './load-result.ts'

export const WRK_INSTALL_HINT = 'install wrk: `apt-get install wrk` (Debian/Ubuntu), `brew install wrk` (macOS)'

interface AutocannonResult {
  requests: { total: number }
  latency: { p50: number; p99: number }
  duration: number
  non2xx: number
  errors: number
  timeouts: number
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>

function resolves (specifier: string): string | null {
  try { return import.meta.resolve(specifier) } catch { return null }
}

// Not exercised on the reference machine (autocannon is not a dependency); kept so a checkout without wrk
// still measures something. Runs in the harness process, which is otherwise idle during a run.
async function autocannonTool (url: string): Promise<LoadTool> {
  const mod = await import(url) as { default: Autocannon }
  return {
    describe: 'autocannon (in-process)',
    run: async (target: string, o: LoadOptions): Promise<LoadResult> => {
      // overallRate: autocannon's own pacing, for a paced run (LoadOptions.ratePerS).
      const r = await mod.default({ url: target, connections: o.connections, duration: o.durationS, pipelining: 1, timeout: 10, ...(o.ratePerS === undefined ? {} : { overallRate: o.ratePerS }) })
      return {
        requests: r.requests.total,
        seconds: r.duration,
        rps: r.requests.total / r.duration,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        badStatus: r.non2xx,
        socketErrors: Math.max(0, r.errors - r.timeouts),
        timeouts: r.timeouts,
        ...(o.ratePerS === undefined ? {} : { offeredRps: o.ratePerS })
      }
    }
  }
}

export interface Detected {
  tool: LoadTool | null
  /** One line per tool looked for, for the report header. */
  notes: string[]
}

export async function detectLoadTool (): Promise<Detected> {
  const notes: string[] = []
  const wrk = wrkVersion()
  const ac = resolves('autocannon')
  notes.push(wrk === null ? 'wrk: not installed' : `wrk: ${wrk}`)
  notes.push(ac === null ? 'autocannon: not installed (only used when wrk is missing)' : 'autocannon: installed')
  if (wrk !== null) return { tool: wrkTool(wrk), notes }
  if (ac !== null) return { tool: await autocannonTool(ac), notes }
  return { tool: null, notes }
}
