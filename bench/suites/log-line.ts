// Suite log-line: main-thread CPU per log line, in process. With the defaults (log level info,
// compare.logDivergences) every divergent exchange writes one line, and with accessLog every request does, so a
// line's cost is paid at request rate. Measured: the proxy's logger (src/observe/log.ts, secret headers redacted by
// its `formatters.log`), the same pino options without any redaction (the floor), and pino's own `redact` with the
// wildcard paths the proxy used before 2026-12-02 (context). Rounds alternate the loggers; medians are reported.
// Bar: the proxy's logger costs at most 1.25× the floor, for the divergence line and for the access line.
// Second part, the write path: divergence lines at a steady ~4,000/s (4 per 1 ms timer tick) into /dev/null through
// an asynchronous pino destination as the proxy configures it (buffered: BUFFER_BYTES, FLUSH_MS) and unbuffered (one
// write per line, as before 2026-12-02), process CPU (every thread) per line less a run of the same timer writing
// nothing. Bar: buffered ≤ 0.8× unbuffered.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { BUFFER_BYTES, FLUSH_MS, createLogger, logDestination, loggerOptions } from '../../src/observe/log.ts'
import { SECRET_HEADERS, REDACTED } from '../../src/observe/redact.ts'
import { markdownTable, median } from '../lib/stats.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'

const BAR = 1.25
const WRITE_BAR = 0.8
const PACED_MS = 2000
const LINES_PER_TICK = 4
const LINES_PER_ROUND = 50_000

/** Drops what it is given: what is measured is the logger, not a terminal or a disk. */
function sink (): Writable {
  return new Writable({ write (_c, _e, cb) { cb() } })
}

// The proxy's own options without its redaction.
const { formatters: _redaction, ...OPTIONS } = loggerOptions('info')
const LOGGERS: Record<string, () => Logger> = {
  'shadowsplit logger (formatters.log redaction)': () => createLogger('info', sink()),
  'pino, no redaction (floor)': () => pino(OPTIONS, sink()),
  'pino redact, wildcard paths (before 2026-12-02; context)': () => pino({
    ...OPTIONS,
    redact: { paths: SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]), censor: REDACTED }
  }, sink())
}

// The two lines written at request rate, with the fields the proxy gives them (src/compare/pipeline.ts, src/proxy/proxy.ts).
const LINES: Record<string, (log: Logger, i: number) => void> = {
  divergence: (log, i) => log.info({
    endpoint: '/users/:id', route: 'users', method: 'GET', path: `/users/${i}`, class: 'value', status: [200, 200], paths: ['$.items[*].price', '$.total']
  }, 'divergence'),
  access: (log, i) => log.info({
    method: 'GET', path: `/users/${i}`, endpoint: '/users/:id', served: 'primary', status: 200, ms: 3, client: '10.0.0.7', complete: true
  }, 'access')
}

function cpuMicros (): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

const WRITE_PATHS: Record<string, (() => Logger) | null> = {
  'timer alone, nothing logged (subtracted)': null,
  [`buffered (minLength ${BUFFER_BYTES}, periodicFlush ${FLUSH_MS} ms; the proxy's)`]: () =>
    pino(loggerOptions('info'), logDestination({ dest: '/dev/null' })),
  'unbuffered (minLength 0; before 2026-12-02)': () => pino(loggerOptions('info'), pino.destination({ dest: '/dev/null', sync: false }))
}

/** Process CPU µs per tick-line over PACED_MS of timer ticks that each write LINES_PER_TICK lines (or none). */
async function paced (log: Logger | null): Promise<number> {
  let lines = 0
  const t = cpuMicros()
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      for (let i = 0; i < LINES_PER_TICK; i++) {
        if (log !== null) LINES.divergence!(log, lines)
        lines++
      }
    }, 1)
    setTimeout(() => { clearInterval(tick); resolve() }, PACED_MS)
  })
  log?.flush()
  return (cpuMicros() - t) / lines
}

