// `compare.cpu: shared` (Linux): the main thread and the compare workers are bound to one CPU. The workers run under
// SCHED_IDLE, so on that CPU they only get the time the client path leaves idle, and the main thread keeps its CPU
// (and its caches) instead of being moved about while a worker is busy elsewhere (`npm run bench -- compare-e2e`
// runs the default beside `spread`; the README's Benchmarks section has the runs). The price: comparisons get one
// CPU's idle time at most (at saturation almost none), the rest dropped and counted (`diff_queue_full`).
//
// Which CPU: the allowed one other processes kept least busy over the last check (so that several shadowsplits
// started together on one node do not all take the CPU they happened to start on); the main thread's own on a tie.
// A bound main thread cannot escape a CPU that another process keeps busy, so it is watched. When it spent more than
// `waitLimit` of its runnable time waiting for its CPU (/proc/thread-self/schedstat), while running at least 5 % of
// the time (serving, not just firing timers) and waiting longer than another allowed CPU sat idle (so it would have
// run sooner there; when every CPU is busy, moving gains nothing), for `releaseAfter` checks in a row, every thread
// is released to the whole CPU set the process started with, and bound again `rebindMs` later — twice as long after
// each release that follows a short binding (under 10 × rebindMs), up to 16 × rebindMs, so lasting contention costs a
// few seconds every quarter hour at most. Affinity is set with util-linux `taskset` (Node has no call for it), per
// thread id.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { access } from 'node:fs/promises'
import type { Logger } from '../observe/log.ts'

export interface CpuShareTiming {
  /** How often the main thread's wait for its CPU is read. */
  checkMs: number
  /** Share of the main thread's runnable time (running + waiting) spent waiting that counts as contended. */
  waitLimit: number
  /** Contended checks in a row before the threads are released. */
  releaseAfter: number
  /** How long released threads stay free before they are bound again. */
  rebindMs: number
}

export const CPU_SHARE_TIMING: CpuShareTiming = { checkMs: 1000, waitLimit: 0.3, releaseAfter: 3, rebindMs: 60_000 }

/** `bound`: to `cpu`; `free`: until the next bind (the first check, or after a release); `off`: never bound here (why is in the log). */
export type CpuShareState = 'bound' | 'free' | 'off'

/** "0-3,6,8-9" → [0, 1, 2, 3, 6, 8, 9] */
export function parseCpuList (list: string): number[] {
  const cpus: number[] = []
  for (const part of list.trim().split(',')) {
    if (part === '') continue
    const [a, b] = part.split('-').map(Number)
    for (let c = a!; c <= (b ?? a!); c++) cpus.push(c)
  }
  return cpus
}

/** The CPU a thread last ran on: field 39 of /proc/<pid>/task/<tid>/stat (after the parenthesised name). */
export function lastCpu (statText: string): number {
  return Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[36])
}

/** Nanoseconds this thread has run, and waited on a run queue. */
function schedNs (): [number, number] {
  const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')
  return [Number(run), Number(wait)]
}

/** Clock ticks each CPU spent busy and idle since boot (/proc/stat; iowait counts as idle). */
function cpuTicks (): Map<number, { busy: number; idle: number }> {
  const ticks = new Map<number, { busy: number; idle: number }>()
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (m === null) continue
    const f = m[2]!.split(/\s+/).map(Number)
    ticks.set(Number(m[1]), { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!, idle: f[3]! + f[4]! })
  }
  return ticks
}
/** Share of a check the main thread must have run for its waits to count. */
const MIN_RUN = 0.05
/** /proc/stat's unit: USER_HZ, 100 on every Linux ABI Node runs on. */
const NS_PER_TICK = 1e7

function taskset (cpus: string, tid: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('taskset', ['-p', '-c', cpus, String(tid)], { timeout: 5000 }, (err, _out, stderr) => {
      if (err === null) { resolve(null); return }
      const e = err as NodeJS.ErrnoException
      resolve(e.code === 'ENOENT' ? 'taskset not found (util-linux)' : (stderr.trim() || e.message))
    })
  })
}

export class CpuShare {
  readonly #log: Logger
  readonly #timing: CpuShareTiming
  readonly #mainTid = process.pid
  readonly #workers = new Set<number>()
  #allowed = ''
  #cpus: number[] = []
  #state: CpuShareState = 'off'
  #cpu = -1
  #timer: NodeJS.Timeout | null = null
  #sched: [number, number] = [0, 0]
  #ticks = new Map<number, { busy: number; idle: number }>()
  readonly #onRelease: () => void
  #strikes = 0
  #boundAt = 0
  #bindAt = 0
  #delay: number
  #closed = false
  #steps: Promise<void> = Promise.resolve()

  /** `onRelease`: called at each release (a metric counts them). */
  constructor (log: Logger, timing: CpuShareTiming = CPU_SHARE_TIMING, onRelease: () => void = () => {}) {
    this.#log = log
    this.#timing = timing
    this.#onRelease = onRelease
    this.#delay = timing.rebindMs / 2
  }

