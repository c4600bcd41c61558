// Turning rounds of samples into table cells and ratio lines, the same way for every suite.
import type { RunSample } from './rounds.ts'
import { fmtInt, fmtMs, fmtPct, fmtRatio, median, roundRatios } from './stats.ts'
import { spreadPct } from './stats.ts'
import os from 'node:os'

const NOISY_SPREAD_PCT = 25

export const STANDARD_HEADERS = ['req/s', 'p50', 'p99', 'req/s spread', 'CPU', 'non-2xx/3xx', 'socket errors', 'timeouts']

export const STANDARD_NOTES = 'Medians over the rounds; *spread* is (max − min) / median of req/s; *CPU* is the share of one core used by ' +
  'the target\'s own process group during the run; error columns are totals over all measured runs.'

export interface Summary {
  rps: number
  p50: number
  p99: number
}

export function summarize<X> (runs: Array<RunSample<X>>): Summary {
  return { rps: median(runs.map((s) => s.load.rps)), p50: median(runs.map((s) => s.load.p50Ms)), p99: median(runs.map((s) => s.load.p99Ms)) }
}

export function standardCells<X> (runs: Array<RunSample<X>>): string[] {
  const s = summarize(runs)
  const cpus = runs.map((r) => r.cpuPct).filter((c): c is number => c !== null)
  const total = (pick: (r: RunSample<X>) => number): string => fmtInt(runs.reduce((a, r) => a + pick(r), 0))
  return [
    fmtInt(s.rps),
    fmtMs(s.p50),
    fmtMs(s.p99),
    fmtPct(spreadPct(runs.map((r) => r.load.rps))),
    cpus.length === 0 ? 'n/a' : `${median(cpus).toFixed(0)} %`,
    total((r) => r.load.badStatus),
    total((r) => r.load.socketErrors),
    total((r) => r.load.timeouts)
  ]
}

export interface Ratio {
  /** Median of the per-round ratios: the figure the bars are judged on. */
  median: number
  text: string
}

/** a/b per round, then the median; the per-round values are printed so nobody has to trust the median blindly. */
export function ratio (a: number[], b: number[]): Ratio {
  const per = roundRatios(a, b)
  const m = median(per)
  const ofMedians = median(a) / median(b)
  return { median: m, text: `${fmtRatio(m)} (per round: ${per.map((r) => r.toFixed(2)).join(', ')}; ratio of medians ${fmtRatio(ofMedians)})` }
}

/** A warning line when some target's req/s moved by more than a quarter between rounds: the box was busy. */
export function noiseNote<X> (all: Array<Array<RunSample<X>>>): string | null {
  const worst = Math.max(0, ...all.map((runs) => spreadPct(runs.map((r) => r.load.rps))))
  if (worst <= NOISY_SPREAD_PCT) return null
  return `- **noisy**: req/s spread up to ${worst.toFixed(0)} % between rounds (load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}); ` +
    'the machine was busy, so treat the verdicts as provisional and rerun with more rounds on a quieter machine.'
}

/** The closing warnings of a suite: a noisy machine, rounds cut short. */
export function warnings<X> (all: Array<Array<RunSample<X>>>, aborted: string | null): string[] {
  const out: string[] = []
  const noise = noiseNote(all)
  if (noise !== null) out.push(noise)
  if (aborted !== null) out.push(`- **aborted**: ${aborted}`)
  return out
}
