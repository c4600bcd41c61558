// Per-route rules compiled once and reused for every comparison of that route: path patterns become one
// automaton (rule-states.ts), header names one Set.

import { DEFAULT_IGNORED_HEADERS } from './compare-headers.ts'
import { DEFAULT_MAX_DECODED_BYTES } from './decode-body.ts'
import { DEFAULT_MAX_DIFFERENCES } from './difference-list.ts'
import { parsePathPattern } from './path-pattern.ts'
import { buildRuleStates } from './rule-states.ts'
import type { PathRule, RuleState } from './rule-states.ts'
import type { CompareRulesConfig } from './types.ts'

export interface CompareLimits {
  /** Differences returned per comparison; the rest are counted. Default 100. */
  maxDifferences?: number
  /** Bound on a decoded body; a larger one is `undecodable`. Default 64 MiB. */
  maxDecodedBytes?: number
}

export interface CompiledRules {
  /** The JSON path rules as an automaton; null when the route has none. */
  readonly json: RuleState | null
  readonly ignoredHeaders: ReadonlySet<string>
  readonly numericTolerance: number
  readonly maxDifferences: number
  readonly maxDecodedBytes: number
}

const HEADER_PREFIX = 'header:'

export function compileRules (config: Partial<CompareRulesConfig>, limits: CompareLimits = {}): CompiledRules {
  const tolerance = config.numericTolerance ?? 0
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new Error(`compare rules: numericTolerance must be a finite number >= 0, got ${tolerance}`)

  const ignoredHeaders = new Set(DEFAULT_IGNORED_HEADERS)
  for (const name of config.ignoreHeaders ?? []) ignoredHeaders.add(name.trim().toLowerCase())

  const rules: PathRule[] = []
  for (const entry of config.ignore ?? []) {
    if (entry.startsWith(HEADER_PREFIX)) ignoredHeaders.add(entry.slice(HEADER_PREFIX.length).trim().toLowerCase())
    else rules.push({ kind: 'ignore', segments: parsePathPattern(entry) })
  }
  for (const [path, key] of Object.entries(config.arrayKeys ?? {})) {
    if (typeof key !== 'string' || key === '') throw new Error(`compare rules: arrayKeys["${path}"] must name an element field`)
    rules.push({ kind: 'arrayKey', segments: parsePathPattern(path), key })
  }
  for (const path of config.unordered ?? []) rules.push({ kind: 'unordered', segments: parsePathPattern(path) })

  return {
    json: buildRuleStates(rules),
    ignoredHeaders,
    numericTolerance: tolerance,
    maxDifferences: positive(limits.maxDifferences ?? DEFAULT_MAX_DIFFERENCES, 'maxDifferences'),
    maxDecodedBytes: positive(limits.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES, 'maxDecodedBytes')
  }
}

function positive (n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`compare rules: ${name} must be a positive integer, got ${n}`)
  return n
}
