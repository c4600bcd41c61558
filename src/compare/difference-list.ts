// Bounded list of differences for one comparison. Past the cap, differences are only counted: a reordered
// 10,000-element array must not build 10,000 path strings nobody will read.

import type { ChangeKind, Difference, DifferenceClass } from './types.ts'

export const DEFAULT_MAX_DIFFERENCES = 100

export class DifferenceList {
  readonly items: Difference[] = []
  omitted = 0
  readonly #max: number

  constructor (max: number) {
    this.#max = max
  }

  /** False once the cap is reached: the caller then skips building the strings and calls `skip()`. */
  get open (): boolean {
    return this.items.length < this.#max
  }

  skip (): void {
    this.omitted++
  }

  add (d: Difference): void {
    if (this.items.length < this.#max) this.items.push(d)
    else this.omitted++
  }

  body (path: string, at: string, change: ChangeKind, cls: DifferenceClass, primary?: string, candidate?: string): void {
    this.add(withValues({ kind: 'body', path, at, change, class: cls }, primary, candidate))
  }
}

/** Leaves `primary`/`candidate` off instead of setting them to undefined, so results compare and log cleanly. */
export function withValues (d: Difference, primary: string | undefined, candidate: string | undefined): Difference {
  if (primary !== undefined) d.primary = primary
  if (candidate !== undefined) d.candidate = candidate
  return d
}
