// The machine a result was measured on: a figure without it is not a result (DESIGN.md principle 6).
import os from 'node:os'
import type { NginxProbe } from './nginx.ts'

export function machineLines (loadTool: string, toolNotes: string[], nginx: NginxProbe): string[] {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() ?? 'unknown cpu'
  return [
    `- date: ${new Date().toISOString()}`,
    `- cpu: ${model}, ${cpus.length} logical cores (load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; os: ${os.type()} ${os.release()} ${os.arch()}`,
    `- node: ${process.version} (every Node process of the benchmark runs on this one)`,
    `- load generator: ${loadTool} [${toolNotes.join('; ')}]`,
    `- nginx: ${'missing' in nginx ? nginx.missing : `${nginx.version} at ${nginx.bin}${nginx.hasMirror ? '' : ' (built without the mirror module)'}`}`
  ]
}
