// Child processes of a benchmark: each runs in its own process group so that a proxy's workers (nginx) or
// grandchildren die with it, and every group is killed when the harness ends, however it ends (Ctrl-C, error).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'

const TAIL_BYTES = 8192
const STOP_GRACE_MS = 2000

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Managed {
  readonly name: string
  /** Process id, which is also the process-group id (the child leads its own group). */
  readonly pid: number
  readonly child: ChildProcess
  readonly exited: Promise<ExitInfo>
  hasExited: () => boolean
  /** How it ended ("exit code 1", "signal SIGKILL"), or null while it runs. */
  howExited: () => string | null
  /** The last bytes the process wrote on stdout and stderr, for error messages. */
  output: () => string
  stop: () => Promise<void>
}

const running = new Set<Managed>()
const scratchDirs = new Set<string>()
let hooksInstalled = false

/** A scratch directory (nginx prefix) removed when the harness exits, however it exits. */
export function removeOnExit (dir: string): () => void {
  scratchDirs.add(dir)
  return () => {
    scratchDirs.delete(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

function killGroup (pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal) } catch { /* already gone */ }
}

function installHooks (): void {
  if (hooksInstalled) return
  hooksInstalled = true
  // 'exit' handlers must be synchronous, so the last resort is SIGKILL with no grace period.
  process.on('exit', () => {
    for (const m of running) killGroup(m.pid, 'SIGKILL')
    for (const d of scratchDirs) rmSync(d, { recursive: true, force: true })
  })
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    process.stderr.write(`\nbench: ${signal}, stopping ${running.size} child process group(s)\n`)
    for (const m of running) killGroup(m.pid, 'SIGKILL')
    process.exit(code)
  }
  process.on('SIGINT', () => onSignal('SIGINT', 130))
  process.on('SIGTERM', () => onSignal('SIGTERM', 143))
  process.on('SIGHUP', () => onSignal('SIGHUP', 129))
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Called with each stdout chunk; output is kept in the tail either way. */
  onStdout?: (chunk: Buffer) => void
}

export function startProcess (name: string, command: string, args: string[], options: StartOptions = {}): Managed {
  installHooks()
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd
  })
  let tail = ''
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES)
  }
  child.stdout?.on('data', (chunk: Buffer) => { keep(chunk); options.onStdout?.(chunk) })
  child.stderr?.on('data', keep)
  let done = false
  let how: string | null = null
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => { done = true; how = `spawn failed: ${err.message}`; resolve({ code: null, signal: null }) })
    child.once('exit', (code, signal) => { done = true; how = signal === null ? `exit code ${code}` : `signal ${signal}`; resolve({ code, signal }) })
  })
  if (child.pid === undefined) {
    // spawn failed synchronously (ENOENT arrives as an 'error' event): give a Managed that is already dead.
    done = true
  }
  const pid = child.pid ?? -1
  const managed: Managed = {
    name,
    pid,
    child,
    exited,
    hasExited: () => done,
    howExited: () => how,
    output: () => tail,
    stop: async () => {
      running.delete(managed)
      if (done || pid < 0) return
      killGroup(pid, 'SIGTERM')
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(timer)
      // The leader may go first; workers it leaves behind (nginx) still share the group.
      killGroup(pid, 'SIGKILL')
    }
  }
  if (pid > 0) running.add(managed)
  // A leader that dies on its own may leave workers behind in its group: reap them too.
  void exited.then(() => { running.delete(managed); if (pid > 0) killGroup(pid, 'SIGKILL') })
  return managed
}

export async function stopAll (): Promise<void> {
  await Promise.all([...running].map(async (m) => { await m.stop() }))
}

export interface Completed {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion (the load generator), registered so that Ctrl-C also stops it. */
export async function runToCompletion (name: string, command: string, args: string[], timeoutMs: number): Promise<Completed> {
  installHooks()
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  const pid = child.pid ?? -1
  const handle: Managed = {
    name, pid, child, exited: Promise.resolve({ code: null, signal: null }), hasExited: () => true, howExited: () => null, output: () => '', stop: async () => {}
  }
  if (pid > 0) running.add(handle)
  const timer = setTimeout(() => { if (pid > 0) killGroup(pid, 'SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (e) => { err.push(Buffer.from(e.message)); resolve(null) })
    child.once('close', (c) => resolve(c))
  })
  clearTimeout(timer)
  running.delete(handle)
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
}
