// Compares two decoded bodies according to the primary's content type: JSON structurally, forms by field,
// text by line, anything else by bytes. Content types of different essence are a schema difference.

import { compareBytes, sameBytes } from './compare-bytes.ts'
import { compareForm } from './compare-form.ts'
import { compareText } from './compare-text.ts'
import type { CompiledRules } from './compile-rules.ts'
import type { DifferenceList } from './difference-list.ts'
import { compareJson, compareJsonAt } from './json-walk.ts'
import { localizeJsonChange } from './json-localize.ts'
import { SEG_INDEX } from './json-path.ts'
import { stepIndex, stepKey } from './rule-states.ts'
import { categoryOf, decodeText, isUtf8, parseMediaType } from './media-type.ts'
import type { MediaType } from './media-type.ts'
import { truncate } from './serialize-json.ts'
import type { SideInput } from './types.ts'

export function compareDecodedBodies (a: SideInput, b: SideInput, da: Uint8Array, db: Uint8Array, rules: CompiledRules, out: DifferenceList): void {
  if (da.byteLength === 0 || db.byteLength === 0) {
    // A body on one side only is a change of shape; two empty bodies (HEAD-like) leave nothing to compare.
    if (da.byteLength !== db.byteLength) {
      if (db.byteLength === 0) out.body('body', 'body', 'removed', 'schema', `${da.byteLength} bytes`, undefined)
      else out.body('body', 'body', 'added', 'schema', undefined, `${db.byteLength} bytes`)
    }
    return
  }
  const ma = parseMediaType(a.headers['content-type'])
  const mb = parseMediaType(b.headers['content-type'])
  const category = categoryOf(ma.essence)
  if (ma.essence !== mb.essence) {
    out.body('body:content-type', 'body', 'type', 'schema', ma.essence || '(none)', mb.essence || '(none)')
    // Same family (application/json vs application/problem+json): the contents still compare meaningfully.
    if (category !== categoryOf(mb.essence)) return
  }
  // Raw bytes differed but decode the same (another compression level or coding): nothing to parse.
  if (sameBytes(da, db)) return
  switch (category) {
    case 'json': return compareJsonBodies(da, db, ma, mb, rules, out)
    case 'form': return compareForm(decodeText(da, ma.charset), decodeText(db, mb.charset), out)
    case 'text': return compareText(decodeText(da, ma.charset), decodeText(db, mb.charset), out)
    default: return compareBytes(da, db, out)
  }
}

function compareJsonBodies (da: Uint8Array, db: Uint8Array, ma: MediaType, mb: MediaType, rules: CompiledRules, out: DifferenceList): void {
  if (isUtf8(ma.charset) && isUtf8(mb.charset) && compareLocalized(da, db, rules, out)) return
  const ta = decodeText(da, ma.charset)
  const tb = decodeText(db, mb.charset)
  const pa = parseJson(ta)
  const pb = parseJson(tb)
  if (pa.ok && pb.ok) return compareJson(pa.value, pb.value, rules.json, rules.numericTolerance, out)
  // Two bodies that both fail to parse are compared for what they are: text.
  if (!pa.ok && !pb.ok) return compareText(ta, tb, out)
  out.body('$', '$', 'invalid_json', 'schema', pa.ok ? undefined : pa.error, pb.ok ? undefined : pb.error)
}

/**
 * Parses and walks only the container that holds every difference (json-localize.ts); false when the full
 * comparison has to decide (nothing localizable, or the candidate's container does not parse).
 */
function compareLocalized (da: Uint8Array, db: Uint8Array, rules: CompiledRules, out: DifferenceList): boolean {
  const chain = localizeJsonChange(da, db)
  if (chain === null) return false
  // Rule state down the chain (null once no rule can match below). Arrays matched by key or as sets pair elements
  // by content, not by position: the container must then be that array itself (the outermost such), compared whole.
  let target = chain.starts.length - 1
  let state = rules.json
  for (let d = 0; state !== null; d++) {
    if (state.ignore) return true
    if (chain.arrays[d] && (state.arrayKey !== null || state.unordered)) { target = d; break }
    if (d === target) break
    state = chain.kinds[d] === SEG_INDEX ? stepIndex(state, chain.segs[d] as number) : stepKey(state, chain.segs[d] as string)
  }
  const start = chain.starts[target]!
  const endA = chain.endsA[target]!
  const pa = parseJson(decodeText(da.subarray(start, endA), null))
  const pb = parseJson(decodeText(db.subarray(start, endA + db.byteLength - da.byteLength), null))
  if (!pa.ok || !pb.ok) return false
  compareJsonAt(chain.segs.slice(0, target), chain.kinds.slice(0, target), pa.value, pb.value, state, rules.numericTolerance, out)
  return true
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string }

export function parseJson (text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (err) {
    return { ok: false, error: truncate(`invalid JSON: ${(err as Error).message}`) }
  }
}

/** Both bodies parsed as JSON, for the changeset; null when either is not JSON or does not parse. */
export function jsonPair (a: SideInput, b: SideInput, da: Uint8Array, db: Uint8Array): [unknown, unknown] | null {
  const ma = parseMediaType(a.headers['content-type'])
  const mb = parseMediaType(b.headers['content-type'])
  if (categoryOf(ma.essence) !== 'json' || categoryOf(mb.essence) !== 'json') return null
  const pa = parseJson(decodeText(da, ma.charset))
  const pb = parseJson(decodeText(db, mb.charset))
  return pa.ok && pb.ok ? [pa.value, pb.value] : null
}
