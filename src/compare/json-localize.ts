// Finds where two UTF-8 JSON documents differ without parsing them: the smallest container (object or array)
// that holds every differing byte on both sides. A candidate's answer is mostly the primary's answer with a few
// fields changed, so the two bodies share a long prefix and a long suffix; only that container then needs
// JSON.parse and the structural walk (json-walk.ts), at its path. Measured on the 20 KB bench pair (one field
// changed; `npm run bench -- compare`): compareSides went from 4,385 to 12,292 pairs/s, 2.4x JSON.parse of both
// bodies. The scan itself is most of what is left: it took ~71 us per 20 KB document, ~43 us once it read a
// zero-padded copy (no read past the end, so V8 keeps every byte an integer), ~38 us with plain string bytes
// skipped by a table lookup (21,768 pairs/s in the same bench).
//
// Why the result equals the full comparison: the two documents are P + X + S and P + Y + S, where X is a complete
// JSON value (the container) of the first document, which this scanner validates in full, strictly, as JSON.parse
// would. The caller then parses X and Y; when Y parses, the second document is the first with one value replaced,
// so both parse trees are identical outside that container. Everything that could still make the outside matter
// sends the caller back to the full comparison (null): a duplicate key on the way to the container (JSON.parse keeps
// the last one), an escaped key there (it could duplicate another spelled differently), a byte-order mark, a change
// outside every container, nesting deeper than the walk's own limit. Rules on the way (ignore, arrayKeys,
// unordered) are the caller's business: see compareLocalized in compare-body.ts.

import { MAX_WALK_DEPTH } from './json-walk.ts'
import { SEG_INDEX, SEG_KEY } from './json-path.ts'

/**
 * The containers from the root down to the innermost one holding every difference (index 0 is the root). Any of
 * them holds the difference too; the caller may pick an outer one (a rule such as arrayKeys on an array above).
 * Container d spans [starts[d], endsA[d]) in the first document and [starts[d], endsA[d] + lenB - lenA) in the second.
 */
export interface Localized {
  starts: number[]
  endsA: number[]
  /** Whether each container is an array. */
  arrays: boolean[]
  /** segs[d], kinds[d]: the member of container d that leads to container d + 1 (a decoded key or an index). */
  segs: Array<string | number>
  kinds: number[]
}

/** Common prefix length, found by halving with native comparisons. */
function commonPrefix (a: Uint8Array, b: Uint8Array): number {
  let lo = 0
  let hi = Math.min(a.byteLength, b.byteLength)
  const ba = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const bb = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  // Invariant: a[0, lo) equals b[0, lo); the first difference is before hi (or there is none before hi).
  while (hi - lo > 32) {
    const mid = (lo + hi) >>> 1
    if (ba.compare(bb, lo, mid, lo, mid) === 0) lo = mid
    else hi = mid
  }
  while (lo < hi && a[lo] === b[lo]) lo++
  return lo
}

/** Common suffix length, at most `max` bytes. */
function commonSuffix (a: Uint8Array, b: Uint8Array, max: number): number {
  const la = a.byteLength
  const lb = b.byteLength
  const ba = Buffer.from(a.buffer, a.byteOffset, la)
  const bb = Buffer.from(b.buffer, b.byteOffset, lb)
  let lo = 0
  let hi = max
  while (hi - lo > 32) {
    const mid = (lo + hi) >>> 1
    if (ba.compare(bb, lb - mid, lb - lo, la - mid, la - lo) === 0) lo = mid
    else hi = mid
  }
  while (lo < hi && a[la - lo - 1] === b[lb - lo - 1]) lo++
  return lo
}

/** Scan results: the container chain open at the first difference, and where each of its containers closed. */
const snapStart: number[] = []
const snapArray: boolean[] = []
const snapIndex: number[] = []
const snapKeyStart: number[] = []
const snapKeyEnd: number[] = []
const snapEnd: number[] = []
/** Scan stack, per depth: container start, kind, current member's index or key span, where its keys begin. */
const starts = new Int32Array(MAX_WALK_DEPTH + 1)
const isArray = new Uint8Array(MAX_WALK_DEPTH + 1)
const index = new Int32Array(MAX_WALK_DEPTH + 1)
const keyStart = new Int32Array(MAX_WALK_DEPTH + 1)
const keyEnd = new Int32Array(MAX_WALK_DEPTH + 1)
const keyBase = new Int32Array(MAX_WALK_DEPTH + 1)
const escapedKey = new Uint8Array(MAX_WALK_DEPTH + 1)
/** The keys of every open object as [start, end) pairs, innermost object's last: an object's are popped when it closes. */
let keySpans = new Int32Array(1024)

/** Bytes that end the plain run of a string: the closing quote, a backslash, and control characters (the padding's zeros among them). */
const STRING_STOP = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1
STRING_STOP[0x22] = 1
STRING_STOP[0x5c] = 1

const VALUE = 0
const KEY = 1
const AFTER = 2

