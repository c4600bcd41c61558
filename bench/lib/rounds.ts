// The measuring loop shared by the suites: one short warm-up per target (unless it opts out), then N rounds in which every target
// runs once, in turn (ABCABC…, never AAA BBB), so that a slow minute on a shared machine hits all targets alike.
// Targets of an interleave group go further: within the round they take turns in short slices (ABC CBA ABC …),
// each led in by a little unmeasured load, and each one's slices are pooled into its sample for the round, so
// that a slow few seconds hit them alike too.
import type { LoadOptions, LoadResult, LoadTool } from './load-result.ts'
import { poolLoads } from './histogram.ts'
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
  /** Run interleaved with the other targets of the same group (see Interleave). */
  interleave?: Interleave<X>
}

/**
 * Targets sharing one Interleave object run, in each round, in `slices` slices of duration / slices seconds
 * each (whole seconds, at least 1), the order reversed from one slice to the next. A target's slices become one
 * sample: latency distributions merged, counts summed (poolLoads), CPU weighted by time, extras pooled by `merge`.
 * `before` and `after` run around every slice. The group runs where its first target stands in the list.
 */
export interface Interleave<X> {
  slices: number
  merge: (extras: X[]) => X
  /**
   * Seconds of unmeasured load, at the slice's own load options, just before each slice (and before its `before`
   * hook): a slice then starts from a steady state, not from where the target stood after idling through the
   * other targets' slices (e.g. upstream connections closed after their idle timeout). 0: none.
   */
  leadInS: number
}

export interface RunSample<X> {
  load: LoadResult
  /** Percent of one core used by the target's processes during the run. */
  cpuPct: number | null
  extra: X | null
  /** An interleaved target's slices of the round, in the order they ran (pooled into `load`). */
  slices?: LoadResult[]
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

/** How long each slice of an interleaved group runs: wrk takes whole seconds. */
export function sliceSeconds (durationS: number, slices: number): number {
  return Math.max(1, Math.round(durationS / slices))
}

/** One sample out of a target's slices of a round. */
function pool<X> (runs: Array<RunSample<X>>, merge: (extras: X[]) => X): RunSample<X> {
  const load = poolLoads(runs.map((r) => r.load))
  const cpus = runs.map((r) => r.cpuPct)
  const cpuPct = cpus.every((c): c is number => c !== null)
    ? runs.reduce((a, r) => a + (r.cpuPct as number) * r.load.seconds, 0) / load.seconds
    : null
  const extras = runs.map((r) => r.extra)
  return { load, cpuPct, extra: extras.every((x): x is X => x !== null) ? merge(extras) : null, slices: runs.map((r) => r.load) }
}

/** Every target of the group `first` belongs to, in slices (see Interleave); samples in the group's order. */
async function measureInterleaved<X> (first: Target<X>, targets: Array<Target<X>>, o: RoundsOptions): Promise<Array<[Target<X>, RunSample<X>]>> {
  const group = first.interleave as Interleave<X>
  const members = targets.filter((t) => t.interleave === group)
  const sliceS = sliceSeconds(o.durationS, group.slices)
  const runs = new Map<Target<X>, Array<RunSample<X>>>(members.map((t) => [t, []]))
  for (let k = 0; k < group.slices; k++) {
    for (const t of k % 2 === 0 ? members : [...members].reverse()) {
      if (group.leadInS > 0) await o.tool.run(t.url, loadOptions(t, o, group.leadInS))
      runs.get(t)?.push(await measure(t, sliceS, o))
    }
  }
  return members.map((t) => [t, pool(runs.get(t) ?? [], group.merge)])
}

/** A run's load options: the target's own (read now), or the rounds' connections in a closed loop for a warm-up. */
function loadOptions<X> (t: Target<X>, o: RoundsOptions, durationS: number, warmup = false): LoadOptions {
  return warmup || t.load === undefined ? { connections: o.connections, durationS } : { ...t.load(), durationS }
}

async function measure<X> (t: Target<X>, durationS: number, o: RoundsOptions, warmup = false): Promise<RunSample<X>> {
  checkAlive(t)
  await t.before?.()
  const options = loadOptions(t, o, durationS, warmup)
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
      const done = new Set<Interleave<X>>()
      for (const t of targets) {
        if (t.interleave !== undefined && done.has(t.interleave)) continue
        let results: Array<[Target<X>, RunSample<X>]>
        if (t.interleave === undefined) {
          results = [[t, await measure(t, o.durationS, o)]]
        } else {
          done.add(t.interleave)
          results = await measureInterleaved(t, targets, o)
        }
        for (const [target, s] of results) {
          samples.get(target.name)?.push(s)
          const cpu = s.cpuPct === null ? '' : `  cpu ${s.cpuPct.toFixed(0)} %`
          const errs = s.load.badStatus + s.load.socketErrors + s.load.timeouts
          const offered = s.load.offeredRps === undefined ? '' : ` (offered ${fmtInt(s.load.offeredRps)})`
          const sliced = target.interleave === undefined ? '' : ` (${target.interleave.slices} slices pooled)`
          o.progress(`  round ${r}/${o.rounds} ${target.name}${sliced}: ${fmtInt(s.load.rps)} req/s${offered}  p50 ${fmtMs(s.load.p50Ms)}  p99 ${fmtMs(s.load.p99Ms)}${cpu}${errs > 0 ? `  errors ${errs}` : ''}`)
        }
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
