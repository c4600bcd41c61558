// pino on stdout, asynchronous so that logging never waits on the terminal or a pipe.
import { pino } from 'pino'
import type { Logger } from 'pino'
import { LOG_REDACT_PATHS, REDACTED } from './redact.ts'

export type { Logger }

export function createLogger (level: string, destination: number | string = 1): Logger {
  const dest = pino.destination({ dest: destination, sync: false, minLength: 0 })
  return pino({
    level,
    base: { name: 'shadowsplit' },
    redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime
  }, dest)
}

/** Writes what is buffered; call before exiting. */
export function flushLogger (log: Logger): void {
  try { log.flush() } catch { /* the destination may already be closed */ }
}
