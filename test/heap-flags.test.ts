// The launcher's V8 heap flags fit the memory the process may use: in full from 3 GiB, in proportion from 1 GiB,
// and below that only the two that cost no memory (a 512 MiB container got OOM-killed with the full sizes).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { availableMemory, heapFlags } from '../bin/heap-flags.js'

const GIB = 1024 ** 3
const BOOLEANS = ['--external-memory-accounted-in-global-limit', '--no-allocation-site-pretenuring']
const sizes = (flags: string[]): string[] => flags.filter((f) => !BOOLEANS.includes(f))

test('the size flags apply in full from 3 GiB, in proportion from 1 GiB, and not at all below', () => {
  for (const gib of [3, 24]) assert.deepEqual(sizes(heapFlags(gib * GIB)), ['--initial-old-space-size=256', '--max-semi-space-size=32'])
  assert.deepEqual(sizes(heapFlags(1.5 * GIB)), ['--initial-old-space-size=128', '--max-semi-space-size=16'])
  assert.deepEqual(sizes(heapFlags(1 * GIB)), ['--initial-old-space-size=85', '--max-semi-space-size=11'])
  for (const mib of [128, 512, 1023]) assert.deepEqual(heapFlags(mib * 1024 ** 2), BOOLEANS)
})

test('without a memory limit the machine\'s memory counts', () => {
  // Outside a limited cgroup Node reports a constraint of 2^64 or 0; neither is memory this process may use.
  if (process.constrainedMemory() >= totalmem()) assert.equal(availableMemory(), totalmem())
})

// A memory cgroup of 512 MiB (cgroup v1's memory controller, as root); elsewhere there is none to make.
const V1 = '/sys/fs/cgroup/memory'
function cgroupSkip (): string | false {
  if (process.platform !== 'linux') return 'memory cgroups are Linux only'
  try { accessSync(V1, constants.W_OK) } catch { return `${V1} is not writable here (cgroup v1 memory controller, root)` }
  return false
}
const group = `${V1}/shadowsplit-test-${process.pid}`
after(() => { if (existsSync(group)) rmdirSync(group) })

test('inside a 512 MiB memory cgroup the launcher\'s flags leave the sizes to V8', { skip: cgroupSkip() }, () => {
  mkdirSync(group)
  writeFileSync(`${group}/memory.limit_in_bytes`, String(512 * 1024 ** 2))
  const script = "import('./bin/heap-flags.js').then((m) => console.log(JSON.stringify([m.availableMemory(), m.heapFlags(m.availableMemory())])))"
  const out = execFileSync('sh', ['-c', `echo $$ > ${group}/cgroup.procs && exec "$0" -e "$1"`, process.execPath, script], { encoding: 'utf8' })
  const [memory, flags] = JSON.parse(out) as [number, string[]]
  assert.equal(memory, 512 * 1024 ** 2)
  assert.deepEqual(flags, BOOLEANS)
})
