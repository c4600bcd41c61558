// The structural JSON comparison: both parsed trees walked together, once. It runs on every mirrored request,
// so it allocates little: the path lives in a preallocated segment stack, overwritten in place; path strings
// are built only when a difference is found; the only per-node garbage is each object's keys and values. Rules cost one null check per node unless a rule
// can still match below it (see rule-states.ts).

import { concretePath, indexFreePath, SEG_INDEX, SEG_KEY, SEG_KEYED } from './json-path.ts'
import type { PathStack } from './json-path.ts'
import type { DifferenceList } from './difference-list.ts'
import { stepIndex, stepKey } from './rule-states.ts'
import type { RuleState } from './rule-states.ts'
import { canonicalJson, renderValue, truncate } from './serialize-json.ts'
import type { ChangeKind, DifferenceClass } from './types.ts'

/** Below this depth subtrees are compared as canonical text, iteratively: no recursion, no stack overflow. */
export const MAX_WALK_DEPTH = 256

type Obj = Record<string, unknown>

// One stack for every walk: comparisons are synchronous and never nested, so sharing it saves an allocation.
const stack: PathStack = {
  segs: new Array<string | number>(MAX_WALK_DEPTH + 1).fill(''),
  kinds: new Array<number>(MAX_WALK_DEPTH + 1).fill(SEG_KEY),
  keyNames: new Array<string>(MAX_WALK_DEPTH + 1).fill('')
}

let out: DifferenceList
let tolerance = 0

export function compareJson (a: unknown, b: unknown, root: RuleState | null, numericTolerance: number, list: DifferenceList): void {
  compareJsonAt([], [], a, b, root, numericTolerance, list)
}

/**
 * The same walk for two subtrees found at the same path in both documents (json-localize.ts): `segs`/`kinds` are
 * that path (keys and indexes), `state` the rule state there. Differences carry their full paths.
 */
export function compareJsonAt (segs: ReadonlyArray<string | number>, kinds: readonly number[], a: unknown, b: unknown, state: RuleState | null, numericTolerance: number, list: DifferenceList): void {
  if (state !== null && state.ignore) return
  for (let d = 0; d < segs.length; d++) {
    stack.segs[d] = segs[d]!
    stack.kinds[d] = kinds[d]!
  }
  out = list
  tolerance = numericTolerance
  walk(a, b, segs.length, state)
}

function walk (a: unknown, b: unknown, depth: number, state: RuleState | null): void {
  if (a === b) return
  const type = typeof a
  if (type !== typeof b) return emit(depth, 'type', 'schema', a, b, true, true)
  if (type !== 'object') {
    if (type === 'number' && tolerance > 0 && Math.abs((a as number) - (b as number)) <= tolerance) return
    return emit(depth, 'changed', 'value', a, b, true, true)
  }
  if (a === null || b === null) return emit(depth, 'type', 'schema', a, b, true, true)
  const isArray = Array.isArray(a)
  if (isArray !== Array.isArray(b)) return emit(depth, 'type', 'schema', a, b, true, true)
  if (depth >= MAX_WALK_DEPTH) return compareCanonical(a, b, depth, state)
  if (!isArray) return walkObject(a as Obj, b as Obj, depth, state)
  if (state !== null) {
    if (state.arrayKey !== null && walkKeyed(a as unknown[], b as unknown[], depth, state, state.arrayKey)) return
    if (state.unordered) return walkUnordered(a as unknown[], b as unknown[], depth, state)
  }
  walkIndexed(a as unknown[], b as unknown[], depth, state)
}

function walkObject (a: Obj, b: Obj, depth: number, state: RuleState | null): void {
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (sameKeys(keysA, keysB)) {
    // The common case: both sides have the same keys in the same order. Pairing Object.values by position
    // avoids two megamorphic keyed loads per key; measured ~1.5x faster on 20 KB bodies than key lookups.
    const valuesA = Object.values(a)
    const valuesB = Object.values(b)
    for (let i = 0; i < keysA.length; i++) {
      const key = keysA[i]!
      let next: RuleState | null = null
      if (state !== null) {
        next = stepKey(state, key)
        if (next !== null && next.ignore) continue
      }
      stack.segs[depth] = key
      stack.kinds[depth] = SEG_KEY
      walk(valuesA[i], valuesB[i], depth + 1, next)
    }
    return
  }
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!
    let next: RuleState | null = null
    if (state !== null) {
      next = stepKey(state, key)
      if (next !== null && next.ignore) continue
    }
    stack.segs[depth] = key
    stack.kinds[depth] = SEG_KEY
    // Own-property checks only: a `__proto__` key from JSON.parse is an ordinary own key here.
    if (Object.hasOwn(b, key)) walk(a[key], b[key], depth + 1, next)
    else emit(depth + 1, 'removed', 'schema', a[key], undefined, true, false)
  }
  for (let i = 0; i < keysB.length; i++) {
    const key = keysB[i]!
    if (Object.hasOwn(a, key)) continue
    if (state !== null) {
      const next = stepKey(state, key)
      if (next !== null && next.ignore) continue
    }
    stack.segs[depth] = key
    stack.kinds[depth] = SEG_KEY
    emit(depth + 1, 'added', 'schema', undefined, b[key], false, true)
  }
}

function sameKeys (a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false
  // JSON.parse internalizes keys, so these comparisons are mostly pointer checks.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function walkIndexed (a: unknown[], b: unknown[], depth: number, state: RuleState | null): void {
  const common = Math.min(a.length, b.length)
  stack.kinds[depth] = SEG_INDEX
  for (let i = 0; i < common; i++) {
    let next: RuleState | null = null
    if (state !== null) {
      next = stepIndex(state, i)
      if (next !== null && next.ignore) continue
    }
    stack.segs[depth] = i
    walk(a[i], b[i], depth + 1, next)
  }
  extraElements(a, common, depth, state, 'removed')
  extraElements(b, common, depth, state, 'added')
}

