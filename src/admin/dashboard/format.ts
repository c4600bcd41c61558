// How numbers read on the dashboard.

export const DASH = '—'

export function count (n: number): string {
  return n.toLocaleString('en-US')
}

export function percent (share: number | null): string {
  if (share === null) return DASH
  const p = share * 100
  if (p === 0 || p === 100) return `${p} %`
  return `${p < 1 ? p.toPrecision(2) : p.toFixed(1)} %`
}

export function ms (value: number | null): string {
  if (value === null) return DASH
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`
}

export function clock (t: number | string): string {
  const d = new Date(t)
  return d.toLocaleTimeString('en-GB', { hour12: false })
}

/** Candidate slower than the primary by more than a fifth (and a millisecond): worth a look. */
export function slower (primary: number | null, candidate: number | null): boolean {
  return primary !== null && candidate !== null && candidate > primary * 1.2 && candidate - primary > 1
}
