// Suite log-line: main-thread CPU per log line, in process. With the defaults (log level info,
// compare.logDivergences) every divergent exchange writes one line, and with accessLog every request does, so a
// line's cost is paid at request rate. Measured: the proxy's logger (src/observe/log.ts, secret headers redacted by
// its `formatters.log`), the same pino options without any redaction (the floor), and pino's own `redact` with the
// wildcard paths the proxy used before 2026-12-02 (context). Rounds alternate the loggers; medians are reported.
// Bar: the proxy's logger costs at most 1.25× the floor, for the divergence line and for the access line.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { createLogger } from '../../src/observe/log.ts'
import { SECRET_HEADERS, REDACTED } from '../../src/observe/redact.ts'
import { markdownTable, median } from '../lib/stats.ts'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'

const BAR = 1.25
const LINES_PER_ROUND = 50_000

/** Drops what it is given: what is measured is the logger, not a terminal or a disk. */
function sink (): Writable {
  return new Writable({ write (_c, _e, cb) { cb() } })
}

const OPTIONS = { level: 'info', base: { name: 'shadowsplit' }, timestamp: pino.stdTimeFunctions.isoTime }
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
  const markdown = [
    `Main-thread CPU (\`process.cpuUsage()\`) per line, ${LINES_PER_ROUND.toLocaleString('en-US')} lines per logger, line and round, ${rounds} rounds ` +
      'after one for warm-up, loggers alternated; every logger writes into a stream that drops the bytes, so this is the cost of building the line.',
    '',
    markdownTable(['line', 'logger', 'CPU per line (median)', 'vs no redaction', 'per round'], rows)
  ].join('\n')
  return { title: 'log-line', markdown, verdicts }
}
