// The selected endpoint's heading: verdict, traffic, and the route that serves it
// with that route's current mirror and split percent.
import type { EndpointView, RouteView } from './api-types.ts'
import { byId, el, fill } from './dom.ts'
import { count, percent } from './format.ts'
import { latencyPair, nodeCell, verdictBadge } from './cells.ts'

export function renderDetailHeading (endpoint: string, e: EndpointView | undefined, route: RouteView | undefined): void {
  const title = byId('detail-title')
  const summary = byId('detail-summary')
  nodeCell(title, `${endpoint}|${e?.verdict ?? ''}`, () =>
    [el('code', {}, endpoint), ' ', e === undefined ? el('span', { class: 'muted' }, 'no data (reset?)') : verdictBadge(e.verdict)])
  if (e === undefined) { fill(summary); return }
  const { primary, candidate } = e.latency
  const routeText = route === undefined
    ? 'route: not seen yet'
    : `route ${route.name} · mode ${route.mode} · mirror ${route.mirrorPercent} % · split ${route.splitPercent} %`
  const parts: Array<Node | string> = [
    `${count(e.requests)} requests · ${percent(e.mirroredShare)} mirrored · ${count(e.compared)} compared · `,
    `${count(e.diverged)} diverged (${percent(e.divergenceRate)}) · ${count(e.noiseOnly)} noise only · ${count(e.errors)} errors · p50 `,
    ...latencyPair(primary.p50, candidate.p50), ' · p99 ', ...latencyPair(primary.p99, candidate.p99), ' · ',
    el('span', { class: 'route-info' }, routeText)
  ]
  summary.replaceChildren(...parts)
}
