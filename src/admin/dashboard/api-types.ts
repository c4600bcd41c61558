// The admin API's JSON, as the dashboard reads it (see src/analysis/report.ts, src/observe/samples.ts and
// src/admin/routes-api.ts for the server side).

export type Verdict = 'insufficient_data' | 'diverging' | 'clean'
export type DifferenceClass = 'status' | 'header' | 'schema' | 'value'

export interface PathView {
  path: string
  kind: string
  class: DifferenceClass
  count: number
  reported: number
  rate: number | null
  noiseRate: number | null
  marked: boolean
  example: string
}

export interface Quantiles { p50: number | null; p99: number | null }

export interface HistoryPoint {
  t: number
  primary: Quantiles
  candidate: Quantiles
  compared: number
  diverged: number
}

export interface EndpointView {
  endpoint: string
  /** Routes that served the endpoint's requests. */
  routes: string[]
  verdict: Verdict
  requests: number
  mirrored: number
  mirroredShare: number | null
  compared: number
  noiseCompared: number
  matched: number
  diverged: number
  noiseOnly: number
  errors: number
  divergenceRate: number | null
  classes: Record<DifferenceClass, number>
  divergentPaths: PathView[]
  noisyPaths: PathView[]
  latency: { primary: Quantiles & { count: number }; candidate: Quantiles & { count: number } }
  history: HistoryPoint[]
}

export interface Difference {
  kind: 'status' | 'header' | 'body'
  path: string
  at: string
  change: string
  class: DifferenceClass
  primary?: string
  candidate?: string
}

export interface BodyView { text: string | null; truncated: boolean; length: number; note: string | null }

export type Headers = Record<string, string | string[]>

export interface SampleSide { status: number; error: string | null; ms: number; headers: Headers; body: BodyView }

export interface Sample {
  id: string
  time: string
  endpoint: string
  route: string
  class: DifferenceClass
  served: 'primary' | 'candidate'
  request: { method: string; url: string; headers: Headers }
  primary: SampleSide
  candidate: SampleSide
  differences: Difference[]
  changeset: unknown[]
}

export type RouteMode = 'mirror' | 'split' | 'off'

export interface RouteView {
  name: string
  mode: RouteMode
  mirrorPercent: number
  splitPercent: number
  stickyBy: string | null
  state: { inflight: number; circuitOpen: boolean }
}
