// CPU time of a process group (a proxy and any workers it forked), read from /proc. It shows where the two
// shared cores went during a run: a proxy at ~100 % of one core is the bottleneck, not the load generator.
import { readdirSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

let ticksPerSecond: number | null = null

function clockTicks (): number {
  if (ticksPerSecond === null) {
    try { ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { ticksPerSecond = 100 }
  }
  return ticksPerSecond
}

/** utime+stime in seconds of every live process in the group, or null where /proc is not available (macOS). */
export function groupCpuSeconds (pgid: number): number | null {
  let entries: string[]
  try { entries = readdirSync('/proc') } catch { return null }
  let ticks = 0
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue
    let stat: string
    try { stat = readFileSync(`/proc/${e}/stat`, 'utf8') } catch { continue }
    // Fields after the command name, which may itself contain spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(f[2]) !== pgid) continue
    ticks += Number(f[11]) + Number(f[12])
  }
  return ticks / clockTicks()
}

/** Measures the CPU share (percent of one core) that each group uses while `work` runs. */
export async function withCpu<T> (pgids: number[], work: () => Promise<T>): Promise<{ result: T; cpuPct: number | null }> {
  const before = pgids.map(groupCpuSeconds)
  const t0 = process.hrtime.bigint()
  const result = await work()
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const after = pgids.map(groupCpuSeconds)
  let used = 0
  for (let i = 0; i < pgids.length; i++) {
    const a = after[i]
    const b = before[i]
    if (a === null || b === null || a === undefined || b === undefined) return { result, cpuPct: null }
    used += a - b
  }
  return { result, cpuPct: (used / wall) * 100 }
}

/**
 * CPU seconds per thread name (`comm`: MainThread, WorkerThread, V8Worker, libuv-worker…) summed over the
 * live threads of every process in the group, or null without /proc. A thread that ended took its time along.
 */
export function threadCpuSeconds (pgid: number): Record<string, number> | null {
  let entries: string[]
  try { entries = readdirSync('/proc') } catch { return null }
  const out: Record<string, number> = {}
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue
    let stat: string
    try { stat = readFileSync(`/proc/${e}/stat`, 'utf8') } catch { continue }
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue
    let tasks: string[]
    try { tasks = readdirSync(`/proc/${e}/task`) } catch { continue }
    for (const t of tasks) {
      let ts: string
      try { ts = readFileSync(`/proc/${e}/task/${t}/stat`, 'utf8') } catch { continue }
      const name = ts.slice(ts.indexOf('(') + 1, ts.lastIndexOf(')'))
      const f = ts.slice(ts.lastIndexOf(')') + 2).split(' ')
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / clockTicks()
    }
  }
  return out
}
