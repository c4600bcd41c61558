// pino on stdout, asynchronous so that logging never waits on the terminal or a pipe.
import { pino } from 'pino'
import type { DestinationStream, Logger } from 'pino'
import { redactLogLine } from './redact.ts'

export type { Logger }

/** A logger on `destination` (default: stdout, asynchronous). */
export function createLogger (level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { name: 'shadowsplit' },
    formatters: { log: redactLogLine },
    timestamp: pino.stdTimeFunctions.isoTime
  }, destination ?? pino.destination({ dest: 1, sync: false }))
}

/** Writes what is buffered; call before exiting. */
export function flushLogger (log: Logger): void {
  try { log.flush() } catch { /* the destination may already be closed */ }
}
