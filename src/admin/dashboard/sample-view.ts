// One divergent sample: the request line, the differences, and the primary's and candidate's answers side by
// side (status, headers, pretty-printed body) with the differing lines, headers and status highlighted.
import type { Difference, Headers, Sample, SampleSide } from './api-types.ts'
import { el, fill } from './dom.ts'
import { count, ms } from './format.ts'
import { highlightedLines, indexBody, locate } from './body-lines.ts'
import type { BodyIndex } from './body-lines.ts'
import { classChip } from './cells.ts'

type Side = 'primary' | 'candidate'

/** `header:cache-control` and `header:set-cookie:session` both name a header row. */
function headerName (d: Difference): string | null {
  return d.kind === 'header' ? d.at.slice('header:'.length).split(':')[0].toLowerCase() : null
}

function headersTable (headers: Headers, marked: ReadonlySet<string>): HTMLElement {
  const names = Object.keys(headers).sort()
  return el('table', { class: 'headers' }, el('tbody', {}, ...names.map((name) => {
    const v = headers[name]
    return el('tr', { class: marked.has(name.toLowerCase()) ? 'hl' : null },
      el('th', { scope: 'row' }, name), el('td', {}, Array.isArray(v) ? v.join(', ') : v))
  })))
}

interface Pane { element: HTMLElement; lines: HTMLElement[]; index: BodyIndex | null }

function bodyBlock (side: SampleSide, locations: readonly string[]): Pane {
  const body = side.body
  if (body.text === null) return { element: el('p', { class: 'note' }, body.note ?? 'no body'), lines: [], index: null }
  const index = indexBody(body.text)
  const marked = highlightedLines(index, locations)
  const lines = index.lines.map((line, i) => el('div', { class: marked.has(i) ? 'line hl' : 'line', 'data-line': i + 1 }, line))
  const block = el('div', { class: 'body-text' }, ...lines)
  const note = body.truncated ? el('p', { class: 'note' }, `truncated: the body is ${count(body.length)} bytes; the sample keeps its beginning`) : null
  return { element: el('div', {}, block, note), lines, index }
}

function pane (name: Side, side: SampleSide, sample: Sample): Pane {
  const diffs = sample.differences
  const statusDiffers = diffs.some((d) => d.kind === 'status')
  const headerNames = new Set(diffs.map(headerName).filter((n): n is string => n !== null))
  const body = bodyBlock(side, diffs.filter((d) => d.kind === 'body').map((d) => d.at))
  const status = side.status === 0 ? `no response: ${side.error ?? 'error'}` : `${side.status}`
  const served = sample.served === name ? ' · served the client' : ''
  const element = el('section', { class: `pane pane-${name}`, 'data-side': name },
    el('h4', {}, name === 'primary' ? 'Primary' : 'Candidate', ' ',
      el('span', { class: statusDiffers ? 'status hl' : 'status' }, status),
      el('span', { class: 'muted' }, ` · ${ms(side.ms)}${served}`)),
    el('details', { open: headerNames.size > 0 },
      el('summary', {}, `Headers (${Object.keys(side.headers).length})`, headerNames.size > 0 ? ` · ${headerNames.size} differ` : ''),
      headersTable(side.headers, headerNames)),
    body.element)
  return { element, lines: body.lines, index: body.index }
}

/** Scrolls each pane to where a difference is and flashes those lines. */
function jump (panes: Pane[], at: string): void {
  for (const p of panes) {
    if (p.index === null) continue
    const range = locate(p.index, at)
    if (range === null) continue
    const first = p.lines[range.start]
    first?.scrollIntoView({ block: 'center', behavior: 'smooth' })
    for (let i = range.start; i <= range.end; i++) {
      const line = p.lines[i]
      line?.classList.remove('flash')
      void line?.offsetWidth
      line?.classList.add('flash')
    }
  }
}

function differencesTable (diffs: readonly Difference[], onPick: (d: Difference) => void): HTMLElement {
  return el('table', { class: 'differences' },
    el('thead', {}, el('tr', {}, ...['Where', 'Change', 'Class', 'Primary', 'Candidate'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...diffs.map((d) => {
      const row = el('tr', { class: 'clickable', title: 'show in the bodies' },
        el('td', { class: 'path' }, d.at), el('td', {}, d.change), el('td', {}, classChip(d.class)),
        el('td', { class: 'value side-primary' }, d.primary ?? ''), el('td', { class: 'value side-candidate' }, d.candidate ?? ''))
      row.addEventListener('click', () => { onPick(d) })
      return row
    })))
}

export function renderSample (root: HTMLElement, sample: Sample | null, note = ''): void {
  if (sample === null) {
    fill(root, note === '' ? null : el('p', { class: 'empty' }, note))
    root.hidden = note === ''
    return
  }
  root.hidden = false
  const panes = [pane('primary', sample.primary, sample), pane('candidate', sample.candidate, sample)]
  fill(root,
    el('h2', {}, 'Sample ', el('code', { class: 'request-line' }, `${sample.request.method} ${sample.request.url}`)),
    el('p', { class: 'meta' },
      classChip(sample.class), ` ${sample.endpoint} · route ${sample.route} · served by ${sample.served} · ${new Date(sample.time).toLocaleString('en-GB')} · `,
      el('span', { class: 'muted' }, sample.id)),
    differencesTable(sample.differences, (d) => { jump(panes, d.at) }),
    el('div', { class: 'panes' }, ...panes.map((p) => p.element)),
    el('details', {}, el('summary', {}, 'Request headers'), headersTable(sample.request.headers, new Set())),
    el('details', {}, el('summary', {}, `json-diff-ts changeset (${sample.changeset.length} changes, noise included)`),
      el('pre', { class: 'changeset' }, JSON.stringify(sample.changeset, null, 2))))
}
