// Throughput of the comparison engine, single thread, on JSON pairs that differ in one field.
//   node_modules/.bin/node bench/compare.ts [--rounds N] [--ms M]
// The bar: compareSides at 20 KB does at least 0.6× the pairs/s of JSON.parse of both bodies alone, where
// "alone" means UTF-8 bytes → text → JSON.parse for each side (the least any structural comparison of the
// captured bytes must do). Rounds interleave the measures so drift hits them all alike; medians are reported.

import os from 'node:os'
import { parseArgs } from 'node:util'
import { diff } from 'json-diff-ts'
import { changeset, compareSides, compileRules } from '../src/compare/compare-sides.ts'
import type { CompiledRules, SideInput } from '../src/compare/compare-sides.ts'
import { rng } from './lib/rng.ts'

export interface CompareBenchRow {
  size: string
  measure: string
  /** Median pairs per second over the rounds. */
  pairsPerSec: number
  /** Median of per-round ratios to parse-alone at the same size. */
  vsParse: number
  rounds: number[]
}

export interface CompareBenchResult {
  rows: CompareBenchRow[]
  ratio20k: number
  pass: boolean
  markdown: string
}

export interface CompareBenchOptions {
  rounds?: number
  /** Milliseconds per measure per round. */
  ms?: number
}

const BAR = 0.6
const PAIRS = 16

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']

function item (r: () => number, id: number): Record<string, unknown> {
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)]!
  return {
    id,
    sku: `SKU-${Math.floor(r() * 1e6)}`,
    name: `${word()} ${word()} ${word()}`,
    price: Math.round(r() * 100_000) / 100,
    currency: 'EUR',
    inStock: r() > 0.3,
    tags: [word(), word(), word()],
    dimensions: { w: Math.round(r() * 100), h: Math.round(r() * 100), d: Math.round(r() * 100), unit: 'cm' },
    seller: { id: Math.floor(r() * 1e5), name: `${word()} GmbH`, rating: Math.round(r() * 50) / 10 },
    updatedAt: new Date(1_700_000_000_000 + Math.floor(r() * 1e10)).toISOString()
  }
}

/** A listing response of about `targetBytes`, and a copy with one price changed in the middle. */
export function makeJsonPair (targetBytes: number, seed: number): [string, string] {
  const r = rng(seed)
  const doc = {
    meta: { requestId: `req-${seed}`, generatedAt: '2025-01-01T00:00:00.000Z', version: 3, region: 'eu-west-1' },
    paging: { page: 1, perPage: 0, total: 0, next: null as string | null },
    items: [] as Array<Record<string, unknown>>
  }
  while (JSON.stringify(doc).length < targetBytes) doc.items.push(item(r, doc.items.length + 1))
  doc.paging.perPage = doc.paging.total = doc.items.length
  const a = JSON.stringify(doc)
  const mid = doc.items[Math.floor(doc.items.length / 2)]!
  mid.price = (mid.price as number) + 1
  return [a, JSON.stringify(doc)]
}

function side (text: string): SideInput {
  const body = new TextEncoder().encode(text)
  return { status: 200, error: null, headers: { 'content-type': 'application/json' }, body, length: body.byteLength, sha256: null }
}

interface Measure { name: string; run: (i: number) => unknown }

function measures (pairs: Array<[SideInput, SideInput]>, rules: CompiledRules, ruled: CompiledRules): Measure[] {
  const decoder = new TextDecoder()
  const parsed = pairs.map(([a, b]) => [JSON.parse(decoder.decode(a.body!)), JSON.parse(decoder.decode(b.body!))] as const)
  return [
    { name: 'JSON.parse both (floor)', run: (i) => [JSON.parse(decoder.decode(pairs[i]![0].body!)), JSON.parse(decoder.decode(pairs[i]![1].body!))] },
    { name: 'compareSides', run: (i) => compareSides(pairs[i]![0], pairs[i]![1], rules) },
    { name: 'compareSides + rules', run: (i) => compareSides(pairs[i]![0], pairs[i]![1], ruled) },
    { name: 'json-diff-ts diff (pre-parsed)', run: (i) => diff(parsed[i]![0], parsed[i]![1]) },
    { name: 'changeset', run: (i) => changeset(pairs[i]![0], pairs[i]![1], rules) }
  ]
}

function pairsPerSec (m: Measure, ms: number): number {
  let n = 0
  let sink = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    // Check the clock every few pairs so reading it does not weigh on the 1 KB figures.
    for (let k = 0; k < 8; k++) {
      const out = m.run(n % PAIRS)
      if (Array.isArray(out)) sink += out.length
      n++
    }
    now = performance.now()
  }
  if (sink < 0) console.log(sink)
  return (n * 1000) / (now - start)
}

function median (xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export async function runCompareBench (options: CompareBenchOptions = {}): Promise<CompareBenchResult> {
  const rounds = Math.max(1, Math.floor(options.rounds ?? 7))
  const ms = Math.max(50, options.ms ?? 400)
  const rules = compileRules({})
  const ruled = compileRules({ ignore: ['$.meta.requestId', '$.items[*].updatedAt', 'header:x-trace'], arrayKeys: { '$.items': 'id' }, unordered: ['$.items[*].tags'] })
  const rows: CompareBenchRow[] = []
  for (const [size, bytes] of [['1 KB', 1024], ['20 KB', 20 * 1024]] as const) {
    const pairs = Array.from({ length: PAIRS }, (_, i) => makeJsonPair(bytes, i + 1)).map(([a, b]) => [side(a), side(b)] as [SideInput, SideInput])
    const list = measures(pairs, rules, ruled)
    for (const m of list) pairsPerSec(m, ms / 2) // warm-up: let V8 optimise every path before measuring
    const samples = list.map(() => [] as number[])
    for (let r = 0; r < rounds; r++) list.forEach((m, i) => samples[i]!.push(pairsPerSec(m, ms)))
    list.forEach((m, i) => rows.push({
      size,
      measure: m.name,
      pairsPerSec: median(samples[i]!),
      vsParse: median(samples[i]!.map((v, r) => v / samples[0]![r]!)),
      rounds: samples[i]!
    }))
    await new Promise((resolve) => setImmediate(resolve))
  }
  const ratio20k = rows.find((r) => r.size === '20 KB' && r.measure === 'compareSides')!.vsParse
  const pass = ratio20k >= BAR
  return { rows, ratio20k, pass, markdown: table(rows, rounds, ms, ratio20k, pass) }
}

function table (rows: CompareBenchRow[], rounds: number, ms: number, ratio20k: number, pass: boolean): string {
  const cpus = os.cpus()
  const cpu = `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} CPUs)`
  const lines = [
    `compareSides vs JSON.parse, single thread — node ${process.version}, ${cpu}; ${rounds} rounds × ${ms} ms, medians`,
    '',
    '| size | measure | pairs/s | vs parse |',
    '|---|---|---:|---:|',
    ...rows.map((r) => `| ${r.size} | ${r.measure} | ${Math.round(r.pairsPerSec).toLocaleString('en-US')} | ${r.vsParse.toFixed(2)}× |`),
    '',
    `compareSides / parse-alone at 20 KB: ${ratio20k.toFixed(2)}× — bar ${BAR}×: ${pass ? 'PASS' : 'FAIL'}`
  ]
  return lines.join('\n')
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, ms: { type: 'string' } } })
  const result = await runCompareBench({
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    ms: values.ms === undefined ? undefined : Number(values.ms)
  })
  console.log(result.markdown)
  process.exitCode = result.pass ? 0 : 1
}
