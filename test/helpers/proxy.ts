// Starts shadowsplit in-process on ephemeral loopback ports, with logs captured for assertions.
import { Writable } from 'node:stream'
import { loadConfig } from '../../src/config/load.ts'
import { startApp } from '../../src/app.ts'
import type { App } from '../../src/app.ts'
import { createLogger } from '../../src/observe/log.ts'
import { readConfigFile } from '../../src/config/load.ts'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'

export interface TestProxy {
  app: App
  url: string
  adminUrl: string
  logs: Array<Record<string, unknown>>
  stop: () => Promise<void>
}

/**
 * `flags` are CLI flags (without --); `file` is a config object written to a temporary YAML file.
 * Listen addresses default to 127.0.0.1:0 so tests never collide.
 */
export async function startProxy (flags: Record<string, string> = {}, file?: Record<string, unknown>): Promise<TestProxy> {
  const all: Record<string, string | undefined> = { listen: '127.0.0.1:0', 'admin-listen': '127.0.0.1:0', 'log-level': 'debug', ...flags }
  if (file !== undefined) all.config = writeConfig(file)
  const { config } = loadConfig({ flags: all, env: {} })
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write (chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    }
  })
  const app = await startApp(config, { log: createLogger(config.logLevel, sink) })
  return {
    app,
    url: `http://127.0.0.1:${app.address.port}`,
    adminUrl: `http://127.0.0.1:${app.adminAddress.port}`,
    logs,
    stop: async () => { await app.stop() }
  }
}

export function writeConfig (data: Record<string, unknown>, name = 'config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'shadowsplit-test-'))
  const file = join(dir, name)
  writeFileSync(file, name.endsWith('.json') ? JSON.stringify(data) : stringify(data))
  readConfigFile(file)
  return file
}

/** Waits until `check` returns true, polling; fails after `ms`. */
export async function eventually (check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The proxy's /metrics page, as text. */
export async function metricsText (p: { adminUrl: string }): Promise<string> {
  return await (await fetch(`${p.adminUrl}/metrics`)).text()
}

/** Value of one sample in Prometheus text output, or 0 when absent. */
export function metricValue (text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = new Map<string, string>()
    for (const part of (m[3] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) have.set(part[1], part[2])
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[4])
  }
  return sum
}
