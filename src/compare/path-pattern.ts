// Parses the JSON path patterns of the compare rules. The grammar is a small, linear subset of JSONPath:
//   $                    the root
//   .name  ["a.b"]       an object key (bracketed with double or single quotes when it is not an identifier)
//   [3]                  one array index
//   .*  [*]              any one child: any object key or any array element
// No recursive descent (`..`) and no filters: every pattern matches at exactly one depth, which is what lets
// rule-states.ts turn a set of patterns into a small automaton that is cheap to step per node.

export type PatternSegment =
  | { type: 'key'; name: string }
  | { type: 'index'; index: number }
  | { type: 'any' }

const IDENT_CHAR = /[^.[\]\s]/

export function parsePathPattern (pattern: string): PatternSegment[] {
  if (!pattern.startsWith('$')) throw invalid(pattern, 0, 'must start with $')
  const segments: PatternSegment[] = []
  let i = 1
  while (i < pattern.length) {
    const ch = pattern[i]
    if (ch === '.') {
      i++
      if (pattern[i] === '*') {
        segments.push({ type: 'any' })
        i++
        continue
      }
      const start = i
      while (i < pattern.length && IDENT_CHAR.test(pattern[i]!)) i++
      if (i === start) throw invalid(pattern, i, 'expected a key after "."')
      segments.push({ type: 'key', name: pattern.slice(start, i) })
    } else if (ch === '[') {
      const close = bracketEnd(pattern, i)
      segments.push(parseBracket(pattern, i + 1, close))
      i = close + 1
    } else {
      throw invalid(pattern, i, `unexpected "${ch}"`)
    }
  }
  return segments
}

function bracketEnd (pattern: string, open: number): number {
  const quote = pattern[open + 1]
  if (quote === '"' || quote === "'") {
    for (let i = open + 2; i < pattern.length; i++) {
      if (pattern[i] === '\\') { i++; continue }
      if (pattern[i] === quote) {
        if (pattern[i + 1] !== ']') throw invalid(pattern, i + 1, 'expected "]" after the quoted key')
        return i + 1
      }
    }
    throw invalid(pattern, open, 'unterminated quoted key')
  }
  const close = pattern.indexOf(']', open)
  if (close < 0) throw invalid(pattern, open, 'unterminated "["')
  return close
}

function parseBracket (pattern: string, from: number, to: number): PatternSegment {
  const inner = pattern.slice(from, to)
  if (inner === '*') return { type: 'any' }
  if (/^(0|[1-9][0-9]*)$/.test(inner)) return { type: 'index', index: Number(inner) }
  const quote = inner[0]
  if (quote !== '"' && quote !== "'") throw invalid(pattern, from, `"[${inner}]" is not [*], [N] or a quoted key`)
  // Single-quoted keys follow JSON escaping too; only the quote character differs.
  const json = quote === '"' ? inner : `"${inner.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`
  try {
    return { type: 'key', name: JSON.parse(json) as string }
  } catch {
    throw invalid(pattern, from, `bad escape in ${inner}`)
  }
}

function invalid (pattern: string, at: number, why: string): Error {
  return new Error(`compare rules: invalid path "${pattern}" at character ${at}: ${why}`)
}
