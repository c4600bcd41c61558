// A fixed set of compare workers, one task each at a time. The caller queues (bounded) and only submits
// when a worker is idle, so nothing piles up inside worker message ports. A crashed worker fails its task
// and is replaced.
import { Worker } from 'node:worker_threads'
import type { WorkerReply, WorkerRequest } from './protocol.ts'

interface Slot {
  worker: Worker
  pending: ((reply: WorkerReply) => void) | null
}

const WORKER_FILE = new URL('./worker.ts', import.meta.url)

export class WorkerPool {
  readonly #slots: Slot[] = []
  readonly #onIdle: () => void
  #closed = false

  constructor (size: number, onIdle: () => void) {
    this.#onIdle = onIdle
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn())
  }

  #spawn (): Slot {
    const slot: Slot = { worker: new Worker(WORKER_FILE), pending: null }
    slot.worker.unref()
    slot.worker.on('message', (reply: WorkerReply) => this.#settle(slot, reply))
    const fail = (error: string): void => {
      if (this.#closed) return
      this.#settle(slot, { id: -1, type: 'compare', ok: false, error })
      const i = this.#slots.indexOf(slot)
      if (i >= 0) this.#slots[i] = this.#spawn()
      this.#onIdle()
    }
    slot.worker.on('error', (err) => fail(`compare worker crashed: ${err.message}`))
    slot.worker.on('exit', (code) => fail(`compare worker exited with code ${code}`))
    return slot
  }

  #settle (slot: Slot, reply: WorkerReply): void {
    const pending = slot.pending
    slot.pending = null
    pending?.(reply)
    this.#onIdle()
  }

  get hasIdle (): boolean {
    return this.#slots.some((s) => s.pending === null)
  }

  /** Runs a task on an idle worker; call only when `hasIdle`. */
  run (task: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    const slot = this.#slots.find((s) => s.pending === null)
    if (slot === undefined) throw new Error('no idle compare worker')
    return new Promise((resolve) => {
      slot.pending = resolve
      slot.worker.postMessage(task, transfer)
    })
  }

  get size (): number { return this.#slots.length }

  async close (): Promise<void> {
    this.#closed = true
    await Promise.all(this.#slots.map(async (s) => await s.worker.terminate()))
  }
}
