/** V8 flags for the proxy, sized to `memoryBytes` (heap-flags.js says how). */
export function heapFlags (memoryBytes: number): string[]
/** The memory this process may use: its cgroup's limit when it has one, else the machine's. */
export function availableMemory (): number
