// Turns the JSON path rules of a route (ignore, arrayKeys, unordered) into a deterministic automaton, built
// once per route. The JSON walk carries one RuleState per node and steps it per child with one Map lookup;
// once no rule can match below a node the state is null and the walk pays a single null check per node.
// Patterns are linear (see path-pattern.ts), so the set of patterns still alive at a node is the whole state.

import type { PatternSegment } from './path-pattern.ts'

export interface PathRule {
  kind: 'ignore' | 'arrayKey' | 'unordered'
  segments: PatternSegment[]
  /** The element field for `arrayKey` rules. */
  key?: string
}

export interface RuleState {
  /** This node and its whole subtree are skipped. */
  readonly ignore: boolean
  /** This node, if an array, matches elements by this field. */
  readonly arrayKey: string | null
  /** This node, if an array, is compared as a multiset. */
  readonly unordered: boolean
  /** Next state for object keys named in some alive pattern; any other key goes to `otherKey`. */
  readonly byKey: Map<string, RuleState | null>
  otherKey: RuleState | null
  readonly byIndex: Map<number, RuleState | null>
  otherIndex: RuleState | null
}

/** A route with thousands of wildcard rules could in theory explode; no real config comes near this. */
const MAX_STATES = 10_000

export function buildRuleStates (rules: readonly PathRule[]): RuleState | null {
  const memo = new Map<string, RuleState | null>()
  const all = rules.map((_, i) => i)
  return stateFor(rules, all, 0, memo)
}

function stateFor (rules: readonly PathRule[], alive: number[], depth: number, memo: Map<string, RuleState | null>): RuleState | null {
  if (alive.length === 0) return null
  const id = `${depth}:${alive.join(',')}`
  const known = memo.get(id)
  if (known !== undefined) return known
  if (memo.size >= MAX_STATES) throw new Error(`compare rules: more than ${MAX_STATES} rule states; simplify the ignore/arrayKeys/unordered paths`)

  let ignore = false
  let arrayKey: string | null = null
  let unordered = false
  const deeper: number[] = []
  for (const i of alive) {
    const rule = rules[i]!
    if (rule.segments.length > depth) { deeper.push(i); continue }
    if (rule.kind === 'ignore') ignore = true
    else if (rule.kind === 'arrayKey') arrayKey ??= rule.key ?? null
    else unordered = true
  }
  // arrayKeys wins over unordered on the same array: the key says more about identity than order does.
  if (arrayKey !== null) unordered = false

  const byKey = new Map<string, RuleState | null>()
  const byIndex = new Map<number, RuleState | null>()
  const state: RuleState = {
    ignore,
    arrayKey,
    unordered,
    byKey,
    byIndex,
    otherKey: null,
    otherIndex: null
  }
  memo.set(id, state)
  if (ignore) return state

  const wild = deeper.filter((i) => rules[i]!.segments[depth]!.type === 'any')
  for (const i of deeper) {
    const seg = rules[i]!.segments[depth]!
    if (seg.type === 'key' && !byKey.has(seg.name)) {
      byKey.set(seg.name, stateFor(rules, deeper.filter((j) => matches(rules[j]!.segments[depth]!, seg)), depth + 1, memo))
    } else if (seg.type === 'index' && !byIndex.has(seg.index)) {
      byIndex.set(seg.index, stateFor(rules, deeper.filter((j) => matches(rules[j]!.segments[depth]!, seg)), depth + 1, memo))
    }
  }
  state.otherKey = state.otherIndex = stateFor(rules, wild, depth + 1, memo)
  return state
}

function matches (seg: PatternSegment, literal: PatternSegment): boolean {
  if (seg.type === 'any') return true
  if (seg.type === 'key') return literal.type === 'key' && literal.name === seg.name
  return literal.type === 'index' && literal.index === seg.index
}

/** The state of an object's child named `key`. Callers check `state !== null` first. */
export function stepKey (state: RuleState, key: string): RuleState | null {
  if (state.byKey.size === 0) return state.otherKey
  const next = state.byKey.get(key)
  return next === undefined ? state.otherKey : next
}

export function stepIndex (state: RuleState, index: number): RuleState | null {
  if (state.byIndex.size === 0) return state.otherIndex
  const next = state.byIndex.get(index)
  return next === undefined ? state.otherIndex : next
}
