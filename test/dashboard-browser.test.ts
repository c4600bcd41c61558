// The dashboard in a real browser (Debian's headless Chromium driven by playwright-core, no network): against
// the demo it shows divergent endpoints, fields, samples with highlighted differences, latency, and changes a
// route live; against a proxy with an admin token it asks for the token first, and shows hostile upstream
// strings as text. Without chromium the tests skip, unless CI is set: then they fail.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { startDemo } from '../src/demo/demo.ts'
import type { Demo } from '../src/demo/demo.ts'
import { createLogger } from '../src/observe/log.ts'
import { buildDashboard } from '../scripts/build-dashboard.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'

/** Debian's chromium; SHADOWSPLIT_CHROMIUM points elsewhere (another distribution, a Chrome build). */
const CHROMIUM = process.env.SHADOWSPLIT_CHROMIUM ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
const IN_CI = (process.env.CI ?? '') !== '' && process.env.CI !== 'false' && process.env.CI !== '0'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
const skip = !HAVE_CHROMIUM && !IN_CI
  ? `chromium not found at ${CHROMIUM}: browser tests skipped (apt-get install chromium to run them; with CI set they fail instead)`
  : false
const ARTIFACTS = new URL('./artifacts/', import.meta.url)
const quiet = createLogger('silent', new Writable({ write (_c, _e, cb) { cb() } }))

interface Browser { context: BrowserContext; page: Page; errors: string[]; close: () => Promise<void> }

/** A fresh Chromium profile per test; page errors and console errors are collected for the final check. */
async function openBrowser (): Promise<Browser> {
  assert.ok(HAVE_CHROMIUM, `chromium not found at ${CHROMIUM}, and CI is set: CI must install it (.ci/run runs apt-get install -y chromium)`)
  const profile = mkdtempSync(join(tmpdir(), 'shadowsplit-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 900 }, timeout: 30_000
  })
  const page = context.pages()[0] ?? await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
  page.on('console', (msg) => {
    // Chromium logs every 4xx fetch; the 400s and 401s these tests provoke are expected.
    if (msg.type() === 'error' && !/status of 40[01]/.test(msg.text())) errors.push(`console: ${msg.text()}`)
  })
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

async function api<T> (base: string, path: string, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200, `${path}: ${res.status}`)
  return await res.json() as T
}

