// Latency over time as inline SVG: p50 and p99 of the primary and of the candidate, one point per 10 s window
// (the endpoint's `history`). Numbers only reach the SVG as coordinates; labels are text nodes.
import type { HistoryPoint, Quantiles } from './api-types.ts'
import { el, fill, svg } from './dom.ts'
import { clock, ms } from './format.ts'

const W = 560
const H = 200
const M = { top: 12, right: 12, bottom: 26, left: 56 }

interface Series { label: string; side: 'primary' | 'candidate'; q: keyof Quantiles; dashed: boolean }

const SERIES: Series[] = [
  { label: 'primary p50', side: 'primary', q: 'p50', dashed: false },
  { label: 'primary p99', side: 'primary', q: 'p99', dashed: true },
  { label: 'candidate p50', side: 'candidate', q: 'p50', dashed: false },
  { label: 'candidate p99', side: 'candidate', q: 'p99', dashed: true }
]

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax (v: number): number {
  if (v <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const f of [1, 2, 5, 10]) if (f * p >= v) return f * p
  return 10 * p
}

/** Draws the chart, unless the same history is already drawn (a redraw would close an open tooltip). */
export function renderLatencyChart (root: HTMLElement, history: readonly HistoryPoint[]): void {
  const signature = JSON.stringify(history)
  if (root.dataset.sig === signature) return
  root.dataset.sig = signature
  if (history.length === 0) {
    fill(root, el('p', { class: 'collecting' }, 'collecting… (one point per 10 s of compared traffic)'))
    return
  }
  const values = history.flatMap((h) => SERIES.map((s) => h[s.side][s.q])).filter((v): v is number => v !== null)
  const yMax = niceMax(Math.max(...values, 0.1))
  const t0 = history[0].t
  const t1 = history.at(-1)!.t
  const x = (t: number): number => t1 === t0 ? M.left + (W - M.left - M.right) / 2 : M.left + (t - t0) / (t1 - t0) * (W - M.left - M.right)
  const y = (v: number): number => H - M.bottom - v / yMax * (H - M.top - M.bottom)

  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'latency-chart', role: 'img', 'aria-label': 'latency over time, primary vs candidate' })
  for (const f of [0, 0.5, 1]) {
    const v = yMax * f
    chart.append(
      svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, ms(v)))
  }
  chart.append(
    svg('text', { x: M.left, y: H - 8, 'text-anchor': 'start', class: 'axis' }, clock(t0)),
    svg('text', { x: W - M.right, y: H - 8, 'text-anchor': 'end', class: 'axis' }, t1 === t0 ? '' : clock(t1)))
  for (const s of SERIES) {
    const cls = `series side-${s.side}${s.dashed ? ' dashed' : ''}`
    let d = ''
    let pen = false
    for (const h of history) {
      const v = h[s.side][s.q]
      if (v === null) { pen = false; continue }
      d += `${pen ? 'L' : 'M'}${x(h.t).toFixed(1)},${y(v).toFixed(1)}`
      pen = true
      chart.append(svg('circle', { cx: x(h.t), cy: y(v), r: 2.5, class: `dot side-${s.side}` },
        svg('title', {}, `${s.label} ${ms(v)} at ${clock(h.t)} (${h.compared} compared, ${h.diverged} diverged)`)))
    }
    if (d.includes('L')) chart.append(svg('path', { d, class: cls }))
  }
  const legend = el('div', { class: 'legend' }, ...SERIES.map((s) =>
    el('span', { class: `key side-${s.side}${s.dashed ? ' dashed' : ''}` }, s.label)))
  fill(root, chart, legend)
}
