// Text bodies, line by line, each line its own path (`body:line:N`) so that a noisy line (a timestamp, a host
// name) is learnt as noise without masking a real change on another line. With equal line counts every
// differing line is reported (up to MAX_LINES); when the counts differ, lines after the first difference are
// usually shifted copies, so only the first differing line is reported. CRLF and LF endings count as equal.

import type { DifferenceList } from './difference-list.ts'
import { truncate } from './serialize-json.ts'

export const TEXT_PATH_PREFIX = 'body:line:'
const MAX_LINES = 20

export function compareText (a: string, b: string, out: DifferenceList): void {
  if (a === b) return
  const sameCount = lineCount(a) === lineCount(b)
  let reported = 0
  let posA = 0
  let posB = 0
  for (let line = 1; ; line++) {
    const endA = lineEnd(a, posA)
    const endB = lineEnd(b, posB)
    if (endA < 0 && endB < 0) return
    if (endA < 0 || endB < 0 || lineText(a, posA, endA) !== lineText(b, posB, endB)) {
      report(a, b, line, endA < 0 ? null : lineText(a, posA, endA), endB < 0 ? null : lineText(b, posB, endB), out)
      if (!sameCount || ++reported >= MAX_LINES) return
    }
    posA = endA + 1
    posB = endB + 1
  }
}

/** Index of the line's terminating '\n' (or the text length for the last line); -1 past the last line. */
function lineEnd (text: string, pos: number): number {
  if (pos > text.length) return -1
  const nl = text.indexOf('\n', pos)
  return nl < 0 ? text.length : nl
}

function lineText (text: string, start: number, end: number): string {
  return end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)
}

function report (a: string, b: string, line: number, la: string | null, lb: string | null, out: DifferenceList): void {
  const countA = lineCount(a)
  const countB = lineCount(b)
  const counts = countA !== countB
  const change = la === null ? 'added' : lb === null ? 'removed' : 'changed'
  out.body(`${TEXT_PATH_PREFIX}${line}`, `line ${line}`, change, 'value', render(la, countA, counts), render(lb, countB, counts))
}

function render (line: string | null, count: number, counts: boolean): string {
  if (line === null) return `(no such line; ${count} lines)`
  const text = truncate(JSON.stringify(line))
  return counts ? `${text} (${count} lines)` : text
}

function lineCount (text: string): number {
  let n = 1
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}