async function writePath (rounds: number): Promise<{ rows: string[][]; verdict: Verdict }> {
  const names = Object.keys(WRITE_PATHS)
  const loggers = names.map((n) => WRITE_PATHS[n]?.() ?? null)
  const per = names.map((): number[] => [])
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => i)
    if (r % 2 === 1) order.reverse()
    for (const i of order) per[i]!.push(await paced(loggers[i]!))
  }
  const base = per[0]!
  // Per round, less that round's timer-alone figure.
  const net = per.map((xs) => xs.map((x, r) => x - base[r]!))
  const rows = names.map((n, i) => [n, `${median(per[i]!).toFixed(2)} µs`, i === 0 ? '' : `${median(net[i]!).toFixed(2)} µs`, per[i]!.map((x) => x.toFixed(2)).join(', ')])
  const ratio = median(net[1]!.map((b, r) => b / net[2]![r]!))
  return {
    rows,
    verdict: {
      bar: `divergence lines at ~4,000/s through the proxy's buffered destination cost the process (every thread) ≤ ${WRITE_BAR}× the CPU of unbuffered writes`,
      status: ratio <= WRITE_BAR ? 'PASS' : 'FAIL',
      detail: `${ratio.toFixed(2)}× (median of per-round ratios; ${median(net[1]!).toFixed(2)} against ${median(net[2]!).toFixed(2)} µs a line)`
    }
  }
}

export async function logLineSuite (ctx: SuiteContext): Promise<SuiteReport> {
  const rounds = Math.max(3, ctx.rounds)
  const loggers = Object.fromEntries(Object.entries(LOGGERS).map(([name, make]) => [name, make()]))
  const perLine = new Map<string, number[]>()
  for (let r = 0; r < rounds + 1; r++) {
    const order = Object.keys(loggers)
    if (r % 2 === 1) order.reverse()
    for (const [line, write] of Object.entries(LINES)) {
      for (const name of order) {
        const log = loggers[name]!
        const t = cpuMicros()
        for (let i = 0; i < LINES_PER_ROUND; i++) write(log, i)
        const us = (cpuMicros() - t) / LINES_PER_ROUND
        // Round 0 warms the JIT up and is not counted.
        if (r > 0) perLine.set(`${line}|${name}`, [...(perLine.get(`${line}|${name}`) ?? []), us])
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  ctx.progress(`log-line: ${rounds} rounds of ${LINES_PER_ROUND} lines per logger and line`)
  const [ours, floor] = Object.keys(LOGGERS)
  const rows: string[][] = []
  const verdicts: Verdict[] = []
  for (const line of Object.keys(LINES)) {
    const floorUs = median(perLine.get(`${line}|${floor}`)!)
    for (const name of Object.keys(LOGGERS)) {
      const us = perLine.get(`${line}|${name}`)!
      rows.push([line, name, `${median(us).toFixed(2)} µs`, `${(median(us) / floorUs).toFixed(2)}×`, us.map((u) => u.toFixed(2)).join(', ')])
    }
    const ratio = median(perLine.get(`${line}|${ours}`)!) / floorUs
    verdicts.push({
      bar: `the proxy's logger writes ${line === 'access' ? 'an' : 'a'} ${line} line for ≤ ${BAR}× the CPU of pino without redaction`,
      status: ratio <= BAR ? 'PASS' : 'FAIL',
      detail: `${ratio.toFixed(2)}× (${median(perLine.get(`${line}|${ours}`)!).toFixed(2)} against ${floorUs.toFixed(2)} µs a line)`
    })
  }
  ctx.progress(`log-line: the write path, ${rounds} rounds of ${PACED_MS / 1000} s per destination`)
  const wp = await writePath(rounds)
  verdicts.push(wp.verdict)
  const markdown = [
    `Main-thread CPU (\`process.cpuUsage()\`) per line, ${LINES_PER_ROUND.toLocaleString('en-US')} lines per logger, line and round, ${rounds} rounds ` +
      'after one for warm-up, loggers alternated; every logger writes into a stream that drops the bytes, so this is the cost of building the line.',
    '',
    markdownTable(['line', 'logger', 'CPU per line (median)', 'vs no redaction', 'per round'], rows),
    '',
    `The write path: divergence lines, ${LINES_PER_TICK} per 1 ms timer tick for ${PACED_MS / 1000} s per destination and round (about 4,000 a second; ` +
      'the timer itself is late now and then), into /dev/null; process CPU, every thread, per line; destinations alternated.',
    '',
    markdownTable(['destination', 'process CPU per line (median)', 'less the timer alone', 'per round'], wp.rows)
  ].join('\n')
  return { title: 'log-line', markdown, verdicts }
}
