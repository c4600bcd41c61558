// Runs the real `shadowsplit` executable as a child process.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/shadowsplit.js', import.meta.url))

export interface CliResult { code: number | null; signal: string | null; stdout: string; stderr: string }

export async function runCli (args: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return await collect(child, timeoutMs)
}

export async function collect (child: ChildProcess, timeoutMs = 10_000): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`shadowsplit did not exit within ${timeoutMs} ms: ${stderr}`)) }, timeoutMs)
    child.on('exit', (code, signal) => { clearTimeout(timer); setImmediate(() => resolve({ code, signal, stdout, stderr })) })
  })
}

export interface Running {
  child: ChildProcess
  port: number
  adminPort: number
  lines: Array<Record<string, unknown>>
  exited: Promise<CliResult>
}

/** Starts `shadowsplit serve` on ephemeral ports and resolves once its start line is logged. */
export async function startCli (args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: Array<Record<string, unknown>> = []
  const exited = collect(child, 60_000)
  let buffer = ''
  return await new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString()
      let i: number
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, i)) as Record<string, unknown>
        buffer = buffer.slice(i + 1)
        lines.push(line)
        if (line.msg === 'shadowsplit started') {
          const port = Number(String(line.listen).split(':').at(-1))
          const adminPort = Number(String(line.admin).split(':').at(-1))
          resolve({ child, port, adminPort, lines, exited })
        }
      }
    })
    void exited.then((r) => reject(new Error(`shadowsplit exited early (${r.code}): ${r.stderr}`)))
  })
}
