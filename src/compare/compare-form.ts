// application/x-www-form-urlencoded bodies, compared field by field; a repeated field is a list, in order.

import type { DifferenceList } from './difference-list.ts'
import { truncate } from './serialize-json.ts'

export function compareForm (a: string, b: string, out: DifferenceList): void {
  const fa = fields(a)
  const fb = fields(b)
  for (const [name, va] of fa) {
    const vb = fb.get(name)
    const path = `form:${name}`
    if (vb === undefined) out.body(path, path, 'removed', 'schema', render(va), undefined)
    else if (!sameList(va, vb)) out.body(path, path, 'changed', 'value', render(va), render(vb))
  }
  for (const [name, vb] of fb) {
    if (fa.has(name)) continue
    const path = `form:${name}`
    out.body(path, path, 'added', 'schema', undefined, render(vb))
  }
}

// A Map, not an object: field names come from the response and may well be `__proto__`.
function fields (text: string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const [name, value] of new URLSearchParams(text)) {
    const list = map.get(name)
    if (list === undefined) map.set(name, [value])
    else list.push(value)
  }
  return map
}

function sameList (a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function render (values: string[]): string {
  return truncate(values.length === 1 ? JSON.stringify(values[0]) : JSON.stringify(values))
}
