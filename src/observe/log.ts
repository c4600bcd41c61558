// pino on stdout, asynchronous so that logging never waits on the terminal or a pipe, and buffered: lines leave in
// writes of at least BUFFER_BYTES, or FLUSH_MS after they were logged, warnings and errors at once. Unbuffered, each
// line started its own write through libuv's thread pool (two thread wake-ups), which at a few thousand lines a
// second (a divergence line per request, or accessLog) cost the process about as much again as building the lines
// (`npm run bench -- log-line`). What is buffered is written at exit (pino flushes its destination then).
import { pino } from 'pino'
import type { DestinationStream, Logger } from 'pino'
import { redactLogLine } from './redact.ts'

export type { Logger }

export const BUFFER_BYTES = 4096
export const FLUSH_MS = 250
const WARN = 40

export interface DestinationOptions {
  /** File descriptor or path (default 1, stdout). */
  dest?: number | string
  /** Longest a line waits in the buffer (default FLUSH_MS). */
  flushMs?: number
}

/** pino options every logger of the proxy shares (the log-line bench builds its loggers from them too). */
export function loggerOptions (level: string): pino.LoggerOptions {
  return {
    level,
    base: { name: 'shadowsplit' },
    formatters: { log: redactLogLine },
    timestamp: pino.stdTimeFunctions.isoTime
  }
}

/** Asynchronous and buffered, as the proxy writes its logs (to stdout unless `dest` says otherwise). */
export function logDestination (o: DestinationOptions = {}): DestinationStream {
  return pino.destination({ dest: o.dest ?? 1, sync: false, minLength: BUFFER_BYTES, periodicFlush: o.flushMs ?? FLUSH_MS })
}

/** A logger on `destination` (default: stdout, asynchronous and buffered, warnings and errors written at once). */
export function createLogger (level: string, destination?: DestinationStream, o: DestinationOptions = {}): Logger {
  if (destination !== undefined) return pino(loggerOptions(level), destination)
  return pino({
    ...loggerOptions(level),
    hooks: {
      logMethod (args, method, lvl) {
        method.apply(this, args)
        if (lvl >= WARN) flushLogger(this)
      }
    }
  }, logDestination(o))
}

/** Starts writing what is buffered (asynchronously; pino writes the rest synchronously at exit). */
export function flushLogger (log: Logger): void {
  try { log.flush() } catch { /* the destination may already be closed */ }
}
