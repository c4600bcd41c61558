#!/usr/bin/env node
// Launcher: runs the TypeScript sources with Node's type stripping. Node >= 22.18 (or 23.6) strips types by
// default, 22.12-22.17 need a flag, and an older Node hands over to the project's pinned Node 24 when present.
//
// It also starts Node with V8 heap flags for a proxy's allocation pattern (measured with `--trace-gc` at a
// fixed 3,800 req/s, 20 KB bodies; README "Memory and garbage collection"). Every socket read allocates an
// ArrayBuffer, and by default V8 answers each 64 MB of them with a full mark-compact: 40-70 per 10 s in
// pass-through alone, each a 2-9 ms pause and the main source of client p99. And once a few exchanges live long
// (a sample being built, a queued comparison) V8 pretenures their allocation sites, after which every exchange is
// allocated straight into old space. The sizes shrink to fit a container's memory limit (heap-flags.js).
// SHADOWSPLIT_NODE_FLAGS replaces the list (empty: none).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { availableMemory, heapFlags } from './heap-flags.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
const [major, minor] = process.versions.node.split('.').map(Number)
const native = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)

const HEAP_FLAGS = heapFlags(availableMemory())
const envFlags = process.env.SHADOWSPLIT_NODE_FLAGS
const nodeFlags = envFlags === undefined ? HEAP_FLAGS : envFlags.split(/\s+/).filter((f) => f !== '')
// Set on the re-executed process, so that it does not re-execute again.
const MARK = 'SHADOWSPLIT_NODE_FLAGS_APPLIED'

function handOver (node, flags) {
  const child = spawn(node, [...flags, cli, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [MARK]: '1' } })
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
}

if (native) {
  if (nodeFlags.length === 0 || process.env[MARK] === '1') {
    delete process.env[MARK]
    await import(cli)
  } else if (typeof process.execve === 'function') {
    // Same process (pid, signals, stdio), new Node with the flags: nothing stays behind to forward signals.
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...nodeFlags, cli, ...process.argv.slice(2)], { ...process.env, [MARK]: '1' })
  } else {
    handOver(process.execPath, [...process.execArgv, ...nodeFlags])
  }
} else if (major === 22 && minor >= 12) {
  handOver(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', ...nodeFlags])
} else if (existsSync(pinned)) {
  handOver(pinned, nodeFlags)
} else {
  process.stderr.write(`shadowsplit: needs Node.js >= 22.12 (this is ${process.version}); run \`npm ci\` to get the pinned Node 24\n`)
  process.exit(2)
}
