// Header comparison. Headers that differ on every response by nature (date, server, request ids) are ignored
// by default; set-cookie values carry session ids, so only the set of cookie names is compared.

import { withValues } from './difference-list.ts'
import type { DifferenceList } from './difference-list.ts'
import { normalizeContentType } from './media-type.ts'
import { truncate } from './serialize-json.ts'
import type { ChangeKind } from './types.ts'

type Headers = Record<string, string | string[]>

/** content-length is ignored because bodies are compared decoded: gzip levels alone change it. */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = ['date', 'server', 'age', 'etag', 'via', 'x-request-id', 'content-length']

export interface HeaderOptions {
  ignored: ReadonlySet<string>
  /** True when both bodies decoded: the encoding then changed nothing that is compared. */
  skipContentEncoding: boolean
}

export function compareHeaders (a: Headers, b: Headers, opts: HeaderOptions, out: DifferenceList): void {
  for (const name of Object.keys(a)) {
    if (skipped(name, opts)) continue
    const va = a[name]!
    // Cookie values are session secrets: even a set-cookie missing on one side is reported by names only.
    if (name === 'set-cookie') { compareCookieNames(va, Object.hasOwn(b, name) ? b[name]! : [], out); continue }
    if (!Object.hasOwn(b, name)) { header(out, name, 'removed', render(va), undefined); continue }
    const vb = b[name]!
    if (name === 'content-type') {
      const na = normalizeContentType(va)
      const nb = normalizeContentType(vb)
      if (na !== nb) header(out, name, 'changed', truncate(na), truncate(nb))
    } else if (!sameValues(va, vb)) header(out, name, 'changed', render(va), render(vb))
  }
  for (const name of Object.keys(b)) {
    if (skipped(name, opts) || Object.hasOwn(a, name)) continue
    if (name === 'set-cookie') { compareCookieNames([], b[name]!, out); continue }
    header(out, name, 'added', undefined, render(b[name]!))
  }
}

function skipped (name: string, opts: HeaderOptions): boolean {
  return opts.ignored.has(name) || (opts.skipContentEncoding && name === 'content-encoding')
}

function header (out: DifferenceList, name: string, change: ChangeKind, primary: string | undefined, candidate: string | undefined): void {
  const path = `header:${name}`
  out.add(withValues({ kind: 'header', path, at: path, change, class: 'header' }, primary, candidate))
}

/** A single value and a one-element list are the same header; longer lists compare in order. */
function sameValues (a: string | string[], b: string | string[]): boolean {
  if (typeof a === 'string' || typeof b === 'string') return first(a) === first(b) && count(a) === count(b)
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function first (v: string | string[]): string | undefined {
  return typeof v === 'string' ? v : v[0]
}

function count (v: string | string[]): number {
  return typeof v === 'string' ? 1 : v.length
}

function render (v: string | string[]): string {
  return truncate(typeof v === 'string' ? v : JSON.stringify(v))
}

function compareCookieNames (a: string | string[], b: string | string[], out: DifferenceList): void {
  const na = cookieNames(a)
  const nb = cookieNames(b)
  for (const name of na) if (!nb.has(name)) cookie(out, name, 'removed')
  for (const name of nb) if (!na.has(name)) cookie(out, name, 'added')
}

function cookie (out: DifferenceList, name: string, change: 'added' | 'removed'): void {
  const value = truncate(name)
  out.add(withValues({ kind: 'header', path: 'header:set-cookie', at: `header:set-cookie:${name}`, change, class: 'header' },
    change === 'removed' ? value : undefined, change === 'added' ? value : undefined))
}

function cookieNames (v: string | string[]): Set<string> {
  const names = new Set<string>()
  for (const line of typeof v === 'string' ? [v] : v) {
    const eq = line.indexOf('=')
    const semi = line.indexOf(';')
    const end = eq >= 0 && (semi < 0 || eq < semi) ? eq : (semi >= 0 ? semi : line.length)
    names.add(line.slice(0, end).trim())
  }
  return names
}
