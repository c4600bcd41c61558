// The JSON the admin API serves, as types shared by the server and the dashboard. Type-only and free of Node
// imports, so the browser bundle can use it too: one declaration of the contract, not two that drift.
import type { Difference, DifferenceClass } from '../compare/types.ts'

export type { Difference, DifferenceClass }

export type Verdict = 'insufficient_data' | 'diverging' | 'clean'

export interface PathView {
  path: string
  kind: Difference['kind']
  class: DifferenceClass
  /** Requests where the candidate differed from the primary here. */
  count: number
  /** Requests where it was reported (not explained by noise). */
  reported: number
  rate: number | null
  noiseRate: number | null
  marked: boolean
  example: string
}

export interface Quantiles { p50: number | null; p99: number | null }

/** One interval of an endpoint's latency history. */
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

export interface BodyView {
  /** Readable body, or null when there is none to show. */
  text: string | null
  truncated: boolean
  /** Raw (still encoded) length in bytes. */
  length: number
  /** Why `text` is null: no body, too large to capture, undecodable. */
  note: string | null
}

export type Headers = Record<string, string | string[]>

export interface SampleSide {
  status: number
  error: string | null
  ms: number
  headers: Headers
  body: BodyView
}

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
  /** Reported differences, concrete locations, secret values redacted. */
  differences: Difference[]
  /** json-diff-ts changeset (atoms) of the two JSON bodies. */
  changeset: unknown[]
}