/** The first position at or after `pos` that is not JSON whitespace (the padding's zeros stop it). */
function skipSpace (buf: Uint8Array, pos: number): number {
  let c = buf[pos]!
  while (c <= 0x20 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) c = buf[++pos]!
  return pos
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

/** The key leading to the next container of the chain must be the only one of its spelling in object `d`. */
function uniqueKey (buf: Uint8Array, d: number, keyTop: number): boolean {
  if (escapedKey[d] === 1) return false
  const ks = snapKeyStart[d]!
  const len = snapKeyEnd[d]! - ks
  let seen = 0
  for (let i = keyBase[d]!; i < keyTop; i += 2) {
    const from = keySpans[i]!
    if (keySpans[i + 1]! - from !== len) continue
    let j = 0
    while (j < len && buf[from + j] === buf[ks + j]) j++
    if (j === len && ++seen > 1) return false
  }
  return true
}

/**
 * Validates `buf[0, len)` as one JSON document, strictly (JSON.parse's grammar), in one pass without allocating per
 * token, and records the chain of containers open at offset `diffAt`. `buf` must have PAD zero bytes after `len`:
 * every loop stops on a zero (never whitespace, never plain string content), so none needs a bounds check of its
 * own. Returns the chain's length, or -1 when the document is invalid, nests deeper than the walk's limit, or has a
 * duplicate or escaped key on the chain.
 * One function with local state: this runs on every compared pair.
 */
function scan (buf: Uint8Array, len: number, diffAt: number): number {
  let pos = 0
  let depth = 0
  let snapDepth = -1
  let state = VALUE
  let keyTop = 0
  for (;;) {
    pos = skipSpace(buf, pos)
    let c = buf[pos]!
    // The end: only after the root value (trailing whitespace was skipped above).
    if (pos >= len) return state === AFTER && depth === 0 ? snapDepth : -1
    if (snapDepth < 0 && pos >= diffAt) {
      // The first token at or past the difference: the containers open now hold it.
      snapDepth = depth
      for (let d = 0; d < depth; d++) {
        snapStart[d] = starts[d]!
        snapArray[d] = isArray[d] === 1
        snapIndex[d] = index[d]!
        snapKeyStart[d] = keyStart[d]!
        snapKeyEnd[d] = keyEnd[d]!
        snapEnd[d] = -1
      }
    }
    if (state === AFTER) {
      // Anything but whitespace after the root value.
      if (depth === 0) return -1
      const d = depth - 1
      if (c === 0x2c) {
        pos++
        index[d] = index[d]! + 1
        state = isArray[d] === 1 ? VALUE : KEY
        continue
      }
      if (c !== (isArray[d] === 1 ? 0x5d : 0x7d)) return -1
      pos++
      depth = d
      if (snapDepth > d && snapEnd[d] === -1) {
        snapEnd[d] = pos
        if (isArray[d] === 0 && d < snapDepth - 1 && !uniqueKey(buf, d, keyTop)) return -1
      }
      if (isArray[d] === 0) keyTop = keyBase[d]!
      continue
    }
    if (state === KEY) {
      if (c !== 0x22) return -1
      const d = depth - 1
      const ks = pos
      pos++
      for (;;) {
        c = buf[pos]!
        while (STRING_STOP[c] === 0) c = buf[++pos]!
        if (c === 0x22) break
        if (c === 0x5c) { escapedKey[d] = 1; pos += 2; continue }
        return -1
      }
      // Escapes inside keys are rare; validate them the slow way.
      if (escapedKey[d] === 1 && !validString(buf, ks)) return -1
      pos++
      keyStart[d] = ks
      keyEnd[d] = pos
      if (keyTop + 2 > keySpans.length) {
        const grown = new Int32Array(keySpans.length * 2)
        grown.set(keySpans)
        keySpans = grown
      }
      keySpans[keyTop++] = ks
      keySpans[keyTop++] = pos
      pos = skipSpace(buf, pos)
      c = buf[pos]!
      if (c !== 0x3a) return -1
      pos++
      state = VALUE
      continue
    }
    // VALUE
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_WALK_DEPTH) return -1
      const array = c === 0x5b
      starts[depth] = pos
      isArray[depth] = array ? 1 : 0
      index[depth] = 0
      keyBase[depth] = keyTop
      escapedKey[depth] = 0
      depth++
      pos = skipSpace(buf, pos + 1)
      c = buf[pos]!
      if (c === (array ? 0x5d : 0x7d)) { state = AFTER; continue }
      state = array ? VALUE : KEY
      continue
    }
    state = AFTER
    if (c === 0x22) {
      const from = pos
      let escaped = false
      pos++
      for (;;) {
        c = buf[pos]!
        while (STRING_STOP[c] === 0) c = buf[++pos]!
        if (c === 0x22) break
        if (c === 0x5c) { escaped = true; pos += 2; continue }
        return -1
      }
      if (escaped && !validString(buf, from)) return -1
      pos++
      continue
    }
    if (c === 0x74) { if (!word(buf, pos, 'true')) return -1; pos += 4; continue }
    if (c === 0x66) { if (!word(buf, pos, 'false')) return -1; pos += 5; continue }
    if (c === 0x6e) { if (!word(buf, pos, 'null')) return -1; pos += 4; continue }
    // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    if (c === 0x2d) c = buf[++pos]!
    if (c === 0x30) c = buf[++pos]!
    else if (isDigit(c)) { do c = buf[++pos]!; while (isDigit(c)) } else return -1
    if (c === 0x2e) {
      c = buf[++pos]!
      if (!isDigit(c)) return -1
      do c = buf[++pos]!; while (isDigit(c))
    }
    if (c === 0x65 || c === 0x45) {
      c = buf[++pos]!
      if (c === 0x2b || c === 0x2d) c = buf[++pos]!
      if (!isDigit(c)) return -1
      do c = buf[++pos]!; while (isDigit(c))
    }
  }
}

