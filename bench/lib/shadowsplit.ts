// Starts shadowsplit the way an operator would (bin/shadowsplit.js and flags only) and waits for /readyz.
import { fileURLToPath } from 'node:url'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { removeOnExit, startProcess } from './processes.ts'
import type { Managed } from './processes.ts'
import { freePort, waitForHttpOk, HOST } from './net.ts'

const BIN = fileURLToPath(new URL('../../bin/shadowsplit.js', import.meta.url))

export interface ShadowsplitOptions {
  name: string
  primary: string
  candidate?: string
  mode: 'mirror' | 'split' | 'off'
  mirrorPercent?: number
  /** Config file contents (JSON) for what has no flag, e.g. route knobs. */
  config?: Record<string, unknown>
}

export interface RunningShadowsplit {
  proc: Managed
  url: string
  metricsUrl: string
  /** The exact command line, for the report. */
  command: string
  stop: () => Promise<void>
}

export async function startShadowsplit (o: ShadowsplitOptions): Promise<RunningShadowsplit> {
  const port = await freePort()
  const adminPort = await freePort()
  const args = ['--primary', o.primary]
  if (o.candidate !== undefined) args.push('--candidate', o.candidate)
  args.push('--mode', o.mode)
  if (o.mirrorPercent !== undefined) args.push('--mirror-percent', String(o.mirrorPercent))
  args.push('--listen', `${HOST}:${port}`, '--admin-listen', `${HOST}:${adminPort}`, '--log-level', 'warn')
  // The config file goes when the proxy stops (or at exit, if the bench dies first).
  let removeConfig = (): void => {}
  if (o.config !== undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'shadowsplit-bench-config-'))
    removeConfig = removeOnExit(dir)
    const file = path.join(dir, 'config.json')
    writeFileSync(file, JSON.stringify(o.config))
    args.push('--config', file)
  }
  // Same Node as the harness: bin/shadowsplit.js would otherwise pick whatever `node` is on PATH.
  const proc = startProcess(o.name, process.execPath, [BIN, ...args])
  try {
    await waitForHttpOk(`http://${HOST}:${adminPort}/readyz`, proc)
  } catch (err) {
    // The caller may carry on without this target: don't leave a half-started proxy behind.
    await proc.stop()
    removeConfig()
    throw err
  }
  return {
    proc,
    url: `http://${HOST}:${port}`,
    metricsUrl: `http://${HOST}:${adminPort}/metrics`,
    command: `node bin/shadowsplit.js ${args.join(' ')}`,
    stop: async () => { await proc.stop(); removeConfig() }
  }
}
