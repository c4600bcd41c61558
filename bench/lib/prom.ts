// A minimal Prometheus text-format scraper: enough to diff shadowsplit's counters around a run.
import { httpText } from './net.ts'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseMetrics (text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    out.push({ name: m[1] as string, labels, value: Number(m[3]) })
  }
  return out
}

export async function scrape (url: string): Promise<Sample[]> {
  const r = await httpText(url)
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`)
  return parseMetrics(r.body)
}

/** Sum of `name` over the samples whose labels include every pair in `where`. */
export function sumOf (samples: Sample[], name: string, where: Record<string, string> = {}): number {
  let total = 0
  for (const s of samples) {
    if (s.name !== name) continue
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value
  }
  return total
}

/** `name` summed per value of `label`. */
export function byLabel (samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of samples) {
    if (s.name !== name) continue
    const key = s.labels[label] ?? ''
    out[key] = (out[key] ?? 0) + s.value
  }
  return out
}

export function diffCounts (after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0)
    if (d !== 0) out[k] = d
  }
  return out
}
