// Live route controls: mode, mirror percent and split percent of each route, sent with PUT /api/routes/:name.
// The server validates (the same schema as the config file) and its message is shown as is. A refresh never
// overwrites what the user is typing: an edited field keeps its value until it is applied.
import type { RouteMode, RouteView } from './api-types.ts'
import { ApiError } from './api.ts'
import { el, fill, setText } from './dom.ts'
import { KeyedRows } from './keyed-rows.ts'
import { cells, textCell } from './cells.ts'

export type UpdateRoute = (name: string, change: Record<string, unknown>) => Promise<RouteView>

interface Controls {
  mode: HTMLSelectElement
  mirror: HTMLInputElement
  split: HTMLInputElement
  apply: HTMLButtonElement
  message: HTMLElement
}

const MODES: readonly RouteMode[] = ['mirror', 'split', 'off']

/** A number when the text is one; otherwise the text itself, for the server to refuse with its own message. */
function parsePercent (text: string): number | string {
  const trimmed = text.trim().replace(/\s*%$/, '')
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text
}

function percentInput (label: string): HTMLInputElement {
  return el('input', { type: 'text', inputmode: 'decimal', size: 5, 'aria-label': label, autocomplete: 'off' })
}

export class RouteControls {
  readonly #rows: KeyedRows<RouteView>
  readonly #controls = new WeakMap<HTMLTableRowElement, Controls>()
  readonly #update: UpdateRoute
  readonly #onChanged: () => void

  constructor (root: HTMLElement, update: UpdateRoute, onChanged: () => void) {
    this.#update = update
    this.#onChanged = onChanged
    const body = el('tbody')
    fill(root, el('div', { class: 'scroll' }, el('table', { class: 'routes' },
      el('thead', {}, el('tr', {}, ...['Route', 'Mode', 'Mirror %', 'Split %', '', 'In flight', 'Circuit', '']
        .map((h) => el('th', { scope: 'col' }, h)))),
      body)))
    this.#rows = new KeyedRows(body, {
      key: (r) => r.name,
      create: (r) => this.#create(r),
      update: (row, r) => { this.#refresh(row, r) }
    })
  }

  #create (route: RouteView): HTMLTableRowElement {
    const controls: Controls = {
      mode: el('select', { 'aria-label': `${route.name} mode` }, ...MODES.map((m) => el('option', { value: m }, m))),
      mirror: percentInput(`${route.name} mirror percent`),
      split: percentInput(`${route.name} split percent`),
      apply: el('button', { type: 'button' }, 'Apply'),
      message: el('div', { class: 'route-message', role: 'status' })
    }
    const row = el('tr', { 'data-route': route.name })
    const c = cells(row, 8)
    c[1].append(controls.mode)
    c[2].append(controls.mirror)
    c[3].append(controls.split)
    c[4].append(controls.apply)
    c[7].append(controls.message)
    for (const input of [controls.mode, controls.mirror, controls.split]) {
      input.addEventListener('input', () => { input.dataset.dirty = '1' })
      input.addEventListener('change', () => { input.dataset.dirty = '1' })
    }
    for (const input of [controls.mirror, controls.split]) {
      input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') void this.#apply(row) })
    }
    controls.apply.addEventListener('click', () => { void this.#apply(row) })
    this.#controls.set(row, controls)
    return row
  }

  #refresh (row: HTMLTableRowElement, r: RouteView): void {
    const c = cells(row, 8)
    textCell(c[0], r.name)
    c[0].className = 'path'
    textCell(c[5], String(r.state.inflight))
    textCell(c[6], r.state.circuitOpen ? 'open' : 'closed')
    c[6].className = r.state.circuitOpen ? 'circuit-open' : ''
    const k = this.#controls.get(row)!
    const set = (input: HTMLInputElement | HTMLSelectElement, value: string): void => {
      if (input.dataset.dirty !== '1' && input.value !== value) input.value = value
    }
    set(k.mode, r.mode)
    set(k.mirror, String(r.mirrorPercent))
    set(k.split, String(r.splitPercent))
  }

  async #apply (row: HTMLTableRowElement): Promise<void> {
    const name = row.dataset.route
    const k = this.#controls.get(row)
    if (name === undefined || k === undefined) return
    const change: Record<string, unknown> = {}
    if (k.mode.dataset.dirty === '1') change.mode = k.mode.value
    if (k.mirror.dataset.dirty === '1') change.mirrorPercent = parsePercent(k.mirror.value)
    if (k.split.dataset.dirty === '1') change.splitPercent = parsePercent(k.split.value)
    if (Object.keys(change).length === 0) {
      this.#say(k, 'nothing changed', 'note')
      return
    }
    k.apply.disabled = true
    try {
      const route = await this.#update(name, change)
      for (const input of [k.mode, k.mirror, k.split]) delete input.dataset.dirty
      this.#refresh(row, route)
      this.#say(k, `saved: mode ${route.mode}, mirror ${route.mirrorPercent} %, split ${route.splitPercent} %`, 'ok')
      this.#onChanged()
    } catch (err) {
      this.#say(k, err instanceof ApiError ? err.message : `not saved: ${(err as Error).message}`, 'error')
    } finally {
      k.apply.disabled = false
    }
  }

  #say (k: Controls, text: string, kind: 'ok' | 'error' | 'note'): void {
    setText(k.message, text)
    k.message.className = `route-message ${kind}`
    k.message.setAttribute('role', kind === 'error' ? 'alert' : 'status')
  }

  update (routes: readonly RouteView[]): void {
    this.#rows.sync(routes)
  }
}
