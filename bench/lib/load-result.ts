// What one load-generator run yields, whatever the tool.
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
}

export interface LoadOptions {
  connections: number
  durationS: number
}

export interface LoadTool {
  /** "wrk 4.1.0 (1 thread)" */
  describe: string
  run: (url: string, options: LoadOptions) => Promise<LoadResult>
}
