// The dashboard: polls the admin API every 2 s and updates the views in place, keeping the selection (in the
// URL fragment) and anything half-typed. Every string from the API reaches the page as text, never as HTML.
import type { EndpointView, RouteView, Sample } from './api-types.ts'
import { api, ApiError, Unauthorized } from './api.ts'
import { byId, setText } from './dom.ts'
import { clock } from './format.ts'
import { readSelection, writeSelection } from './selection.ts'
import type { Selection } from './selection.ts'
import { EndpointsTable } from './endpoints-table.ts'
import { FieldsView } from './fields-view.ts'
import { SamplesList } from './samples-list.ts'
import { renderSample } from './sample-view.ts'
import { renderLatencyChart } from './latency-chart.ts'
import { RouteControls } from './route-controls.ts'
import { TokenPrompt } from './token-prompt.ts'
import { renderDetailHeading } from './endpoint-detail.ts'

const POLL_MS = 2000
const SAMPLES_SHOWN = 20

const state: Selection = readSelection()
let endpoints: EndpointView[] = []
let routes: RouteView[] = []
let samples: { key: string; list: Sample[] } = { key: '', list: [] }
/** Endpoint → the route its samples came through. */
const routeOf = new Map<string, string>()
let shownSample: string | null = null
let autoSelected = state.endpoint !== null

const status = byId('status')
const detail = byId('detail')
const sampleRoot = byId('sample')

function say (kind: 'ok' | 'warn' | 'error', text: string): void {
  setText(status, text)
  status.className = `status ${kind}`
}

function select (next: Partial<Selection>): void {
  Object.assign(state, next)
  writeSelection(state)
  render()
  void refresh()
}

const samplesKey = (): string => `${state.endpoint ?? ''}\n${state.path ?? ''}`

const token = new TokenPrompt(() => { void refresh() })
const table = new EndpointsTable(byId('endpoints'), (endpoint) => {
  if (endpoint !== state.endpoint) select({ endpoint, path: null, sample: null })
})
const routeControls = new RouteControls(byId('routes'), api.updateRoute, () => { void refresh() })
const fields = new FieldsView(byId('fields'), {
  onPath: (path) => { select({ path }) },
  onNoise: async (path, noise) => {
    const endpoint = state.endpoint
    if (endpoint === null) return
    try {
      await api.markNoise(endpoint, path, noise)
    } catch (err) {
      say('error', `could not ${noise ? 'mark' : 'unmark'} ${path}: ${(err as Error).message}`)
      return
    }
    await refresh()
  }
})
const samplesList = new SamplesList(byId('samples'), {
  onSelect: (id) => { select({ sample: id }) },
  onClearPath: () => { select({ path: null }) }
})

function render (): void {
  table.update(endpoints, state.endpoint)
  routeControls.update(routes)
  detail.hidden = state.endpoint === null
  if (state.endpoint !== null) {
    const e = endpoints.find((x) => x.endpoint === state.endpoint)
    const routeName = e?.routes[0] ?? routeOf.get(state.endpoint)
    renderDetailHeading(state.endpoint, e, routes.find((r) => r.name === routeName))
    byId('fields').hidden = e === undefined
    if (e !== undefined) fields.update(e, state.path)
    renderLatencyChart(byId('latency'), e?.history ?? [])
    samplesList.update(samples.key === samplesKey() ? samples.list : [], state.path, state.sample)
  }
  void showSample()
}

async function showSample (): Promise<void> {
  const id = state.sample
  if (id === shownSample) return
  shownSample = id
  if (id === null) { renderSample(sampleRoot, null); return }
  const known = samples.list.find((s) => s.id === id)
  if (known !== undefined) { renderSample(sampleRoot, known); return }
  renderSample(sampleRoot, null, 'loading the sample…')
  try {
    const sample = await api.sample(id)
    if (state.sample === id) renderSample(sampleRoot, sample)
  } catch (err) {
    if (state.sample !== id) return
    if (err instanceof Unauthorized) { shownSample = null; renderSample(sampleRoot, null); return }
    renderSample(sampleRoot, null, err instanceof ApiError && err.status === 404
      ? 'This sample is gone: the store keeps the most recent ones. Pick another one above.'
      : `Could not load the sample: ${(err as Error).message}`)
  }
}

async function load (): Promise<void> {
  try {
    const [e, r] = await Promise.all([api.endpoints(), api.routes()])
    endpoints = e
    routes = r
    if (!autoSelected && e.length > 0) {
      autoSelected = true
      state.endpoint = e[0].endpoint
      writeSelection(state)
    }
    if (state.endpoint !== null) {
      const key = samplesKey()
      const list = await api.samples(state.endpoint, state.path ?? undefined, SAMPLES_SHOWN)
      for (const s of list) routeOf.set(s.endpoint, s.route)
      if (key === samplesKey()) samples = { key, list }
    }
    token.accepted()
    say('ok', `live · updated ${clock(Date.now())}`)
  } catch (err) {
    if (err instanceof Unauthorized) {
      token.ask()
      say('warn', 'waiting for the admin token')
    } else {
      say('error', `admin API unreachable (${(err as Error).message}); retrying every ${POLL_MS / 1000} s`)
    }
    return
  }
  render()
}

let running: Promise<void> | null = null
let again = false

/** One load at a time; a request for another while one runs makes one more after it. */
async function refresh (): Promise<void> {
  if (running !== null) { again = true; return await running }
  running = (async () => {
    do { again = false; await load() } while (again)
  })().finally(() => { running = null })
  await running
}

byId('reset').addEventListener('click', () => {
  if (!confirm('Forget every count, latency and sample (noise marks stay)?')) return
  api.reset().then(async () => { await refresh() }, (err: Error) => { say('error', `reset failed: ${err.message}`) })
})
window.addEventListener('hashchange', () => { select(readSelection()) })
document.addEventListener('visibilitychange', () => { if (!document.hidden) void refresh() })
setInterval(() => { if (!document.hidden) void refresh() }, POLL_MS)
render()
void refresh()
