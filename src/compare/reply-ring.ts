// Compare results from a worker to the main thread through shared memory, read when the main thread looks.
//
// A reply by postMessage wakes the main thread from inside a lock: Node's MessagePort queues the message and
// signals the receiving loop while holding the port's mutex. With `compare.cpu: shared` the worker (SCHED_IDLE)
// shares the main thread's CPU, so the woken main thread preempts it at once, still holding that mutex, and then
// blocks on it in MessagePort::OnMessage until the worker gets the CPU back — which, at the lowest priority, waits
// for every other runnable thread on that CPU. perf showed the main thread blocked there on nearly every reply.
// Here the worker writes a reply into a ring buffer and nobody is woken; the main thread drains the ring whenever
// it sends work and on a short timer while work is out.
//
// One writer (the worker) and one reader (the main thread). Records are a 32-bit length and UTF-8 JSON, never split
// across the end: a length of WRAP (or fewer than 4 bytes left) sends the reader back to the start. One byte always
// stays free so that head === tail means empty. A record over half the ring may not fit even when the ring is empty
// (it fits neither after the reader's position nor before it): write() says so, and the worker sends it as a message.

const HEAD = 0
const TAIL = 1
const WRAP = 0xffffffff
const INDEX_BYTES = 8

export class ReplyRing {
  readonly #index: Int32Array
  readonly #data: Buffer

  /** Shared memory for a ring of `bytes` (both threads build a ReplyRing on it). */
  static memory (bytes: number): SharedArrayBuffer {
    return new SharedArrayBuffer(INDEX_BYTES + bytes)
  }

  constructor (memory: SharedArrayBuffer) {
    this.#index = new Int32Array(memory, 0, 2)
    this.#data = Buffer.from(memory, INDEX_BYTES)
  }

  /** Writer side. False when the value does not fit now: the caller sends it another way. */
  write (value: unknown): boolean {
    const text = JSON.stringify(value)
    const need = 4 + Buffer.byteLength(text)
    const cap = this.#data.length
    const head = Atomics.load(this.#index, HEAD)
    const tail = Atomics.load(this.#index, TAIL)
    let at: number
    if (head >= tail) {
      // Free: [head, cap) and [0, tail - 1); a record ending exactly at cap wraps head to 0, which needs tail > 0.
      if (head + need < cap || (head + need === cap && tail > 0)) at = head
      else if (need < tail) {
        if (cap - head >= 4) this.#data.writeUInt32LE(WRAP, head)
        at = 0
      } else return false
    } else if (head + need < tail) at = head
    else return false
    this.#data.writeUInt32LE(need - 4, at)
    this.#data.write(text, at + 4)
    Atomics.store(this.#index, HEAD, (at + need) % cap)
    return true
  }

  /** Reader side: every value written since the last call, in order. */
  read (each: (value: unknown) => void): number {
    const cap = this.#data.length
    const head = Atomics.load(this.#index, HEAD)
    let tail = Atomics.load(this.#index, TAIL)
    let n = 0
    while (tail !== head) {
      const length = cap - tail < 4 ? WRAP : this.#data.readUInt32LE(tail)
      if (length === WRAP) { tail = 0; continue }
      if (length > cap - tail - 4) throw new Error(`reply ring: a record of ${length} bytes at ${tail} runs past the end`)
      const text = this.#data.toString('utf8', tail + 4, tail + 4 + length)
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (err) {
        throw new Error(`reply ring: the record of ${length} bytes at ${tail} is not JSON (${(err as Error).name})`)
      }
      tail = (tail + 4 + length) % cap
      Atomics.store(this.#index, TAIL, tail)
      each(value)
      n++
    }
    return n
  }
}
