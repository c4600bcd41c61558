// SIGHUP reloads the config file; a bad file is refused and the running configuration stays.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { stringify } from 'yaml'
import { startCli } from './helpers/cli.ts'
import { startUpstream } from './helpers/upstream.ts'
import { writeConfig, eventually } from './helpers/proxy.ts'
import { json } from './helpers/http.ts'

const cleanups: Array<() => Promise<void> | void> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

test('SIGHUP applies a new file, and keeps the old config when the new file is bad', async () => {
  const primary = await startUpstream()
  const candidate = await startUpstream()
  cleanups.push(primary.close, candidate.close)
  const base = { primary: primary.url, candidate: candidate.url, routes: [{ name: 'api', match: { prefix: '/api' }, mirrorPercent: 10 }] }
  const file = writeConfig(base)
  const run = await startCli(['--config', file])
  cleanups.push(() => { run.child.kill('SIGKILL') })
  const routes = async () => (await json(`http://127.0.0.1:${run.adminPort}/api/routes`)).body as Array<Record<string, unknown>>

  writeFileSync(file, stringify({ ...base, routes: [{ name: 'api', match: { prefix: '/api' }, mirrorPercent: 55 }, { name: 'new', match: { prefix: '/n' } }] }))
  run.child.kill('SIGHUP')
  await eventually(async () => (await routes())[0].mirrorPercent === 55, 5000, 'the reload')
  assert.deepEqual((await routes()).map((r) => r.name), ['api', 'new', 'default'])

  writeFileSync(file, stringify({ ...base, routes: [{ name: 'api', mirrorPercent: 'lots' }] }))
  run.child.kill('SIGHUP')
  await eventually(() => run.lines.some((l) => l.msg === 'reload refused; the running configuration stays'), 5000, 'the refusal')
  const refusal = run.lines.find((l) => l.msg === 'reload refused; the running configuration stays')!
  assert.match(String(refusal.reason), /routes\[0\]\.mirrorPercent: must be a number/)
  assert.equal((await routes())[0].mirrorPercent, 55, 'the old config stays')

  writeFileSync(file, stringify({ ...base, upstream: { connections: 3 } }))
  run.child.kill('SIGHUP')
  await eventually(() => run.lines.some((l) => l.msg === 'these changes take effect after a restart'), 5000, 'the restart warning')
  assert.deepEqual(run.lines.find((l) => l.msg === 'these changes take effect after a restart')!.keys, ['upstream'])
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0)
})
