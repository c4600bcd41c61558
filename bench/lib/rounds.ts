// The measuring loop shared by the suites: one short warm-up per target (unless it opts out), then N rounds in which every target
// runs once, in turn (ABCABC…, never AAA BBB), so that a slow minute on a shared machine hits all targets alike.
import type { LoadOptions, LoadResult, LoadTool } from './load-result.ts'
import type { Managed } from './processes.ts'
import { withCpu } from './cpu.ts'
import { fmtInt, fmtMs } from './stats.ts'

export interface Target<X> {
  name: string
  url: string
  /** The processes under test: CPU is accounted to their groups, and a death aborts the suite. */
  procs: Managed[]
  /** Before every run (warm-up included): e.g. let stray mirrors land, then reset counters. */
  before?: () => Promise<void>
  /** After every measured run: suite-specific figures (mirrored count, skip reasons). */
  after?: (load: LoadResult) => Promise<X>
  /**
   * Load options of this target's measured runs, read just before each run (so they may depend on a run earlier
   * in the same round, e.g. a paced rate derived from another target's throughput). Defaults: the rounds' own
   * connections, closed loop. The duration is always the rounds' own.
   */
  load?: () => Omit<LoadOptions, 'durationS'>
  /** false: no warm-up run (e.g. a second phase of a process that was already warmed up). Default true. */
  warmup?: boolean
}

export interface RunSample<X> {
  load: LoadResult
  /** Percent of one core used by the target's processes during the run. */
  cpuPct: number | null
  extra: X | null
}

export interface RoundsOptions {
  rounds: number
  durationS: number
  warmupS: number
  connections: number
  tool: LoadTool
  progress: (line: string) => void
}

function checkAlive (t: { name: string; procs: Managed[] }): void {
  for (const p of t.procs) {
    if (p.hasExited()) throw new Error(`${p.name} (${t.name}) died (${p.howExited() ?? '?'}): ${p.output().trim().split('\n').slice(-15).join('\n') || 'no output'}`)
  }
}

async function measure<X> (t: Target<X>, durationS: number, o: RoundsOptions, warmup = false): Promise<RunSample<X>> {
  checkAlive(t)
  await t.before?.()
  const options: LoadOptions = warmup || t.load === undefined ? { connections: o.connections, durationS } : { ...t.load(), durationS }
  const { result: load, cpuPct } = await withCpu(t.procs.map((p) => p.pid), async () => await o.tool.run(t.url, options))
  checkAlive(t)
  const extra = t.after === undefined ? null : await t.after(load)
  return { load, cpuPct, extra }
}

export interface RoundsOutcome<X> {
  samples: Map<string, Array<RunSample<X>>>
  /** Why the rounds stopped early (a target died after round 1); the partial round is dropped. */
  aborted: string | null
}

export async function runRounds<X> (targets: Array<Target<X>>, o: RoundsOptions): Promise<RoundsOutcome<X>> {
  const samples = new Map<string, Array<RunSample<X>>>(targets.map((t) => [t.name, []]))
  for (const t of targets) {
    if (t.warmup === false) continue
    const w = await measure(t, o.warmupS, o, true)
    o.progress(`  warm-up ${t.name}: ${fmtInt(w.load.rps)} req/s`)
  }
  for (let r = 1; r <= o.rounds; r++) {
    try {
      for (const t of targets) {
        const s = await measure(t, o.durationS, o)
        samples.get(t.name)?.push(s)
        const cpu = s.cpuPct === null ? '' : `  cpu ${s.cpuPct.toFixed(0)} %`
        const errs = s.load.badStatus + s.load.socketErrors + s.load.timeouts
        const offered = s.load.offeredRps === undefined ? '' : ` (offered ${fmtInt(s.load.offeredRps)})`
        o.progress(`  round ${r}/${o.rounds} ${t.name}: ${fmtInt(s.load.rps)} req/s${offered}  p50 ${fmtMs(s.load.p50Ms)}  p99 ${fmtMs(s.load.p99Ms)}${cpu}${errs > 0 ? `  errors ${errs}` : ''}`)
      }
    } catch (err) {
      if (r === 1) throw err
      // Complete rounds are still comparable; a half round is not (the ratios pair runs of one round).
      for (const runs of samples.values()) runs.length = r - 1
      const reason = `round ${r} of ${o.rounds} aborted, only ${r - 1} complete round(s) reported: ${(err as Error).message}`
      o.progress(`  ${reason}`)
      return { samples, aborted: reason }
    }
  }
  return { samples, aborted: null }
}
