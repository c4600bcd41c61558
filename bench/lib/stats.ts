// Medians and formatting. Medians, not means: on a shared, noisy machine one disturbed run must not move a figure.
export function median (values: number[]): number {
  return quantile(values, 0.5)
}

/** The q-quantile (0 ≤ q ≤ 1), interpolated between the two nearest values; the median at 0.5. */
export function quantile (values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, s.length - 1)
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (h - lo)
}

/** Per-round ratios a[i]/b[i]: the two runs of a round are minutes apart at most, so drift cancels. */
export function roundRatios (a: number[], b: number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) out.push((a[i] as number) / (b[i] as number))
  return out
}

/** Spread of a series around its median, in percent: how much to trust the median. */
export function spreadPct (values: number[]): number {
  const m = median(values)
  return m === 0 || values.length < 2 ? 0 : ((Math.max(...values) - Math.min(...values)) / m) * 100
}

export function fmtInt (n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
}

export function fmtMs (ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 100) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(0)} ms`
}

export function fmtRatio (r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a'
}

export function fmtPct (p: number): string {
  return Number.isFinite(p) ? `${p.toFixed(1)} %` : 'n/a'
}

export function markdownTable (headers: string[], rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => esc(r[i] ?? '').length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => esc(c).padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
