// A fixed set of compare workers. Each worker holds a few tasks at once: when the main thread is busy serving
// traffic it collects results late, and a worker with only one task would sit idle in the meantime. The caller
// queues (bounded) and only submits while a worker has room. A crashed worker fails its tasks and is replaced.
//
// Tasks go to a worker as messages. Most results come back through the worker's ReplyRing (reply-ring.ts: a
// message would wake the main thread from inside a lock the worker holds), read whenever a task is sent or room
// is asked for, and every POLL_MS while tasks are out; replies with bodies or errors still come as messages.
import { Worker } from 'node:worker_threads'
import type { PriorityReport, WorkerOptions, WorkerReply, WorkerRequest } from './protocol.ts'
import { ReplyRing } from './reply-ring.ts'

interface Slot {
  worker: Worker
  ring: ReplyRing
  /** Why the ring could not be read (a bug), or null: the worker is then replaced and its tasks fail with this. */
  broken: string | null
  /** The worker's uncaught error, kept for its exit (which comes after every message it sent, unlike the error). */
  crashed: string | null
  pending: Map<number, (reply: WorkerReply) => void>
}

const WORKER_FILE = new URL('./worker.ts', import.meta.url)
/** Tasks a worker holds at once: enough to stay busy through a slow turn of the main thread and a poll interval. */
export const TASKS_PER_WORKER = 16
/** How often results are collected while tasks are out and nothing else collects them (ms). */
const POLL_MS = 2
/** Bytes of each worker's reply ring; a reply that does not fit comes as a message. */
const RING_BYTES = 1024 * 1024

export class WorkerPool {
  readonly #slots: Slot[] = []
  readonly #onRoom: () => void
  #closed = false
  #timer: NodeJS.Timeout | null = null

  readonly #options: WorkerOptions
  readonly #onPriority: (report: PriorityReport) => void
  readonly #file: URL
  readonly #pollMs: number

  /**
   * `options`: how the workers lower their CPU priority; each worker reports what took effect to `onPriority`.
   * `file`: the worker's module (tests give one that crashes or corrupts its ring on cue). `pollMs`: the poll
   * interval (tests make it longer than themselves, so that every other way results are collected is on its own).
   */
  constructor (size: number, onRoom: () => void, options: WorkerOptions = { policy: 'nice', nice: 0 }, onPriority: (report: PriorityReport) => void = () => {}, file: URL = WORKER_FILE, pollMs: number = POLL_MS) {
    this.#onRoom = onRoom
    this.#options = options
    this.#onPriority = onPriority
    this.#file = file
    this.#pollMs = pollMs
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn())
  }

  #spawn (): Slot {
    const replies = ReplyRing.memory(RING_BYTES)
    const slot: Slot = { worker: new Worker(this.#file, { workerData: { ...this.#options, replies } }), ring: new ReplyRing(replies), broken: null, crashed: null, pending: new Map() }
    slot.worker.unref()
    slot.worker.on('message', (reply: WorkerReply | PriorityReport) => {
      if ('applied' in reply) { this.#onPriority(reply); return }
      // Ring replies written before this message are settled first, in order.
      this.#collect(slot)
      this.#settle(slot, reply)
      this.#onRoom()
    })
    const fail = (error: string): void => {
      const i = this.#slots.indexOf(slot)
      if (this.#closed || i < 0) return
      this.#collect(slot)
      this.#slots[i] = this.#spawn()
      for (const [id, settle] of slot.pending) settle({ id, type: 'compare', ok: false, error })
      slot.pending.clear()
      this.#onRoom()
    }
    // Node emits a worker's uncaught error as soon as it arrives, possibly before replies the worker sent earlier;
    // its exit comes after them. So tasks fail on exit, with the error as the reason.
    slot.worker.on('error', (err) => { slot.crashed ??= `compare worker crashed: ${err.message}` })
    slot.worker.on('exit', (code) => fail(slot.broken ?? slot.crashed ?? `compare worker exited with code ${code}`))
    return slot
  }

  #settle (slot: Slot, reply: WorkerReply): void {
    const settle = slot.pending.get(reply.id)
    slot.pending.delete(reply.id)
    settle?.(reply)
  }

  /** Settles every result waiting in the slot's ring; how many. */
  #collect (slot: Slot): number {
    if (slot.broken !== null) return 0
    try {
      return slot.ring.read((reply) => this.#settle(slot, reply as WorkerReply))
    } catch (err) {
      // Never expected; the worker's exit fails its tasks with this reason and a new worker takes its place.
      slot.broken = `compare worker replaced: ${(err as Error).message}`
      void slot.worker.terminate()
      return 0
    }
  }

  #poll (): void {
    let settled = 0
    let out = 0
    for (const s of this.#slots) {
      settled += this.#collect(s)
      out += s.pending.size
    }
    if (out === 0 && this.#timer !== null) {
      clearInterval(this.#timer)
      this.#timer = null
    }
    if (settled > 0) this.#onRoom()
  }

  #leastBusy (): Slot | null {
    let best: Slot | null = null
    for (const s of this.#slots) {
      this.#collect(s)
      if (s.pending.size < TASKS_PER_WORKER && (best === null || s.pending.size < best.pending.size)) best = s
    }
    return best
  }

  get hasRoom (): boolean {
    return this.#leastBusy() !== null
  }

  /** Runs a task on the least busy worker; call only when `hasRoom`. */
  run (task: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    const slot = this.#leastBusy()
    if (slot === null) throw new Error('every compare worker is full')
    if (this.#timer === null && !this.#closed) {
      this.#timer = setInterval(() => this.#poll(), this.#pollMs)
      this.#timer.unref()
    }
    return new Promise((resolve) => {
      slot.pending.set(task.id, resolve)
      slot.worker.postMessage(task, transfer)
    })
  }

  get size (): number { return this.#slots.length }

  async close (): Promise<void> {
    this.#closed = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    await Promise.all(this.#slots.map(async (s) => await s.worker.terminate()))
  }
}
