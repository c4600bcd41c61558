// The dashboard bundle: built by esbuild from src/admin/dashboard (the `prepare` script runs it on `npm ci`),
// served from memory by the admin server, with nothing fetched from elsewhere and no HTML made from data.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { buildDashboard, SOURCE_DIR } from '../scripts/build-dashboard.ts'
import { registerDashboard } from '../src/admin/dashboard-files.ts'

const out = mkdtempSync(join(tmpdir(), 'shadowsplit-dashboard-'))
after(() => { rmSync(out, { recursive: true, force: true }) })

test('npm ci builds the dashboard (prepare), npm run build too, and dist/ stays out of git', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  assert.equal(pkg.scripts.prepare, 'node scripts/build-dashboard.ts')
  assert.equal(pkg.scripts.build, 'node scripts/build-dashboard.ts')
  assert.match(pkg.scripts.test, /^tsc --noEmit && tsc --noEmit -p src\/admin\/dashboard && node --test /)
  const ignored = readFileSync(new URL('../.gitignore', import.meta.url), 'utf8').split('\n')
  assert.ok(ignored.includes('dist/') || ignored.includes('/dist/'), '.gitignore must ignore dist/')
})

test('the build writes index.html, the bundle and the stylesheet; a rebuild drops stale assets', async () => {
  const files = await buildDashboard(out)
  for (const f of ['index.html', 'assets/app.js', 'assets/style.css']) assert.ok(files.includes(f) && existsSync(join(out, f)), `${f} not built`)
  const bundle = readFileSync(join(out, 'assets/app.js'), 'utf8')
  assert.doesNotMatch(bundle, /^\s*import\s/m, 'the bundle must not import anything at runtime')
  const stale = join(out, 'assets/old-build.js')
  writeFileSync(stale, '')
  await buildDashboard(out)
  assert.equal(existsSync(stale), false)
  assert.deepEqual(readdirSync(join(out, 'assets')).sort(), ['app.js', 'app.js.map', 'style.css'])
})

test('the page loads only its own assets (no CDN) and forbids every other origin', async () => {
  await buildDashboard(out)
  const html = readFileSync(join(out, 'index.html'), 'utf8')
  const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])
  assert.deepEqual(refs.sort(), ['assets/app.js', 'assets/style.css', 'data:,'])
  assert.match(html, /http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/)
  const css = readFileSync(join(out, 'assets/style.css'), 'utf8')
  assert.doesNotMatch(css, /@import|url\(/, 'the stylesheet must not load anything')
})

test('the dashboard code never turns a string into HTML', () => {
  const sources = readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.ts'))
  assert.ok(sources.length > 5)
  for (const f of sources) {
    const text = readFileSync(join(SOURCE_DIR, f), 'utf8')
    assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc|createContextualFragment|DOMParser/, `${f} builds HTML from strings`)
  }
})

test('the admin server serves the built files with their types, and 503 when nothing is built', async () => {
  await buildDashboard(out)
  const app = Fastify()
  registerDashboard(app, out)
  const page = await app.inject({ url: '/' })
  assert.equal(page.statusCode, 200)
  assert.match(page.headers['content-type'] as string, /^text\/html/)
  assert.match(page.body, /<title>shadowsplit dashboard<\/title>/)
  const js = await app.inject({ url: '/assets/app.js' })
  assert.equal(js.statusCode, 200)
  assert.match(js.headers['content-type'] as string, /^text\/javascript/)
  const css = await app.inject({ url: '/assets/style.css' })
  assert.match(css.headers['content-type'] as string, /^text\/css/)
  await app.close()

  const empty = Fastify()
  registerDashboard(empty, join(out, 'nothing-here'))
  const missing = await empty.inject({ url: '/' })
  assert.equal(missing.statusCode, 503)
  assert.match(missing.body, /not built: run `npm ci` \(or `npm run build`\)/)
  await empty.close()
})
