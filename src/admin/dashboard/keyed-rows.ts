// Table bodies updated in place on each refresh: a row per key is made once and then only updated, so a click
// that lands during a refresh, a focused button or a half-typed input survive it.

export interface RowRenderer<T> {
  key: (item: T) => string
  create: (item: T) => HTMLTableRowElement
  update: (row: HTMLTableRowElement, item: T) => void
}

export class KeyedRows<T> {
  readonly #body: HTMLTableSectionElement
  readonly #render: RowRenderer<T>
  readonly #rows = new Map<string, HTMLTableRowElement>()

  constructor (body: HTMLTableSectionElement, render: RowRenderer<T>) {
    this.#body = body
    this.#render = render
  }

  sync (items: readonly T[]): void {
    const seen = new Set<string>()
    let previous: Element | null = null
    for (const item of items) {
      const key = this.#render.key(item)
      seen.add(key)
      let row = this.#rows.get(key)
      if (row === undefined) {
        row = this.#render.create(item)
        row.dataset.key = key
        this.#rows.set(key, row)
      }
      this.#render.update(row, item)
      const expected: Element | null = previous === null ? this.#body.firstElementChild : previous.nextElementSibling
      if (expected !== row) this.#body.insertBefore(row, expected)
      previous = row
    }
    for (const [key, row] of this.#rows) {
      if (!seen.has(key)) { row.remove(); this.#rows.delete(key) }
    }
  }

  row (key: string): HTMLTableRowElement | undefined {
    return this.#rows.get(key)
  }
}
