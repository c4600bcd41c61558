// Small pieces shared by the tables: cells rebuilt only when their content changed, class chips, a verdict
// badge, primary-vs-candidate latency pairs.
import type { DifferenceClass, Verdict } from './api-types.ts'
import { el, setText } from './dom.ts'
import { ms, slower } from './format.ts'

export const CLASS_ORDER: readonly DifferenceClass[] = ['status', 'schema', 'value', 'header']

export function cells (row: HTMLTableRowElement, n: number): HTMLTableCellElement[] {
  while (row.cells.length < n) row.appendChild(el('td'))
  return [...row.cells]
}

export function textCell (cell: HTMLElement, text: string, title?: string): void {
  setText(cell, text)
  if (title !== undefined && cell.title !== title) cell.title = title
}

/** Rebuilds a cell's children when `signature` differs from the last one. */
export function nodeCell (cell: HTMLElement, signature: string, build: () => Array<Node | string>): void {
  if (cell.dataset.sig === signature) return
  cell.dataset.sig = signature
  cell.replaceChildren(...build())
}

export function classChip (cls: DifferenceClass, text: string = cls): HTMLElement {
  return el('span', { class: `chip class-${cls}`, title: `${cls} difference` }, text)
}

const VERDICT_TEXT: Record<Verdict, string> = { diverging: 'diverging', clean: 'clean', insufficient_data: 'collecting data' }

export function verdictBadge (verdict: Verdict): HTMLElement {
  return el('span', { class: `badge verdict-${verdict}` }, VERDICT_TEXT[verdict] ?? verdict)
}

/** "2.84 ms / 9.96 ms": primary, then candidate, which is flagged when clearly slower. */
export function latencyPair (primary: number | null, candidate: number | null): Array<Node | string> {
  return [
    el('span', { class: 'side-primary', title: 'primary' }, ms(primary)),
    ' / ',
    el('span', { class: slower(primary, candidate) ? 'side-candidate slower' : 'side-candidate', title: 'candidate' }, ms(candidate))
  ]
}
