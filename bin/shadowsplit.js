#!/usr/bin/env node
// Launcher: runs the TypeScript sources with Node's type stripping. Node >= 22.18 (or 23.6) strips types by
// default, 22.12-22.17 need a flag, and an older Node hands over to the project's pinned Node 24 when present.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
const [major, minor] = process.versions.node.split('.').map(Number)
const native = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)

function handOver (node, flags) {
  const child = spawn(node, [...flags, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
}

if (native) {
  await import(cli)
} else if (major === 22 && minor >= 12) {
  handOver(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'])
} else if (existsSync(pinned)) {
  handOver(pinned, [])
} else {
  process.stderr.write(`shadowsplit: needs Node.js >= 22.12 (this is ${process.version}); run \`npm ci\` to get the pinned Node 24\n`)
  process.exit(2)
}
