// The admin API's JSON, as the dashboard reads it. Endpoints and samples come from the shared contract
// (src/admin/api-contract.ts); routes are read here through the few fields the dashboard uses.

export type { BodyView, Difference, DifferenceClass, EndpointView, Headers, HistoryPoint, PathView, Quantiles, Sample, SampleSide, Verdict } from '../api-contract.ts'

export type RouteMode = 'mirror' | 'split' | 'off'

export interface RouteView {
  name: string
  mode: RouteMode
  mirrorPercent: number
  splitPercent: number
  stickyBy: string | null
  state: { inflight: number; circuitOpen: boolean }
}
