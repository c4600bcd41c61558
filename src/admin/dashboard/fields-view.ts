// An endpoint's fields: the divergent paths (count, class, rate, and the rate at which two primaries disagree
// there), with a button to mark one as noise; and the paths judged noise, with a button to undo a mark.
// Clicking a path filters the samples below to those that diverge there.
import type { EndpointView, PathView } from './api-types.ts'
import { el, fill } from './dom.ts'
import { count, percent } from './format.ts'
import { KeyedRows } from './keyed-rows.ts'
import { cells, classChip, nodeCell, textCell } from './cells.ts'

export interface FieldsHandlers {
  /** Filter samples by this path; null clears the filter. */
  onPath: (path: string | null) => void
  /** Mark or unmark a path as noise; resolves when the server answered. */
  onNoise: (path: string, noise: boolean) => Promise<void>
}

function why (p: PathView): string {
  if (p.marked) return 'marked by an operator'
  return (p.noiseRate ?? 0) > 0 ? 'learnt (primaries differ too)' : 'configured'
}

function table (headings: string[], body: HTMLTableSectionElement): HTMLTableElement {
  return el('table', { class: 'fields' }, el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col' }, h)))), body)
}

export class FieldsView {
  readonly #handlers: FieldsHandlers
  readonly #divergent: KeyedRows<PathView>
  readonly #noisy: KeyedRows<PathView>
  readonly #noDivergent = el('p', { class: 'empty' }, 'No divergent fields.')
  readonly #noNoisy = el('p', { class: 'empty' }, 'No noisy fields.')
  readonly #divergentTable: HTMLTableElement
  readonly #noisyTable: HTMLTableElement
  #selectedPath: string | null = null

  constructor (root: HTMLElement, handlers: FieldsHandlers) {
    this.#handlers = handlers
    const divergentBody = el('tbody')
    const noisyBody = el('tbody')
    this.#divergentTable = table(['Field', 'Class', 'Requests', 'Rate', 'Noise rate', ''], divergentBody)
    this.#noisyTable = table(['Field', 'Class', 'Requests', 'Rate', 'Noise rate', 'Why', ''], noisyBody)
    this.#divergentTable.classList.add('divergent')
    this.#noisyTable.classList.add('noisy')
    fill(root,
      el('h3', {}, 'Divergent fields'), this.#divergentTable, this.#noDivergent,
      el('h3', {}, 'Noise (not reported)'), this.#noisyTable, this.#noNoisy)
    this.#divergent = new KeyedRows(divergentBody, { key: (p) => p.path, create: () => this.#row(), update: (r, p) => { this.#updateRow(r, p, false) } })
    this.#noisy = new KeyedRows(noisyBody, { key: (p) => p.path, create: () => this.#row(), update: (r, p) => { this.#updateRow(r, p, true) } })
  }

  #row (): HTMLTableRowElement {
    const row = el('tr', { class: 'clickable', title: 'show samples that diverge at this field' })
    row.addEventListener('click', () => {
      const path = row.dataset.key ?? null
      this.#handlers.onPath(path === this.#selectedPath ? null : path)
    })
    return row
  }

  #updateRow (row: HTMLTableRowElement, p: PathView, noisy: boolean): void {
    const c = cells(row, noisy ? 7 : 6)
    textCell(c[0], p.path)
    c[0].className = 'path'
    nodeCell(c[1], p.class, () => [classChip(p.class)])
    textCell(c[2], count(p.count), `${count(p.reported)} reported as divergences`)
    textCell(c[3], percent(p.rate), 'share of compared requests where the candidate differed from the primary here')
    textCell(c[4], percent(p.noiseRate), 'share of primary-vs-secondary comparisons that differed here (noise)')
    for (const i of [2, 3, 4]) c[i].className = 'num'
    if (noisy) textCell(c[5], why(p))
    const action = c[noisy ? 6 : 5]
    const showButton = !noisy || p.marked
    nodeCell(action, String(showButton), () => showButton ? [this.#noiseButton(row, !noisy)] : [])
    row.classList.toggle('selected', p.path === this.#selectedPath)
  }

  #noiseButton (row: HTMLTableRowElement, noise: boolean): HTMLButtonElement {
    const label = noise ? 'mark as noise' : 'unmark'
    const button = el('button', { type: 'button', class: 'small' }, label)
    button.addEventListener('click', (ev) => {
      ev.stopPropagation()
      const path = row.dataset.key
      if (path === undefined) return
      button.disabled = true
      button.textContent = noise ? 'marking…' : 'unmarking…'
      this.#handlers.onNoise(path, noise).finally(() => {
        button.disabled = false
        button.textContent = label
      })
    })
    return button
  }

  update (e: EndpointView, selectedPath: string | null): void {
    this.#selectedPath = selectedPath
    this.#divergent.sync(e.divergentPaths)
    this.#noisy.sync(e.noisyPaths)
    this.#noDivergent.hidden = e.divergentPaths.length > 0
    this.#divergentTable.hidden = e.divergentPaths.length === 0
    this.#noNoisy.hidden = e.noisyPaths.length > 0
    this.#noisyTable.hidden = e.noisyPaths.length === 0
  }
}
