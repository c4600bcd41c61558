// The endpoints table: traffic, mirrored share, divergence rate and classes, divergent and noisy fields, and
// p50/p99 of primary vs candidate, in the server's order (what needs attention first).
import type { EndpointView } from './api-types.ts'
import { el, fill } from './dom.ts'
import { count, percent } from './format.ts'
import { KeyedRows } from './keyed-rows.ts'
import { CLASS_ORDER, cells, classChip, latencyPair, nodeCell, textCell, verdictBadge } from './cells.ts'

const HEADINGS: Array<[string, string]> = [
  ['Endpoint', ''], ['Verdict', ''], ['Requests', 'num'], ['Mirrored', 'num'], ['Compared', 'num'],
  ['Divergence', 'num'], ['Classes', ''], ['Divergent fields', 'num'], ['Noisy fields', 'num'],
  ['p50 primary / candidate', 'num'], ['p99 primary / candidate', 'num']
]

function updateRow (row: HTMLTableRowElement, e: EndpointView): void {
  const c = cells(row, HEADINGS.length)
  HEADINGS.forEach(([, cls], i) => { if (cls !== '') c[i].className = cls })
  textCell(c[0], e.endpoint)
  c[0].className = 'path'
  nodeCell(c[1], e.verdict, () => [verdictBadge(e.verdict)])
  textCell(c[2], count(e.requests))
  textCell(c[3], percent(e.mirroredShare), `${count(e.mirrored)} of ${count(e.requests)} requests mirrored`)
  textCell(c[4], count(e.compared), `${count(e.matched)} matched, ${count(e.noiseOnly)} noise only, ${count(e.errors)} errors`)
  textCell(c[5], percent(e.divergenceRate), `${count(e.diverged)} of ${count(e.compared)} compared requests diverged`)
  const classes = CLASS_ORDER.filter((k) => (e.classes[k] ?? 0) > 0)
  nodeCell(c[6], classes.map((k) => `${k}:${e.classes[k]}`).join(','), () =>
    classes.map((k) => classChip(k, `${k} ${count(e.classes[k])}`)))
  textCell(c[7], String(e.divergentPaths.length), e.divergentPaths.map((p) => p.path).join('\n'))
  textCell(c[8], String(e.noisyPaths.length), e.noisyPaths.map((p) => p.path).join('\n'))
  const { primary, candidate } = e.latency
  nodeCell(c[9], `${primary.p50}/${candidate.p50}`, () => latencyPair(primary.p50, candidate.p50))
  nodeCell(c[10], `${primary.p99}/${candidate.p99}`, () => latencyPair(primary.p99, candidate.p99))
}

export class EndpointsTable {
  readonly #rows: KeyedRows<EndpointView>
  readonly #empty: HTMLElement
  readonly #table: HTMLTableElement

  constructor (root: HTMLElement, onSelect: (endpoint: string) => void) {
    const body = el('tbody')
    this.#table = el('table', { class: 'endpoints' },
      el('thead', {}, el('tr', {}, ...HEADINGS.map(([h, cls]) => el('th', { class: cls, scope: 'col' }, h)))), body)
    this.#empty = el('p', { class: 'empty' }, 'No traffic compared yet: endpoints appear once mirrored requests come back from both sides.')
    fill(root, el('div', { class: 'scroll' }, this.#table), this.#empty)
    this.#rows = new KeyedRows(body, {
      key: (e) => e.endpoint,
      create: () => {
        const row = el('tr', { tabindex: 0 })
        const pick = (): void => { if (row.dataset.key !== undefined) onSelect(row.dataset.key) }
        row.addEventListener('click', pick)
        row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick() } })
        return row
      },
      update: updateRow
    })
  }

  update (endpoints: readonly EndpointView[], selected: string | null): void {
    this.#rows.sync(endpoints)
    this.#empty.hidden = endpoints.length > 0
    this.#table.hidden = endpoints.length === 0
    for (const e of endpoints) this.#rows.row(e.endpoint)?.classList.toggle('selected', e.endpoint === selected)
  }
}
