// What every suite gets and gives back.
import type { LoadTool } from '../lib/load-result.ts'
import type { NginxProbe } from '../lib/nginx.ts'

export interface SuiteContext {
  rounds: number
  durationS: number
  warmupS: number
  connections: number
  tool: LoadTool
  nginx: NginxProbe
  /** Progress lines (stderr): not part of the report. */
  progress: (line: string) => void
}

export interface Verdict {
  bar: string
  status: 'PASS' | 'FAIL' | 'NOT RUN' | 'INVALID'
  detail: string
}

export interface SuiteReport {
  title: string
  /** Markdown: setup, table, ratio lines. */
  markdown: string
  verdicts: Verdict[]
}

export function verdictLine (v: Verdict): string {
  return `- **${v.status}** ${v.bar}: ${v.detail}`
}
