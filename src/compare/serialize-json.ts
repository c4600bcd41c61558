// Two serializers of parsed JSON, both iterative so that a 100,000-level-deep body cannot overflow the stack
// (JSON.stringify recurses and throws RangeError there):
// - renderValue: a short rendering for a Difference, stopped as soon as it is long enough;
// - canonicalJson: sorted keys, ignored subtrees left out, unordered arrays sorted; equal values give equal text.

import { stepIndex, stepKey } from './rule-states.ts'
import type { RuleState } from './rule-states.ts'

export const RENDER_LIMIT = 200

interface RenderFrame { value: Record<string, unknown> | unknown[]; keys: string[] | null; i: number }

export function renderValue (value: unknown, limit = RENDER_LIMIT): string {
  if (typeof value !== 'object' || value === null) return truncate(scalarText(value), limit)
  let out = ''
  const stack: RenderFrame[] = []
  let next: unknown = value
  let pending = true
  while (out.length <= limit) {
    if (pending) {
      pending = false
      if (typeof next === 'object' && next !== null) {
        const isArray = Array.isArray(next)
        out += isArray ? '[' : '{'
        stack.push({ value: next as RenderFrame['value'], keys: isArray ? null : Object.keys(next), i: 0 })
      } else {
        out += scalarText(next)
      }
      continue
    }
    const top = stack.at(-1)
    if (top === undefined) break
    const count = top.keys === null ? (top.value as unknown[]).length : top.keys.length
    if (top.i >= count) {
      out += top.keys === null ? ']' : '}'
      stack.pop()
      continue
    }
    if (top.i > 0) out += ','
    if (top.keys === null) {
      next = (top.value as unknown[])[top.i]
    } else {
      const key = top.keys[top.i]!
      out += `${JSON.stringify(key)}:`
      next = (top.value as Record<string, unknown>)[key]
    }
    top.i++
    pending = true
  }
  return truncate(out, limit)
}

export function truncate (text: string, limit = RENDER_LIMIT): string {
  if (text.length <= limit) return text
  // Never cut between the halves of a surrogate pair: a lone half would print as garbage in logs.
  const code = text.charCodeAt(limit - 1)
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit
  return `${text.slice(0, end)}…`
}

function scalarText (value: unknown): string {
  // JSON.parse output holds only strings, finite numbers, booleans and null.
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

interface CanonicalFrame {
  value: Record<string, unknown> | unknown[]
  keys: string[] | null
  i: number
  parts: string[]
  state: RuleState | null
  /** `"key":` when this frame is an object member of its parent, else ''. */
  prefix: string
}

/** Canonical text of a value; `state` applies the route's ignore and unordered rules below it. */
export function canonicalJson (value: unknown, state: RuleState | null): string {
  if (typeof value !== 'object' || value === null) return scalarText(value)
  const stack: CanonicalFrame[] = [frame(value, state, '')]
  for (;;) {
    const top = stack.at(-1)!
    const count = top.keys === null ? (top.value as unknown[]).length : top.keys.length
    if (top.i >= count) {
      stack.pop()
      const text = close(top)
      const parent = stack.at(-1)
      if (parent === undefined) return text
      parent.parts.push(top.prefix + text)
      continue
    }
    const i = top.i++
    let child: unknown
    let childState: RuleState | null = null
    let prefix = ''
    if (top.keys === null) {
      child = (top.value as unknown[])[i]
      if (top.state !== null) childState = stepIndex(top.state, i)
    } else {
      const key = top.keys[i]!
      child = (top.value as Record<string, unknown>)[key]
      if (top.state !== null) childState = stepKey(top.state, key)
      prefix = `${JSON.stringify(key)}:`
    }
    if (childState !== null && childState.ignore) continue
    if (typeof child === 'object' && child !== null) stack.push(frame(child, childState, prefix))
    else top.parts.push(prefix + scalarText(child))
  }
}

function frame (value: object, state: RuleState | null, prefix: string): CanonicalFrame {
  const keys = Array.isArray(value) ? null : Object.keys(value).sort()
  return { value: value as CanonicalFrame['value'], keys, i: 0, parts: [], state, prefix }
}

function close (f: CanonicalFrame): string {
  if (f.keys !== null) return `{${f.parts.join(',')}}`
  if (f.state !== null && (f.state.unordered || f.state.arrayKey !== null)) f.parts.sort()
  return `[${f.parts.join(',')}]`
}
