// What a stored sample shows of each side: the decoded body as readable text (JSON pretty-printed), secrets
// redacted, truncated to a byte budget, plus the json-diff-ts changeset. Runs in the worker, for the few
// divergent exchanges that become samples.
import { hasNoBody } from './body-plan.ts'
import { contentCodings, decodeBody } from './decode-body.ts'
import { parseJson } from './compare-body.ts'
import { changeset } from './changeset.ts'
import type { CompiledRules } from './compile-rules.ts'
import { categoryOf, decodeText, parseMediaType } from './media-type.ts'
import type { Difference, SideInput } from './types.ts'
import type { BodyView } from '../admin/api-contract.ts'

export const REDACTED = '[redacted]'

export interface SampleView {
  primary: BodyView
  candidate: BodyView
  changeset: unknown[]
}

/** Deep copy of a parsed JSON value with the values of `fields` (any depth) replaced. */
export function redactJson (value: unknown, fields: ReadonlySet<string>): unknown {
  if (fields.size === 0 || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((v) => redactJson(v, fields))
  const out = Object.create(null) as Record<string, unknown>
  for (const [k, v] of Object.entries(value)) out[k] = fields.has(k.toLowerCase()) ? REDACTED : redactJson(v, fields)
  return out
}

function redactForm (text: string, fields: ReadonlySet<string>): string {
  if (fields.size === 0) return text
  const params = new URLSearchParams(text)
  for (const key of [...params.keys()]) if (fields.has(key.toLowerCase())) params.set(key, REDACTED)
  return params.toString()
}

function truncateUtf8 (text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text)
  if (bytes.length <= maxBytes) return { text, truncated: false }
  // Cut on a character boundary: drop continuation bytes at the cut.
  let end = maxBytes
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return { text: bytes.subarray(0, end).toString(), truncated: true }
}

function view (side: SideInput, decoded: Uint8Array | null, note: string | null, fields: ReadonlySet<string>, maxBytes: number): BodyView {
  if (decoded === null) return { text: null, truncated: false, length: side.length, note }
  const type = parseMediaType(side.headers['content-type'])
  const category = categoryOf(type.essence)
  let text = decodeText(decoded, type.charset)
  if (category === 'json') {
    const parsed = parseJson(text)
    if (parsed.ok) text = JSON.stringify(redactJson(parsed.value, fields), null, 2)
  } else if (category === 'form') {
    text = redactForm(text, fields)
  } else if (category === 'bytes') {
    return { text: null, truncated: false, length: side.length, note: `binary ${type.essence || 'body'}` }
  }
  return { ...truncateUtf8(text, maxBytes), length: side.length, note: null }
}

/** A path names a redacted field when one of its segments is that field. */
export function pathHasField (path: string, fields: ReadonlySet<string>): boolean {
  if (fields.size === 0) return false
  for (const segment of path.split(/[.[\]"=:]+/)) if (segment !== '' && fields.has(segment.toLowerCase())) return true
  return false
}

/** Values of differences at a redacted field, or in a secret header, are replaced. */
export function redactDifferences (diffs: Difference[], fields: ReadonlySet<string>, headers: ReadonlySet<string>): Difference[] {
  return diffs.map((d) => (d.kind === 'header' ? headers.has(d.path.slice('header:'.length)) : pathHasField(d.at, fields))
    ? { ...d, ...(d.primary === undefined ? {} : { primary: REDACTED }), ...(d.candidate === undefined ? {} : { candidate: REDACTED }) }
    : d)
}

function redactAtoms (atoms: unknown[], fields: ReadonlySet<string>): unknown[] {
  if (fields.size === 0) return atoms
  return atoms.map((atom) => {
    const a = atom as { key?: string; path?: string; value?: unknown; oldValue?: unknown }
    if (pathHasField(`${a.path ?? ''}.${a.key ?? ''}`, fields)) {
      return { ...a, ...('value' in a ? { value: REDACTED } : {}), ...('oldValue' in a ? { oldValue: REDACTED } : {}) }
    }
    return { ...a, ...('value' in a ? { value: redactJson(a.value, fields) } : {}), ...('oldValue' in a ? { oldValue: redactJson(a.oldValue, fields) } : {}) }
  })
}

function decodeSide (side: SideInput, maxBytes: number): { bytes: Uint8Array | null; note: string | null } {
  if (side.status === 0) return { bytes: null, note: `no response (${side.error ?? 'error'})` }
  if (hasNoBody(side.status)) return { bytes: null, note: 'no body' }
  if (side.body === null) return { bytes: null, note: 'too large to capture: compared by length and SHA-256' }
  const decoded = decodeBody(side.body, contentCodings(side.headers['content-encoding']), maxBytes)
  return decoded.ok ? { bytes: decoded.bytes, note: null } : { bytes: null, note: `could not be decoded: ${decoded.reason}` }
}

export function sampleView (a: SideInput, b: SideInput, rules: CompiledRules, fields: ReadonlySet<string>, maxBytes: number): SampleView {
  const da = decodeSide(a, rules.maxDecodedBytes)
  const db = decodeSide(b, rules.maxDecodedBytes)
  let atoms: unknown[] = []
  try { atoms = redactAtoms(changeset(a, b, rules), fields) } catch { atoms = [] }
  return {
    primary: view(a, da.bytes, da.note, fields, maxBytes),
    candidate: view(b, db.bytes, db.note, fields, maxBytes),
    changeset: atoms
  }
}
