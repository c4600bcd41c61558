// The compare worker: structural comparison and sample building off the main thread. Bodies arrive as
// transferred buffers; they are handed back (transferred again) only when the main thread may want a sample.
import { parentPort, workerData } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { performance } from 'node:perf_hooks'
import { compareSidesDetailed, compileRules } from './compare-sides.ts'
import type { CompiledRules } from './compare-sides.ts'
import { redactDifferences, sampleView } from './sample-view.ts'
import type { WorkerRequest, WorkerReply } from './protocol.ts'

const rules = new Map<string, CompiledRules>()

/**
 * Comparison only gets CPU the client path leaves over: on Linux each thread has its own nice value, and this
 * thread's id is the first field of /proc/thread-self/stat. Elsewhere the worker keeps the process priority.
 */
function lowerPriority (increment: number): void {
  if (increment <= 0) return
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0])
    setPriority(tid, Math.min(19, increment))
  } catch { /* not Linux, or not permitted: keep the default priority */ }
}
lowerPriority((workerData as { nice?: number } | null)?.nice ?? 0)

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
  parentPort!.postMessage(reply, transfer)
})