async function until<T> (check: () => Promise<T | false | null | undefined> | T | false | null | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== false && v !== null && v !== undefined) return v
    } catch (err) { last = err }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last === undefined ? '' : ` (${String(last)})`}`)
}

const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? ''
const row = (table: string, key: string): string => `${table} tbody tr[data-key=${JSON.stringify(key)}]`

async function screenshot (page: Page): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = new URL('dashboard.png', ARTIFACTS)
  await page.screenshot({ path: file.pathname, fullPage: true })
  if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(file, new URL('../docs/dashboard.png', import.meta.url))
}

type Endpoint = { endpoint: string; verdict: string; divergentPaths: Array<{ path: string }>; noisyPaths: Array<{ path: string; marked: boolean }>; history: unknown[] }
type Route = { name: string; mirrorPercent: number; splitPercent: number; mode: string }
type SampleJson = { id: string; request: { method: string; url: string }; differences: Array<{ kind: string; at: string; primary?: string; candidate?: string }> }

before(async () => { await buildDashboard() })

test('against the demo: divergent endpoints, fields, a sample with its differences highlighted, latency, live route changes', { skip, timeout: 180_000 }, async (t) => {
  const browser = await openBrowser()
  t.after(async () => { await browser.close() })
  const demo: Demo = await startDemo({ flags: { listen: '127.0.0.1:0', 'admin-listen': '127.0.0.1:0' }, rps: 50, log: quiet })
  t.after(async () => { await demo.stop() })
  const { page } = browser
  await page.goto(`${demo.adminUrl}/`)

  // Endpoints, worst first; the first one is opened; latency says it is collecting until the first 10 s window closes.
  const products = row('table.endpoints', '/api/products/:id')
  await until(async () => (await text(page, `${products} .badge`)) === 'diverging', 15_000, 'products shown as diverging')
  // One product in four has a new price, every one a new cache header: both classes, and both latencies.
  await until(async () => /value \d+.*header \d+/.test(await text(page, `${products} td:nth-child(7)`)), 10_000, 'value and header classes')
  assert.match(await text(page, `${products} td:nth-child(10)`), /^\d[\d.]* ms \/ \d[\d.]* ms$/)
  const firstKey = await page.locator('table.endpoints tbody tr').first().getAttribute('data-key')
  const report = await api<Endpoint[]>(demo.adminUrl, '/api/endpoints')
  assert.ok(report.slice(0, 2).some((e) => e.endpoint === firstKey), `the table starts with ${firstKey}, the API with ${report[0].endpoint}`)
  assert.match(await text(page, '#detail-title'), new RegExp(`^${firstKey!.replace(/[/:$*[\]]/g, '\\$&')}`))
  if (report.find((e) => e.endpoint === firstKey)!.history.length === 0) assert.match(await text(page, '#latency'), /^collecting…/)

  // The search endpoint's fields, and one of its samples side by side, differing names highlighted.
  await page.locator(row('table.endpoints', '/api/search')).click()
  await until(async () => (await text(page, '#detail-title')).startsWith('/api/search'), 5000, 'the search endpoint opened')
  await page.locator(row('table.fields.divergent', '$.hits[*].name')).waitFor()
  assert.match(await text(page, row('table.fields.divergent', '$.hits[*].name')), /value/)
  await page.locator(row('table.fields.noisy', '$.meta.requestId')).waitFor()
  await page.locator('table.samples tbody tr').first().click()
  await page.locator('#sample .request-line').waitFor()
  const id = await until(async () => new URLSearchParams((await page.evaluate<string>('location.hash')).slice(1)).get('sample'), 5000, 'the sample in the URL')
  const sample = await api<SampleJson>(demo.adminUrl, `/api/divergences/${id}`)
  assert.equal(await text(page, '#sample .request-line'), `${sample.request.method} ${sample.request.url}`)
  assert.match(sample.request.url, /^\/api\/search\?q=/)
  for (const side of ['primary', 'candidate'] as const) {
    const marked = (await page.locator(`#sample .pane[data-side=${side}] .line.hl`).allTextContents()).map((l) => l.trim())
    // Each body difference's line: its last key and this side's value (`"name": "knob"`).
    const expected = sample.differences.filter((d) => d.kind === 'body').map((d) => `"${/\.(\w+)$/.exec(d.at)![1]}": ${d[side]}`)
    assert.ok(expected.length > 0)
    assert.deepEqual(marked.map((l) => l.replace(/,$/, '')).sort(), expected.sort(), `${side} highlights`)
  }
  assert.deepEqual(await page.locator('#sample table.differences td.path').allTextContents(), sample.differences.map((d) => d.at))

  // A header and a value difference: the header row and the price line are highlighted on both sides.
  await page.locator(products).click()
  await page.locator(row('table.fields.divergent', '$.price')).click()
  await until(async () => (await text(page, '#samples .filter')).includes('$.price'), 5000, 'samples filtered by $.price')
  await until(async () => {
    const first = await text(page, '#samples table.samples tbody tr:first-child')
    return first.includes('$.price') && !first.includes('/api/search')
  }, 5000, 'a sample of $.price')
  await page.locator('#samples table.samples tbody tr').first().click()
  await until(async () => (await text(page, '#sample .request-line')).startsWith('GET /api/products/'), 5000, 'a products sample')
  for (const side of ['primary', 'candidate']) {
    assert.match(await text(page, `#sample .pane[data-side=${side}] .line.hl`), /"price": /)
    assert.match(await text(page, `#sample .pane[data-side=${side}] table.headers tr.hl`), /^cache-control/)
  }

  // Latency plotted once the first 10 s window closed.
  await page.locator('#latency svg').waitFor({ state: 'attached', timeout: 20_000 })
  const points = await page.locator('#latency svg circle').count()
  assert.ok(points >= 4 && points % 4 === 0, `${points} points: p50 and p99 of both sides per window`)
  assert.match(await text(page, '#latency .legend'), /primary p50.*primary p99.*candidate p50.*candidate p99/)

  // A half-typed value survives live refreshes.
  const catalogSplit = page.locator('tr[data-route="catalog"] input[aria-label="catalog split percent"]')
  await catalogSplit.fill('3')
  const updated = await text(page, '#status')
  await until(async () => (await text(page, '#status')) !== updated, 5000, 'a live refresh')
  assert.equal(await catalogSplit.inputValue(), '3')

  // A good change shows in /api/routes and in the endpoint's heading; a bad one shows the server's message.
  await page.locator(products).click()
  await until(async () => (await text(page, '#detail-summary .route-info')).startsWith('route catalog ·'), 5000, 'the products route')
  const mode = page.locator('tr[data-route="catalog"] select')
  const mirror = page.locator('tr[data-route="catalog"] input[aria-label="catalog mirror percent"]')
  const saved = async (what: string): Promise<void> => {
    await until(async () => (await text(page, 'tr[data-route="catalog"] .route-message')).startsWith('saved'), 5000, what)
  }
  await mode.selectOption('split')
  await catalogSplit.fill('10')
  await mirror.fill('50')
  await page.locator('tr[data-route="catalog"] button', { hasText: 'Apply' }).click()
  await saved('the change saved')
  const routes = await api<Route[]>(demo.adminUrl, '/api/routes')
  assert.deepEqual(routes.filter((r) => r.name !== 'default').map(({ name, mode, mirrorPercent, splitPercent }) => ({ name, mode, mirrorPercent, splitPercent })), [
    { name: 'search', mode: 'mirror', mirrorPercent: 100, splitPercent: 0 },
    { name: 'catalog', mode: 'split', mirrorPercent: 50, splitPercent: 10 }
  ])
  await until(async () => (await text(page, '#detail-summary .route-info')) === 'route catalog · mode split · mirror 50 % · split 10 %', 5000, 'the endpoint heading showing the change')

  await mirror.fill('150')
  await mirror.press('Enter')
  const message = page.locator('tr[data-route="catalog"] .route-message.error')
  await message.waitFor()
  assert.equal(await message.textContent(), 'routes.catalog.mirrorPercent: must be a number between 0 and 100 (got 150)')
  assert.equal(await message.getAttribute('role'), 'alert')
  assert.equal((await api<Route[]>(demo.adminUrl, '/api/routes')).find((r) => r.name === 'catalog')!.mirrorPercent, 50)
  assert.equal(await mirror.inputValue(), '150', 'the refused value stays for the user to fix')

  await mode.selectOption('mirror')
  await catalogSplit.fill('0')
  await mirror.fill('100')
  await mirror.press('Enter')
  await saved('the route back to mirror 100 %')
  await until(async () => (await text(page, '#detail-summary .route-info')) === 'route catalog · mode mirror · mirror 100 % · split 0 %', 5000, 'the heading back')

  // With UPDATE_SCREENSHOT=1 (docs/dashboard.png), wait for a few latency points so the chart says something.
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await until(async () => (await api<Endpoint[]>(demo.adminUrl, '/api/endpoints')).every((e) => e.history.length >= 4), 60_000, 'four latency points')
    await until(async () => (await page.locator('#latency svg path.series').count()) === 4 && (await page.locator('#latency svg circle').count()) >= 16, 5000, 'the chart redrawn with four points')
  }
  await page.locator('#sample').scrollIntoViewIfNeeded()
  await screenshot(page)

  // Marking a field as noise from the UI moves it to the noise table, marked; unmarking brings it back.
  const price = row('table.fields.divergent', '$.price')
  await page.locator(`${price} button`, { hasText: 'mark as noise' }).click()
  await page.locator(row('table.fields.noisy', '$.price')).waitFor()
  assert.match(await text(page, row('table.fields.noisy', '$.price')), /marked by an operator/)
  assert.equal(await page.locator(price).count(), 0)
  const marked = (await api<Endpoint[]>(demo.adminUrl, '/api/endpoints')).find((e) => e.endpoint === '/api/products/:id')!
  assert.ok(marked.noisyPaths.some((p) => p.path === '$.price' && p.marked))
  await page.locator(`${row('table.fields.noisy', '$.price')} button`, { hasText: 'unmark' }).click()
  await page.locator(price).waitFor()

  assert.deepEqual(browser.errors, [])
})

