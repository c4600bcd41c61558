// V8 heap flags for a proxy's allocation pattern, sized to the memory the process may use (README: Memory and
// garbage collection). Plain JavaScript: the launcher runs it on whatever Node started it.
import { totalmem } from 'node:os'

const MIB = 1024 * 1024

const GIB = 1024 * MIB
/** From this much memory on, the sizes measured on the bench machine (24 GiB) apply in full. */
const FULL = 3 * GIB
/** Below this, the sizes are left to V8, which derives them from the memory limit. */
const LEAST = 1 * GIB

/**
 * The size flags trade memory for fewer GC pauses: V8 lets old space grow to `--initial-old-space-size` before its
 * first full GC, and the young generation to three times `--max-semi-space-size`. They apply to every isolate of
 * the process (the main thread and each compare worker), so in a container they must fit its memory limit. Under a
 * 512 MiB limit, mirroring 870 KB JSON bodies at 64 connections, the full sizes got the proxy OOM-killed within a
 * minute, sizes scaled to an eighth of the memory peaked at 496 MiB, and V8's own sizes at 295 MiB. So from 3 GiB
 * up they apply in full, from 1 GiB in proportion to the memory, and below that not at all.
 */
export function heapFlags (memoryBytes) {
  const scale = Math.min(1, memoryBytes / FULL)
  const sizes = memoryBytes < LEAST
    ? []
    : [
        // Room for the growing limit to start from: without it the first full GC sets it from a ~20 MB live heap.
        `--initial-old-space-size=${Math.round(256 * scale)}`,
        // Fewer scavenges, so a request's short-lived objects die young instead of being copied.
        `--max-semi-space-size=${Math.round(32 * scale)}`
      ]
  return [
    // External (ArrayBuffer) memory counts toward the heap's growing limit instead of forcing a full GC per 64 MB.
    '--external-memory-accounted-in-global-limit',
    ...sizes,
    // Allocation sites stay young: a few long-lived exchanges must not send every later one to old space.
    '--no-allocation-site-pretenuring'
  ]
}

/** The memory this process may use: its cgroup's limit when it has one, else the machine's. */
export function availableMemory () {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0
  const total = totalmem()
  return constrained > 0 && constrained < total ? constrained : total
}
