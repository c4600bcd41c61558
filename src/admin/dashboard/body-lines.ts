// Where a difference is in a pretty-printed body. Samples keep JSON bodies as JSON.stringify(value, null, 2)
// (possibly truncated), and differences name concrete locations (`$.items[3].price`, `$.items[id=42].price`,
// `line 4`); this maps each value to the lines it spans, so the dashboard can highlight them. No DOM here:
// the tests run it under Node.

export interface LineRange { start: number; end: number }

export interface BodyIndex {
  lines: string[]
  /** Concrete path (`$`, `$.a`, `$.items[3]`, `$["odd key"]`) → the lines its value spans (0-based). */
  nodes: Map<string, LineRange>
  /** Concrete path → the JSON token of a scalar value, to find `[id=42]` elements. */
  scalars: Map<string, string>
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const KEYED_LINE = /^("(?:[^"\\]|\\.)*"): (.*)$/

/** The same rendering as the comparator's paths (src/compare/json-path.ts). */
export function keySegment (name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

interface Frame { path: string; array: boolean; next: number }

/** Indexes a pretty-printed JSON body; stops indexing (keeping what it has) at the first line it cannot read. */
export function indexBody (text: string): BodyIndex {
  const lines = text.split('\n')
  const nodes = new Map<string, LineRange>()
  const scalars = new Map<string, string>()
  const stack: Frame[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '') continue
    const top = stack.at(-1)
    if (top !== undefined && (line.startsWith('}') || line.startsWith(']'))) {
      stack.pop()
      const node = nodes.get(top.path)
      if (node !== undefined) node.end = i
      continue
    }
    let path: string
    let value: string
    if (top === undefined) {
      if (nodes.has('$')) break
      path = '$'
      value = line
    } else if (top.array) {
      path = `${top.path}[${top.next++}]`
      value = line
    } else {
      const m = KEYED_LINE.exec(line)
      if (m === null) break
      let key: string
      try { key = JSON.parse(m[1]) as string } catch { break }
      path = `${top.path}${keySegment(key)}`
      value = m[2]
    }
    if (value.endsWith(',')) value = value.slice(0, -1)
    nodes.set(path, { start: i, end: i })
    if (value === '{' || value === '[') stack.push({ path, array: value === '[', next: 0 })
    else scalars.set(path, value)
  }
  // A truncated body leaves containers open: they run to its last line.
  for (const frame of stack) {
    const node = nodes.get(frame.path)
    if (node !== undefined) node.end = lines.length - 1
  }
  return { lines, nodes, scalars }
}

type Segment =
  | { kind: 'key'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'keyed'; field: string; value: string }
  | { kind: 'any' }

const SEGMENT = /^(?:\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\[\*\]|\[([^=\]"]+)=("(?:[^"\\]|\\.)*"|[^\]]*)\])/

/** Parses `$.items[id=42].price` into segments; null when it is not a JSON path. */
export function parsePath (at: string): Segment[] | null {
  if (!at.startsWith('$')) return null
  const out: Segment[] = []
  let rest = at.slice(1)
  while (rest !== '') {
    const m = SEGMENT.exec(rest)
    if (m === null) return null
    if (m[1] !== undefined) out.push({ kind: 'key', name: m[1] })
    else if (m[2] !== undefined) out.push({ kind: 'index', index: Number(m[2]) })
    else if (m[3] !== undefined) {
      try { out.push({ kind: 'key', name: JSON.parse(m[3]) as string }) } catch { return null }
    } else if (m[4] !== undefined) out.push({ kind: 'keyed', field: m[4], value: m[5] })
    else out.push({ kind: 'any' })
    rest = rest.slice(m[0].length)
  }
  return out
}

/** The lines of `at` in this body: a JSON path, `line N` of a text body, or the whole body. Null: not in it. */
export function locate (index: BodyIndex, at: string): LineRange | null {
  const whole = { start: 0, end: index.lines.length - 1 }
  if (at === '$' || at === 'body') return whole
  const line = /^line (\d+)$/.exec(at)
  if (line !== null) {
    const n = Number(line[1]) - 1
    return n < index.lines.length ? { start: n, end: n } : null
  }
  const segments = parsePath(at)
  if (segments === null) return null
  let path = '$'
  for (const s of segments) {
    if (s.kind === 'key') path += keySegment(s.name)
    else if (s.kind === 'index') path += `[${s.index}]`
    else if (s.kind === 'any') break // the whole array
    else {
      let found = false
      for (let i = 0; index.nodes.has(`${path}[${i}]`); i++) {
        if (index.scalars.get(`${path}[${i}]${keySegment(s.field)}`) === s.value) {
          path += `[${i}]`
          found = true
          break
        }
      }
      if (!found) return null
    }
  }
  return index.nodes.get(path) ?? null
}

/** Line numbers (0-based) to highlight for these locations. */
export function highlightedLines (index: BodyIndex, locations: readonly string[]): Set<number> {
  const out = new Set<number>()
  for (const at of locations) {
    const range = locate(index, at)
    if (range === null) continue
    for (let i = range.start; i <= range.end; i++) out.add(i)
  }
  return out
}
