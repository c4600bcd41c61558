// A fixed set of compare workers. Each worker holds a few tasks at once: when the main thread is busy serving
// traffic it answers worker messages late, and a worker with only one task would sit idle in the meantime.
// The caller queues (bounded) and only submits while a worker has room. A crashed worker fails its tasks and
// is replaced.
import { Worker } from 'node:worker_threads'
import type { PriorityReport, WorkerOptions, WorkerReply, WorkerRequest } from './protocol.ts'

interface Slot {
  worker: Worker
  pending: Map<number, (reply: WorkerReply) => void>
}

const WORKER_FILE = new URL('./worker.ts', import.meta.url)
/** Tasks a worker holds at once: enough to stay busy through a slow turn of the main thread. */
export const TASKS_PER_WORKER = 8

export class WorkerPool {
  readonly #slots: Slot[] = []
  readonly #onRoom: () => void
  #closed = false

  readonly #options: WorkerOptions
  readonly #onPriority: (report: PriorityReport) => void

  /** `options`: how the workers lower their CPU priority; each worker reports what took effect to `onPriority`. */
  constructor (size: number, onRoom: () => void, options: WorkerOptions = { policy: 'nice', nice: 0 }, onPriority: (report: PriorityReport) => void = () => {}) {
    this.#onRoom = onRoom
    this.#options = options
    this.#onPriority = onPriority
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn())
  }

  #spawn (): Slot {
    const slot: Slot = { worker: new Worker(WORKER_FILE, { workerData: this.#options }), pending: new Map() }
    slot.worker.unref()
    slot.worker.on('message', (reply: WorkerReply | PriorityReport) => {
      if ('applied' in reply) { this.#onPriority(reply); return }
      const settle = slot.pending.get(reply.id)
      slot.pending.delete(reply.id)
      settle?.(reply)
      this.#onRoom()
    })
    const fail = (error: string): void => {
      const i = this.#slots.indexOf(slot)
      if (this.#closed || i < 0) return
      this.#slots[i] = this.#spawn()
      for (const [id, settle] of slot.pending) settle({ id, type: 'compare', ok: false, error })
      slot.pending.clear()
      this.#onRoom()
    }
    slot.worker.on('error', (err) => fail(`compare worker crashed: ${err.message}`))
    slot.worker.on('exit', (code) => fail(`compare worker exited with code ${code}`))
    return slot
  }

  #leastBusy (): Slot | null {
    let best: Slot | null = null
    for (const s of this.#slots) if (s.pending.size < TASKS_PER_WORKER && (best === null || s.pending.size < best.pending.size)) best = s
    return best
  }

  get hasRoom (): boolean {
    return this.#leastBusy() !== null
  }

  /** Runs a task on the least busy worker; call only when `hasRoom`. */
  run (task: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    const slot = this.#leastBusy()
    if (slot === null) throw new Error('every compare worker is full')
    return new Promise((resolve) => {
      slot.pending.set(task.id, resolve)
      slot.worker.postMessage(task, transfer)
    })
  }

  get size (): number { return this.#slots.length }

  async close (): Promise<void> {
    this.#closed = true
    await Promise.all(this.#slots.map(async (s) => await s.worker.terminate()))
  }
}