function extraElements (side: unknown[], from: number, depth: number, state: RuleState | null, change: 'added' | 'removed'): void {
  for (let i = from; i < side.length; i++) {
    if (state !== null && stepIndex(state, i)?.ignore === true) continue
    stack.segs[depth] = i
    stack.kinds[depth] = SEG_INDEX
    emitOneSide(depth + 1, change, side[i])
  }
}

/** Matches elements by `field`; false (fall back to index) when a key is missing, not a scalar, or repeated. */
function walkKeyed (a: unknown[], b: unknown[], depth: number, state: RuleState, field: string): boolean {
  const ia = indexByKey(a, field)
  if (ia === null) return false
  const ib = indexByKey(b, field)
  if (ib === null) return false
  for (const [key, i] of ia) {
    const next = stepIndex(state, i)
    if (next !== null && next.ignore) continue
    setKeyed(depth, field, key)
    const j = ib.get(key)
    if (j === undefined) emitOneSide(depth + 1, 'removed', a[i])
    else walk(a[i], b[j], depth + 1, next)
  }
  for (const [key, j] of ib) {
    if (ia.has(key)) continue
    const next = stepIndex(state, j)
    if (next !== null && next.ignore) continue
    setKeyed(depth, field, key)
    emitOneSide(depth + 1, 'added', b[j])
  }
  return true
}

function setKeyed (depth: number, field: string, key: string | number): void {
  // The concrete path shows `[id=42]` or `[id="a-1"]`; a Map key keeps 42 and "42" apart.
  stack.segs[depth] = typeof key === 'number' ? key : JSON.stringify(key)
  stack.kinds[depth] = SEG_KEYED
  stack.keyNames[depth] = field
}

export function indexByKey (arr: unknown[], field: string): Map<string | number, number> | null {
  const index = new Map<string | number, number>()
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i]
    if (typeof el !== 'object' || el === null || Array.isArray(el) || !Object.hasOwn(el, field)) return null
    const key = (el as Obj)[field]
    if ((typeof key !== 'string' && typeof key !== 'number') || index.has(key)) return null
    index.set(key, i)
  }
  return index
}

/**
 * Multiset comparison. Scalars are their own identity (a Map keeps 1 and "1" apart); containers are identified
 * by canonical text (sorted keys, rules applied), kept in a second pool so the string "{}" never meets {}.
 */
function walkUnordered (a: unknown[], b: unknown[], depth: number, state: RuleState): void {
  if (sameScalarsInOrder(a, b)) return
  const pool = new Map<unknown, number[]>()
  const containers = new Map<unknown, number[]>()
  // Filled back to front so that pop() matches the first occurrences and leaves the later duplicates over.
  for (let i = a.length - 1; i >= 0; i--) {
    const next = stepIndex(state, i)
    if (next !== null && next.ignore) continue
    const [map, id] = identity(a[i], next, pool, containers)
    const list = map.get(id)
    if (list === undefined) map.set(id, [i])
    else list.push(i)
  }
  const added: number[] = []
  for (let j = 0; j < b.length; j++) {
    const next = stepIndex(state, j)
    if (next !== null && next.ignore) continue
    const [map, id] = identity(b[j], next, pool, containers)
    const list = map.get(id)
    if (list === undefined || list.length === 0) added.push(j)
    else list.pop()
  }
  const removed: number[] = []
  for (const list of pool.values()) removed.push(...list)
  for (const list of containers.values()) removed.push(...list)
  removed.sort((x, y) => x - y)
  stack.kinds[depth] = SEG_INDEX
  for (const i of removed) { stack.segs[depth] = i; emitOneSide(depth + 1, 'removed', a[i]) }
  for (const j of added) { stack.segs[depth] = j; emitOneSide(depth + 1, 'added', b[j]) }
}

/** The usual case for a tag list: nothing moved. Containers never pass (=== on distinct objects). */
function sameScalarsInOrder (a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function identity (value: unknown, state: RuleState | null, scalars: Map<unknown, number[]>, containers: Map<unknown, number[]>): [Map<unknown, number[]>, unknown] {
  return typeof value === 'object' && value !== null ? [containers, canonicalJson(value, state)] : [scalars, value]
}

function compareCanonical (a: unknown, b: unknown, depth: number, state: RuleState | null): void {
  const ta = canonicalJson(a, state)
  const tb = canonicalJson(b, state)
  if (ta !== tb) emitText(depth, 'changed', 'value', truncate(ta), truncate(tb))
}

/** An array element present on one side only: its value is what differs, not the shape. */
function emitOneSide (depth: number, change: 'added' | 'removed', value: unknown): void {
  if (change === 'removed') emit(depth, change, 'value', value, undefined, true, false)
  else emit(depth, change, 'value', undefined, value, false, true)
}

function emit (depth: number, change: ChangeKind, cls: DifferenceClass, a: unknown, b: unknown, hasA: boolean, hasB: boolean): void {
  if (!out.open) { out.skip(); return }
  emitText(depth, change, cls, hasA ? renderValue(a) : undefined, hasB ? renderValue(b) : undefined)
}

function emitText (depth: number, change: ChangeKind, cls: DifferenceClass, primary: string | undefined, candidate: string | undefined): void {
  if (!out.open) { out.skip(); return }
  out.body(indexFreePath(stack, depth), concretePath(stack, depth), change, cls, primary, candidate)
}
