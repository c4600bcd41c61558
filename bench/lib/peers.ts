// Starts the Node peers (bench/peers/*.ts) as child processes on a free port.
import { fileURLToPath } from 'node:url'
import { startProcess } from './processes.ts'
import type { Managed } from './processes.ts'
import { freePort, waitForPort, HOST } from './net.ts'

export interface RunningPeer {
  proc: Managed
  url: string
  stop: () => Promise<void>
}

export async function startNodePeer (name: string, script: string, args: string[]): Promise<RunningPeer> {
  const port = await freePort()
  const file = fileURLToPath(new URL(`../peers/${script}`, import.meta.url))
  const proc = startProcess(name, process.execPath, [file, '--port', String(port), ...args])
  await waitForPort(port, proc)
  return { proc, url: `http://${HOST}:${port}`, stop: async () => { await proc.stop() } }
}
