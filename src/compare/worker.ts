// The compare worker: structural comparison and sample building off the main thread. Bodies arrive as
// transferred buffers; they are handed back (transferred again) only when the main thread may want a sample.
import { parentPort, workerData } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { setPriority } from 'node:os'
import { performance } from 'node:perf_hooks'
import { compareSidesDetailed, compileRules } from './compare-sides.ts'
import type { CompiledRules } from './compare-sides.ts'
import { redactDifferences, sampleView } from './sample-view.ts'
import type { PriorityReport, WorkerOptions, WorkerPolicy, WorkerRequest, WorkerReply } from './protocol.ts'
import { ReplyRing } from './reply-ring.ts'

const rules = new Map<string, CompiledRules>()

/**
 * Comparison only gets CPU the client path leaves over (Linux; elsewhere the worker keeps the process priority).
 * `idle` puts this thread under SCHED_IDLE: any other runnable thread preempts it as soon as it wakes, where a
 * niced thread may still finish its time slice first (measured: mirror + compare of 20 KB pairs at a fixed rate,
 * client p50 1.2-1.3 ms with nice +10, 0.95-1.2 ms with SCHED_IDLE, pass-through 0.9-1.0 ms). Node has no call for
 * it, so util-linux's `chrt` sets it, once per worker. Scheduling attributes are per thread on Linux, and this
 * thread's id is the first field of /proc/thread-self/stat. Reports what took effect.
 */
function lowerPriority (tid: number | null, policy: WorkerPolicy, nice: number): Omit<PriorityReport, 'tid'> {
  // Not Linux (or a kernel without /proc/thread-self): per-thread priorities are not ours to set, nothing to report.
  if (tid === null) return { applied: 'none', error: null }
  let error: string | null = null
  if (policy === 'idle') {
    try {
      execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 })
      return { applied: 'idle', error: null }
    } catch (err) {
      const e = err as { code?: string; stderr?: Buffer; message: string }
      error = `chrt --idle failed: ${e.code === 'ENOENT' ? 'chrt not found (util-linux)' : (e.stderr?.toString().trim() || e.message)}`
    }
  }
  if (nice <= 0) return { applied: 'none', error }
  try {
    setPriority(tid, Math.min(19, nice))
    return { applied: 'nice', error }
  } catch (err) {
    return { applied: 'none', error: `${error === null ? '' : `${error}; `}setPriority: ${(err as Error).message}` }
  }
}
function threadId (): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0])
  } catch {
    return null
  }
}
const options = (workerData ?? {}) as Partial<WorkerOptions>
const ring = options.replies === undefined ? null : new ReplyRing(options.replies)
const tid = threadId()
parentPort!.postMessage({ tid, ...lowerPriority(tid, options.policy ?? 'nice', options.nice ?? 0) } satisfies PriorityReport)

function rulesFor (key: string, config: WorkerRequest['rules']): CompiledRules {
  let compiled = rules.get(key)
  if (compiled === undefined) {
    compiled = compileRules(config)
    if (rules.size > 256) rules.clear()
    rules.set(key, compiled)
  }
  return compiled
}

function handle (msg: WorkerRequest): [WorkerReply, ArrayBuffer[]] {
  const compiled = rulesFor(msg.rulesKey, msg.rules)
  if (msg.type === 'compare') {
    const started = performance.now()
    const pc = compareSidesDetailed(msg.primary, msg.candidate, compiled)
    const ps = msg.secondary === null ? null : compareSidesDetailed(msg.primary, msg.secondary, compiled)
    const ms = performance.now() - started
    if (pc.differences.length === 0 || !msg.wantBodies) return [{ id: msg.id, type: 'compare', ok: true, pc, ps, ms, bodies: null }, []]
    const bodies: [Uint8Array | null, Uint8Array | null] = [msg.primary.body, msg.candidate.body]
    const transfer = bodies.filter((b): b is Uint8Array => b !== null).map((b) => b.buffer as ArrayBuffer)
    return [{ id: msg.id, type: 'compare', ok: true, pc, ps, ms, bodies }, transfer]
  }
  const fields = new Set(msg.redactFields.map((f) => f.toLowerCase()))
  const view = sampleView(msg.primary, msg.candidate, compiled, fields, msg.bodyBytes)
  const headers = new Set(msg.redactHeaders)
  return [{ id: msg.id, type: 'sample', ok: true, view, differences: redactDifferences(msg.differences, fields, headers) }, []]
}

parentPort!.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply
  let transfer: ArrayBuffer[] = []
  try {
    [reply, transfer] = handle(msg)
  } catch (err) {
    reply = { id: msg.id, type: msg.type, ok: false, error: (err as Error).message }
  }
  // The common reply (a comparison, nothing to transfer) goes through the ring; the rest, or one that does not fit, as a message.
  if (reply.ok && reply.type === 'compare' && transfer.length === 0 && ring?.write(reply) === true) return
  parentPort!.postMessage(reply, transfer)
})