test('with an admin token: the dashboard asks for it, keeps it for the tab, and shows hostile upstream strings as text', { skip, timeout: 90_000 }, async (t) => {
  const token = 'dashboard-test-token-0123456789abcdef'
  const hostile = '<img src=x onerror="window.__pwned=1">'
  const answer = (body: object, headers: Record<string, string>): Parameters<typeof startUpstream>[0] => (_req, res) => {
    const payload = JSON.stringify(body)
    res.writeHead(200, { 'content-type': 'application/json', ...headers })
    res.end(payload)
  }
  const primary: Upstream = await startUpstream(answer({ name: hostile, n: 1 }, { 'x-note': '<b>one</b>' }))
  const candidate: Upstream = await startUpstream(answer({ name: '<script>window.__pwned=2</script>', n: 1, '<svg onload=window.__pwned=3>': true }, { 'x-note': '<b>two</b>' }))
  t.after(async () => { await primary.close(); await candidate.close() })
  const proxy: TestProxy = await startProxy({ primary: primary.url, candidate: candidate.url, 'admin-token': token, 'log-level': 'silent' })
  t.after(async () => { await proxy.stop() })
  for (let i = 0; i < 25; i++) await (await fetch(`${proxy.url}/things/${i + 1}`)).arrayBuffer()
  await until(async () => (await api<Endpoint[]>(proxy.adminUrl, '/api/endpoints', token))[0]?.verdict === 'diverging', 10_000, 'a divergence')

  const browser = await openBrowser()
  t.after(async () => { await browser.close() })
  const { page } = browser
  await page.goto(`${proxy.adminUrl}/`)
  await page.locator('#token-panel').waitFor()
  assert.match(await text(page, '#token-message'), /needs a token/)
  assert.match(await text(page, '#status'), /waiting for the admin token/)
  assert.equal(await page.locator('table.endpoints tbody tr').count(), 0)

  await page.locator('#token-input').fill('not-the-token')
  await page.locator('#token-form button[type=submit]').click()
  await until(async () => /refused/.test(await text(page, '#token-message')), 5000, 'the wrong token refused')

  await page.locator('#token-input').fill(token)
  await page.locator('#token-form button[type=submit]').click()
  await page.locator('#token-panel').waitFor({ state: 'hidden' })
  await page.locator(row('table.endpoints', '/things/:id')).waitFor()
  assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('shadowsplit.adminToken')"), token)

  // A reload keeps the token (sessionStorage) and goes straight to the data.
  await page.reload()
  await page.locator(row('table.endpoints', '/things/:id')).waitFor()
  assert.equal(await page.locator('#token-panel').isVisible(), false)

  // Field paths, bodies and headers from upstreams are shown as text, never run as HTML.
  await page.locator(row('table.fields.divergent', '$["<svg onload=window.__pwned=3>"]')).waitFor()
  await page.locator('table.samples tbody tr').first().click()
  await page.locator('#sample .request-line').waitFor()
  assert.match(await text(page, '#sample .pane[data-side=primary] .line.hl'), /"name": "<img src=x onerror=\\"window.__pwned=1\\">"/)
  assert.match(await text(page, '#sample .pane[data-side=candidate] .body-text'), /"<svg onload=window.__pwned=3>": true/)
  assert.match(await text(page, '#sample .pane[data-side=candidate] table.headers tr.hl'), /^x-note<b>two<\/b>$/)
  assert.equal(await page.evaluate<number>("document.querySelectorAll('main img, main script, #sample svg, b').length"), 0)
  assert.equal(await page.evaluate<unknown>('window.__pwned'), undefined)

  // Forgetting the token asks again.
  await page.locator('#token-forget').click()
  await page.locator('#token-panel').waitFor()
  assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('shadowsplit.adminToken')"), null)
  assert.deepEqual(browser.errors, [])
})

after(() => {
  if (skip !== false) process.stdout.write(`# ${skip}\n`)
})
