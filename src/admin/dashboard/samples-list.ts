// Recent divergent samples of the selected endpoint (optionally of one field), newest first.
import type { Sample } from './api-types.ts'
import { el, fill, setText } from './dom.ts'
import { clock } from './format.ts'
import { KeyedRows } from './keyed-rows.ts'
import { cells, classChip, nodeCell, textCell } from './cells.ts'

export interface SamplesHandlers {
  onSelect: (id: string) => void
  onClearPath: () => void
}

function status (s: Sample['primary']): string {
  return s.status === 0 ? `error (${s.error ?? 'no response'})` : String(s.status)
}

export class SamplesList {
  readonly #rows: KeyedRows<Sample>
  readonly #filter: HTMLElement
  readonly #filterText = el('span')
  readonly #empty = el('p', { class: 'empty' }, 'No samples kept for this endpoint (yet).')
  readonly #table: HTMLTableElement

  constructor (root: HTMLElement, handlers: SamplesHandlers) {
    const clear = el('button', { type: 'button', class: 'small' }, 'show all fields')
    clear.addEventListener('click', () => { handlers.onClearPath() })
    this.#filter = el('p', { class: 'filter' }, this.#filterText, ' ', clear)
    const body = el('tbody')
    this.#table = el('table', { class: 'samples' },
      el('thead', {}, el('tr', {}, ...['Time', 'Request', 'Class', 'Status', 'Differences'].map((h) => el('th', { scope: 'col' }, h)))), body)
    fill(root, this.#filter, el('div', { class: 'scroll' }, this.#table), this.#empty)
    this.#rows = new KeyedRows(body, {
      key: (s) => s.id,
      create: () => {
        const row = el('tr', { class: 'clickable', tabindex: 0, title: 'open this sample' })
        const pick = (): void => { if (row.dataset.key !== undefined) handlers.onSelect(row.dataset.key) }
        row.addEventListener('click', pick)
        row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') pick() })
        return row
      },
      update: (row, s) => {
        const c = cells(row, 5)
        textCell(c[0], clock(s.time), s.time)
        c[0].className = 'num'
        textCell(c[1], `${s.request.method}\u00a0${s.request.url}`)
        c[1].className = 'path'
        nodeCell(c[2], s.class, () => [classChip(s.class)])
        textCell(c[3], `${status(s.primary)}\u00a0→\u00a0${status(s.candidate)}`)
        const ats = s.differences.map((d) => d.at)
        textCell(c[4], ats.length > 3 ? `${ats.slice(0, 3).join(', ')} and ${ats.length - 3} more` : ats.join(', '))
        c[4].className = 'path'
      }
    })
  }

  update (samples: readonly Sample[], path: string | null, selected: string | null): void {
    this.#filter.hidden = path === null
    setText(this.#filterText, path === null ? '' : `Samples that diverge at ${path}.`)
    this.#rows.sync(samples)
    for (const s of samples) this.#rows.row(s.id)?.classList.toggle('selected', s.id === selected)
    this.#empty.hidden = samples.length > 0
    this.#table.hidden = samples.length === 0
  }
}