/** A string token with escapes, from its opening quote: every escape one JSON allows. */
function validString (buf: Uint8Array, from: number): boolean {
  let pos = from + 1
  for (;;) {
    const c = buf[pos]
    if (c === undefined || c < 0x20) return false
    if (c === 0x22) return true
    if (c !== 0x5c) { pos++; continue }
    const e = buf[pos + 1]
    if (e === 0x75) {
      for (let i = 2; i < 6; i++) if (!isHex(buf[pos + i] ?? -1)) return false
      pos += 6
    } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      pos += 2
    } else {
      return false
    }
  }
}

function word (buf: Uint8Array, pos: number, w: string): boolean {
  for (let i = 0; i < w.length; i++) if (buf[pos + i] !== w.charCodeAt(i)) return false
  return true
}

/**
 * The scanner's copy of the document, followed by PAD zero bytes: its reads stay in bounds (an out-of-bounds read
 * yields undefined, after which V8 compiles every byte comparison for mixed types: measured 71 vs 43 us per 20 KB).
 * One buffer is reused for documents up to 1 MB (the copy costs ~1 us per 20 KB); a larger one gets a copy of its own,
 * so that a single 5 MB body does not leave 5 MB behind in every worker.
 */
const PAD = 16
const SCRATCH_MAX = 1 << 20
let scratch = new Uint8Array(64 * 1024)
function padded (a: Uint8Array): Uint8Array {
  const need = a.byteLength + PAD
  let buf = scratch
  if (buf.length < need) {
    buf = new Uint8Array(need <= SCRATCH_MAX ? Math.min(SCRATCH_MAX, Math.max(need, buf.length * 2)) : need)
    if (need <= SCRATCH_MAX) scratch = buf
  }
  buf.set(a)
  buf.fill(0, a.byteLength, need)
  return buf
}

const KEY_DECODER = new TextDecoder('utf-8')

/**
 * The containers holding every difference between `a` and `b` (UTF-8 JSON documents that differ), or
 * null when the full comparison must decide: `a` is not valid JSON, the difference is not inside a container,
 * or the outside of the container could still matter (see the header).
 */
export function localizeJsonChange (a: Uint8Array, b: Uint8Array): Localized | null {
  // A byte-order mark is dropped by the text decoder before JSON.parse: offsets would not line up.
  if ((a[0] === 0xef && a[1] === 0xbb && a[2] === 0xbf) || (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)) return null
  const p = commonPrefix(a, b)
  const minLen = Math.min(a.byteLength, b.byteLength)
  if (p === minLen && a.byteLength === b.byteLength) return null
  const s = commonSuffix(a, b, minLen - p)
  // Differences far apart (a timestamp at the top, a field at the bottom): the container would be about the whole
  // document, and the scan would only add to parsing it. Measured on the 20 KB bench document
  // (a pair differing in meta.generatedAt and in the last item): compareSides 332 us with the scan, 243 us without.
  if (a.byteLength - s - p > a.byteLength / 2) return null
  // A padded Uint8Array copy: one element kind for the scanner whatever the caller's subclass (Buffer or Uint8Array).
  const snapDepth = scan(padded(a), a.byteLength, p)
  if (snapDepth < 0) return null
  // The innermost open container at the difference whose closing bracket lies in the common suffix.
  const diffEndA = a.byteLength - s
  let c = snapDepth - 1
  while (c >= 0 && snapEnd[c]! <= diffEndA) c--
  if (c < 0) return null
  const chain: Localized = { starts: [], endsA: [], segs: [], kinds: [], arrays: [] }
  for (let d = 0; d <= c; d++) {
    chain.starts.push(snapStart[d]!)
    chain.endsA.push(snapEnd[d]!)
    chain.arrays.push(snapArray[d]!)
    if (d === c) break
    if (snapArray[d]) {
      chain.segs.push(snapIndex[d]!)
      chain.kinds.push(SEG_INDEX)
    } else {
      chain.segs.push(JSON.parse(KEY_DECODER.decode(a.subarray(snapKeyStart[d]!, snapKeyEnd[d]!))) as string)
      chain.kinds.push(SEG_KEY)
    }
  }
  return chain
}