  get state (): CpuShareState { return this.#state }
  /** The CPU every thread is bound to, -1 when not bound. */
  get cpu (): number { return this.#state === 'bound' ? this.#cpu : -1 }

  /** Starts watching; the threads are bound at the first check, once there is a check's worth of CPU load to choose by. */
  async start (): Promise<void> {
    try {
      // Threads inherit the affinity of the thread that creates them: an async fs call starts libuv's thread pool
      // (if nothing has yet) while the main thread is still free, so the pool's threads keep every CPU.
      await access('/proc/thread-self/schedstat')
      const status = readFileSync('/proc/thread-self/status', 'utf8')
      this.#allowed = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? ''
      this.#cpus = parseCpuList(this.#allowed)
      this.#sched = schedNs()
      this.#ticks = cpuTicks()
    } catch {
      this.#log.info('compare.cpu shared: no per-thread CPU affinity here (Linux /proc with schedstat); threads left to the scheduler')
      return
    }
    if (this.#closed) return
    if (this.#cpus.length < 2) {
      this.#log.info({ cpus: this.#allowed }, 'compare.cpu shared: the process may use one CPU only; nothing to bind')
      return
    }
    this.#state = 'free'
    this.#timer = setInterval(() => this.#check(), this.#timing.checkMs)
    this.#timer.unref()
  }

  /** A compare worker's thread: bound with the others while they are bound. */
  addWorker (tid: number): void {
    this.#workers.add(tid)
    if (this.#state === 'bound') void this.#serial(async () => { await this.#set(String(this.#cpu), tid) })
  }

  #serial (step: () => Promise<void>): Promise<void> {
    this.#steps = this.#steps.then(step)
    return this.#steps
  }

  /** Sets one thread's affinity; a worker that has exited is forgotten. The main thread's failure, null when it worked. */
  async #set (cpus: string, tid: number): Promise<string | null> {
    const error = await taskset(cpus, tid)
    if (error !== null && tid !== this.#mainTid) { this.#workers.delete(tid); return null }
    return error
  }

  /** The allowed CPU other processes kept least busy over the last check (`busy`: ticks per CPU; `ranNs`: ours). */
  #choose (busy: Map<number, number>, ranNs: number): number {
    const here = lastCpu(readFileSync('/proc/thread-self/stat', 'utf8'))
    let best = here
    let least = Number.POSITIVE_INFINITY
    for (const c of [here, ...this.#cpus.filter((c) => c !== here)]) {
      const load = (busy.get(c) ?? Number.POSITIVE_INFINITY) - (c === here ? ranNs / NS_PER_TICK : 0)
      if (load < least) { best = c; least = load }
    }
    return best
  }

  #bind (cpu: number): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return
      const error = await this.#set(String(cpu), this.#mainTid)
      if (error !== null) {
        this.#log.warn({ reason: error }, 'compare.cpu shared: could not bind the main thread; threads left to the scheduler')
        this.#state = 'off'
        if (this.#timer !== null) clearInterval(this.#timer)
        return
      }
      for (const tid of [...this.#workers]) await this.#set(String(cpu), tid)
      this.#cpu = cpu
      this.#state = 'bound'
      this.#strikes = 0
      this.#boundAt = Date.now()
      this.#log.info({ cpu }, 'compare.cpu shared: main thread and compare workers bound to one CPU')
    })
  }

  #release (): Promise<void> {
    this.#state = 'free'
    return this.#serial(async () => {
      const error = await this.#set(this.#allowed, this.#mainTid)
      if (error !== null) {
        // Still bound: say so, and try again after the next contended checks.
        this.#log.warn({ reason: error }, 'compare.cpu shared: could not release the main thread; it stays bound')
        this.#state = 'bound'
        this.#strikes = 0
        return
      }
      for (const tid of [...this.#workers]) await this.#set(this.#allowed, tid)
      this.#onRelease()
    })
  }

  #check (): void {
    const sched = schedNs()
    const ran = sched[0] - this.#sched[0]
    const waited = sched[1] - this.#sched[1]
    this.#sched = sched
    const ticks = cpuTicks()
    const busy = new Map<number, number>()
    let idleElsewhere = 0
    const here = this.#state === 'bound' ? this.#cpu : -1
    for (const [c, t] of ticks) {
      const before = this.#ticks.get(c) ?? t
      busy.set(c, t.busy - before.busy)
      if (c !== here && this.#cpus.includes(c)) idleElsewhere = Math.max(idleElsewhere, (t.idle - before.idle) * NS_PER_TICK)
    }
    this.#ticks = ticks
    const now = Date.now()
    if (this.#state === 'free') {
      if (now >= this.#bindAt) void this.#bind(this.#choose(busy, ran))
      return
    }
    if (this.#state !== 'bound') return
    // Only a main thread at work can tell: an idle proxy's timers waiting behind another process cost no client
    // anything (measured: idle proxies beside loaded ones were released between their own runs), and waits under
    // 1 % of the time are scheduling noise.
    const interval = this.#timing.checkMs * 1e6
    const share = ran < interval * MIN_RUN || waited < interval * 0.01 ? 0 : waited / (ran + waited)
    this.#strikes = share > this.#timing.waitLimit && idleElsewhere > waited ? this.#strikes + 1 : 0
    if (this.#strikes < this.#timing.releaseAfter) return
    const { rebindMs } = this.#timing
    this.#delay = now - this.#boundAt >= 10 * rebindMs ? rebindMs : Math.min(this.#delay * 2, 16 * rebindMs)
    this.#bindAt = now + this.#delay
    this.#log.warn({ cpu: this.#cpu, waited: Number(share.toFixed(3)), rebindInMs: this.#delay },
      'compare.cpu shared: the main thread kept waiting for its CPU; threads released to every CPU')
    void this.#release()
  }

  /** Stops watching and gives the main thread back the whole CPU set. */
  async close (): Promise<void> {
    this.#closed = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    await this.#steps
    if (this.#state === 'bound') await this.#set(this.#allowed, this.#mainTid)
    this.#state = 'off'
  }
}
