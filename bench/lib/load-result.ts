// What one load-generator run yields, whatever the tool.
import type { Histogram } from './histogram.ts'

export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Responses with a status the tool counts as an error (wrk: >= 400, its "Non-2xx or 3xx responses"). */
  badStatus: number
  /** Connect, read and write errors on the client sockets. */
  socketErrors: number
  timeouts: number
  /** The paced rate asked for (requests per second over all connections); absent when the run went as fast as it could. */
  offeredRps?: number
  /** The whole latency distribution, when the tool gives it (wrk): lets short runs be pooled (histogram.ts). */
  histogram?: Histogram
}

export interface LoadOptions {
  connections: number
  durationS: number
  /**
   * Pace the load at this many requests per second over all connections (each connection waits
   * 1000 × connections / ratePerS ms before each request; latency excludes that wait). Absent: closed loop, as
   * fast as the target answers.
   */
  ratePerS?: number
}

export interface LoadTool {
  /** "wrk 4.1.0 (1 thread)" */
  describe: string
  run: (url: string, options: LoadOptions) => Promise<LoadResult>
}
