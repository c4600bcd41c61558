// When is a field's difference real? Per endpoint and path we know how often the candidate differed from the
// primary (r of nr compared requests) and how often a second primary differed from the primary (n of nn): the
// noise that the old version produces by itself. A path is reported when the candidate's rate exceeds the
// noise rate with the configured confidence: the lower bound of Newcombe's hybrid score interval for the
// difference of the two proportions (Wilson intervals on each side) must be above zero. Two exceptions follow
// from what noise means: with no secondary data at all every difference is reported, and a path that never
// differed between two primaries cannot be noisy, so a single candidate difference is reported (this is what
// Diffy's absolute threshold hides). Unlike fixed percentage thresholds, the bound tightens with volume: a
// field flaky at 40 % between primaries but different on every candidate response is reported after a few
// dozen requests (Diffy's relative threshold hides 600 vs 400).

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile (p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`)
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  if (p > 1 - low) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

/** Wilson score interval for x successes in n trials. */
export function wilson (x: number, n: number, z: number): [number, number] {
  if (n === 0) return [0, 1]
  const z2 = z * z
  const center = (x + z2 / 2) / (n + z2)
  const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2)
  return [Math.max(0, center - half), Math.min(1, center + half)]
}

/** Lower bound of Newcombe's hybrid score interval for p1 − p2. */
export function differenceLowerBound (x1: number, n1: number, x2: number, n2: number, z: number): number {
  const p1 = x1 / n1
  const p2 = x2 / n2
  const [l1] = wilson(x1, n1, z)
  const [, u2] = wilson(x2, n2, z)
  return p1 - p2 - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
}

export interface PathCounts {
  /** Requests where the candidate differed from the primary at this path. */
  raw: number
  /** Requests where the secondary differed from the primary at this path. */
  noise: number
}

/** True when the path's differences are explained by noise and must not be reported. */
export function isNoise (counts: PathCounts, compared: number, noiseCompared: number, z: number): boolean {
  if (noiseCompared === 0 || counts.noise === 0 || counts.raw === 0) return false
  return differenceLowerBound(counts.raw, compared, counts.noise, noiseCompared, z) <= 0
}
