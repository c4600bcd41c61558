// The JSON views of the analysis served by the admin API: endpoints sorted by what needs attention.
import type { Analysis } from './analysis.ts'
import { MIN_COMPARED } from './analysis.ts'
import type { EndpointStats, PathStats } from './endpoint-stats.ts'
import type { EndpointView, PathView, Verdict } from '../admin/api-contract.ts'

const TOP_PATHS = 20
const rate = (n: number, d: number): number | null => d === 0 ? null : Number((n / d).toPrecision(4))

function pathView (analysis: Analysis, e: EndpointStats, p: PathStats): PathView {
  return {
    path: p.path,
    kind: p.kind,
    class: p.cls,
    count: p.raw,
    reported: p.reported,
    rate: rate(p.raw, e.compared),
    noiseRate: rate(p.noise, e.noiseCompared),
    marked: analysis.marked(e.name).has(p.path),
    example: p.lastAt
  }
}

export function endpointView (analysis: Analysis, e: EndpointStats, routeNoise: (endpoint: string) => readonly string[]): EndpointView {
  const divergent: PathView[] = []
  const noisy: PathView[] = []
  for (const p of e.paths.values()) {
    const view = pathView(analysis, e, p)
    if (analysis.pathIsNoise(e.name, p, routeNoise(e.name))) noisy.push(view)
    else if (p.raw > 0) divergent.push(view)
  }
  divergent.sort((a, b) => b.count - a.count)
  noisy.sort((a, b) => (b.noiseRate ?? 0) - (a.noiseRate ?? 0))
  const verdict: Verdict = e.diverged > 0 ? 'diverging' : e.compared < MIN_COMPARED ? 'insufficient_data' : 'clean'
  const lat = (s: EndpointStats['latency']['primary']) => ({ p50: s.quantile(0.5), p99: s.quantile(0.99), count: s.count })
  return {
    endpoint: e.name,
    routes: [...e.routes],
    verdict,
    requests: e.requests,
    mirrored: e.mirrored,
    mirroredShare: rate(e.mirrored, e.requests),
    compared: e.compared,
    noiseCompared: e.noiseCompared,
    matched: e.matched,
    diverged: e.diverged,
    noiseOnly: e.noiseOnly,
    errors: e.errors,
    divergenceRate: rate(e.diverged, e.compared),
    classes: e.classes,
    divergentPaths: divergent.slice(0, TOP_PATHS),
    noisyPaths: noisy.slice(0, TOP_PATHS),
    latency: { primary: lat(e.latency.primary), candidate: lat(e.latency.candidate) },
    history: e.history
  }
}

/** Every endpoint, diverging ones first (highest rate first), then by traffic. */
export function endpointsReport (analysis: Analysis, routeNoise: (endpoint: string) => readonly string[]): EndpointView[] {
  return analysis.endpoints
    .sort((a, b) => (rate(b.diverged, b.compared) ?? 0) - (rate(a.diverged, a.compared) ?? 0) || b.requests - a.requests)
    .map((e) => endpointView(analysis, e, routeNoise))
}
