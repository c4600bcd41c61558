// Shared by the ops-*.test.ts files: a Dockerfile reader, .dockerignore matching, a PromQL reader that lists
// metric selectors and grouping labels, shadowsplit's metric catalogue, and process helpers.
import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { Metrics, SKIP_REASONS } from '../src/observe/metrics.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export function readText (relative: string): string {
  return readFileSync(new URL(`../${relative}`, import.meta.url), 'utf8')
}

/** Every YAML document of a file, parsed with merge keys (`<<:`) as compose files use them. */
export function readYamlDocs (relative: string): unknown[] {
  const docs = parseAllDocuments(readText(relative), { merge: true })
  return docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`${relative}: ${d.errors[0].message}`)
    return d.toJS() as unknown
  }).filter((d) => d !== null)
}

// ---------------------------------------------------------------------------------------------- Dockerfile

export interface Instruction {
  op: string
  /** `--name=value` options before the arguments (COPY --from, HEALTHCHECK --interval, ...). */
  options: Record<string, string>
  /** The arguments after the options, as written. */
  rest: string
  /** Exec form (a JSON array), or null for shell form. */
  exec: string[] | null
  line: number
}

export interface Stage {
  name: string
  base: string
  instructions: Instruction[]
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>
  stages: Stage[]
}

/** Joins `\` continuations and drops comment lines, as Docker does. */
function logicalLines (text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = []
  let current: { text: string; line: number } | null = null
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim()
    if (trimmed.startsWith('#') || (current === null && trimmed === '')) return
    const continued = trimmed.endsWith('\\')
    const part = continued ? trimmed.slice(0, -1) : trimmed
    if (current === null) current = { text: part, line: i + 1 }
    else current.text += ` ${part}`
    if (!continued) {
      out.push(current)
      current = null
    }
  })
  if (current !== null) out.push(current)
  return out
}

export function substitute (text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a?: string, b?: string) => vars[a ?? b ?? ''] ?? whole)
}

export function parseDockerfile (text: string): Dockerfile {
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const { text: t, line } of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/.exec(t)
    if (m === null) continue
    const op = m[1].toUpperCase()
    let rest = m[2]
    const options: Record<string, string> = {}
    let o: RegExpExecArray | null
    while ((o = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) !== null) {
      options[o[1]] = o[2] ?? 'true'
      rest = rest.slice(o[0].length)
    }
    let exec: string[] | null = null
    const jsonPart = op === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/, '') : rest
    if (jsonPart.startsWith('[')) {
      try {
        const parsed = JSON.parse(jsonPart) as unknown
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) exec = parsed
      } catch { /* shell form */ }
    }
    const instruction: Instruction = { op, options, rest, exec, line }
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)
      if (f === null) throw new Error(`Dockerfile:${line}: cannot read FROM ${rest}`)
      stages.push({ name: f[2] ?? String(stages.length), base: substitute(f[1], args), instructions: [] })
    } else if (stages.length === 0) {
      if (op !== 'ARG') throw new Error(`Dockerfile:${line}: ${op} before the first FROM`)
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest)
      if (a !== null) args[a[1]] = unquote(a[2] ?? '')
    } else {
      stages[stages.length - 1].instructions.push(instruction)
    }
  }
  return { args, stages }
}

function unquote (s: string): string {
  return /^"(.*)"$/.exec(s)?.[1] ?? /^'(.*)'$/.exec(s)?.[1] ?? s
}

/** Shell-like words: quotes group, backslash escapes. */
export function words (s: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | null = null
  let has = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (quote !== null) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i]
      else cur += c
    } else if (c === '"' || c === "'") { quote = c; has = true } else if (c === '\\' && i + 1 < s.length) { cur += s[++i]; has = true } else if (/\s/.test(c)) {
      if (has || cur !== '') out.push(cur)
      cur = ''
      has = false
    } else { cur += c; has = true }
  }
  if (has || cur !== '') out.push(cur)
  return out
}

/** The variables an ENV instruction sets (`ENV A=1 B="x y"`, or the legacy `ENV A value`). */
export function envOf (instruction: Instruction, vars: Record<string, string>): Record<string, string> {
  const w = words(instruction.rest)
  if (w.length >= 1 && !w[0].includes('=')) return { [w[0]]: substitute(w.slice(1).join(' '), vars) }
  const out: Record<string, string> = {}
  for (const pair of w) {
    const i = pair.indexOf('=')
    out[pair.slice(0, i)] = substitute(pair.slice(i + 1), { ...vars, ...out })
  }
  return out
}

export function finalStage (df: Dockerfile): Stage {
  return df.stages[df.stages.length - 1]
}

export function stageNamed (df: Dockerfile, name: string): Stage {
  const s = df.stages.find((x) => x.name === name)
  if (s === undefined) throw new Error(`Dockerfile has no stage '${name}'`)
  return s
}

export function last (stage: Stage, op: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.op === op).at(-1)
}

// ------------------------------------------------------------------------------------------- .dockerignore

function globToRegex (glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Docker's rule: the last pattern that matches the path or one of its parent directories decides. */
export function dockerIgnore (text: string): (path: string) => boolean {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!')
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '')
    return { negate, re: globToRegex(pattern) }
  })
  return (path: string) => {
    const parts = path.split('/')
    let excluded = false
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          excluded = !rule.negate
          break
        }
      }
    }
    return excluded
  }
}

/** The files `docker build .` would send from this checkout: the work tree that git does not ignore, less .dockerignore. */
export function buildContext (): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0').filter((f) => f !== '')
  const ignore = dockerIgnore(readText('.dockerignore'))
  return [...new Set(listed)].filter((f) => !ignore(f) && existsSync(`${ROOT}/${f}`) && statSync(`${ROOT}/${f}`).isFile()).sort()
}

// --------------------------------------------------------------------------------------------------- PromQL

export interface Matcher { label: string; op: string; value: string }
export interface Selector { metric: string; matchers: Matcher[] }
export interface PromqlParts { selectors: Selector[]; grouping: string[]; functions: string[] }

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset'])

type Token = { kind: 'ident' | 'string' | 'number' | 'var' | 'punct'; text: string }

function tokenize (expr: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < expr.length) {
    const rest = expr.slice(i)
    let m: RegExpExecArray | null
    if ((m = /^\s+/.exec(rest)) !== null || (m = /^#[^\n]*/.exec(rest)) !== null) { i += m[0].length; continue }
    if ((m = /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'|^`[^`]*`/.exec(rest)) !== null) {
      tokens.push({ kind: 'string', text: JSON.parse(m[0][0] === '"' ? m[0] : `"${m[0].slice(1, -1).replace(/"/g, '\\"')}"`) as string })
    } else if ((m = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/.exec(rest)) !== null) tokens.push({ kind: 'var', text: m[0] })
    else if ((m = /^[0-9][0-9.eE]*(?:ms|[smhdwy])?(?:[0-9]+(?:ms|[smhdwy]))*/.exec(rest)) !== null) tokens.push({ kind: 'number', text: m[0] })
    else if ((m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(rest)) !== null) tokens.push({ kind: 'ident', text: m[0] })
    else if ((m = /^(?:=~|!~|!=|==|>=|<=|[-+*/%^<>=,(){}[\]:])/.exec(rest)) !== null) tokens.push({ kind: 'punct', text: m[0] })
    else throw new Error(`PromQL: cannot read '${rest.slice(0, 20)}' in ${expr}`)
    i += m[0].length
  }
  return tokens
}

/** Lists the metric selectors, `by`/`without`/`on` labels and functions of a PromQL expression. Throws on unbalanced brackets. */
export function readPromql (expr: string): PromqlParts {
  const t = tokenize(expr)
  const selectors: Selector[] = []
  const grouping: string[] = []
  const functions: string[] = []
  let depth = 0
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]
    if (tok.kind === 'punct' && (tok.text === '(' || tok.text === '[')) depth++
    if (tok.kind === 'punct' && (tok.text === ')' || tok.text === ']')) depth--
    if (depth < 0) throw new Error(`PromQL: unbalanced brackets in ${expr}`)
    if (tok.kind !== 'ident') continue
    const next = t[i + 1]
    if (KEYWORDS.has(tok.text)) {
      if (tok.text === 'offset') { i++; continue }
      if (next?.text === '(') {
        let j = i + 2
        while (j < t.length && t[j].text !== ')') {
          if (t[j].kind === 'ident') grouping.push(t[j].text)
          j++
        }
        i = j
      }
      continue
    }
    if (next?.text === '(' || t[i + 1]?.text === 'by' || t[i + 1]?.text === 'without') { functions.push(tok.text); continue }
    const selector: Selector = { metric: tok.text, matchers: [] }
    if (next?.text === '{') {
      let j = i + 2
      while (j < t.length && t[j].text !== '}') {
        if (t[j].kind === 'ident' && t[j + 1]?.kind === 'punct' && t[j + 2]?.kind === 'string') {
          selector.matchers.push({ label: t[j].text, op: t[j + 1].text, value: t[j + 2].text })
          j += 3
        } else if (t[j].text === ',') j++
        else throw new Error(`PromQL: cannot read the matchers of ${tok.text} in ${expr}`)
      }
      if (j >= t.length) throw new Error(`PromQL: unclosed { in ${expr}`)
      i = j
    }
    selectors.push(selector)
  }
  if (depth !== 0) throw new Error(`PromQL: unbalanced brackets in ${expr}`)
  return { selectors, grouping, functions }
}

// ------------------------------------------------------------------------------------------ metric catalogue

export interface MetricInfo { name: string; type: string; labels: string[] }

/** Every series name shadowsplit exposes (histograms as _bucket, _sum and _count), with the labels it carries. */
export async function metricCatalogue (): Promise<Map<string, MetricInfo>> {
  const out = new Map<string, MetricInfo>()
  for (const m of new Metrics().registry.getMetricsAsArray()) {
    // prom-client types the array as plain objects; they are the metric instances, with labelNames and get().
    const metric = m as unknown as { labelNames?: string[]; get: () => Promise<{ name: string; type: string }> }
    const { name, type } = await metric.get()
    const labels = [...(metric.labelNames ?? [])]
    if (type === 'histogram') {
      out.set(`${name}_bucket`, { name: `${name}_bucket`, type, labels: [...labels, 'le'] })
      out.set(`${name}_sum`, { name: `${name}_sum`, type, labels })
      out.set(`${name}_count`, { name: `${name}_count`, type, labels })
    } else {
      out.set(name, { name, type: String(type), labels })
    }
  }
  return out
}

/** Label values the metrics contract fixes (README, Metrics): a matcher on these labels must name real values. */
export const LABEL_VALUES: Record<string, readonly string[]> = {
  target: ['primary', 'candidate', 'secondary'],
  served: ['client', 'shadow'],
  status_class: ['1xx', '2xx', '3xx', '4xx', '5xx', 'error'],
  result: ['match', 'diverge', 'noise_only', 'error', 'skipped'],
  class: ['status', 'schema', 'value', 'header'],
  kind: ['status', 'header', 'body'],
  reason: SKIP_REASONS
}

/** Labels Prometheus adds when it scrapes (and the Kubernetes ones the examples' PodMonitor adds). */
export const TARGET_LABELS = ['job', 'instance']

const PROMQL_FUNCTIONS = new Set([
  'sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'quantile', 'stddev', 'group',
  'rate', 'irate', 'increase', 'delta', 'histogram_quantile', 'clamp_min', 'clamp_max', 'abs', 'absent', 'vector', 'scalar'
])

/**
 * Problems with an expression: unknown metrics or functions, labels a metric does not carry, and matcher values
 * outside the contract. An empty list means the expression only asks for what shadowsplit exports.
 */
export function promqlProblems (expr: string, catalogue: Map<string, MetricInfo>, extraLabels: readonly string[] = []): string[] {
  const problems: string[] = []
  let parts: PromqlParts
  try {
    parts = readPromql(expr)
  } catch (err) {
    return [(err as Error).message]
  }
  if (parts.selectors.length === 0) problems.push(`no metric in ${expr}`)
  const known = new Set([...TARGET_LABELS, ...extraLabels])
  const carried = new Set<string>(known)
  for (const fn of parts.functions) if (!PROMQL_FUNCTIONS.has(fn)) problems.push(`unknown function ${fn}`)
  for (const s of parts.selectors) {
    const info = catalogue.get(s.metric)
    if (info === undefined) {
      problems.push(`unknown metric ${s.metric}`)
      continue
    }
    for (const l of info.labels) carried.add(l)
    for (const m of s.matchers) {
      if (!info.labels.includes(m.label) && !known.has(m.label)) problems.push(`${s.metric} has no label ${m.label}`)
      const allowed = LABEL_VALUES[m.label]
      if (allowed === undefined || m.value.includes('$') || m.value.includes('{{')) continue
      const values = m.op === '=~' || m.op === '!~' ? (/^[A-Za-z0-9_]+(\|[A-Za-z0-9_]+)*$/.test(m.value) ? m.value.split('|') : []) : [m.value]
      for (const v of values) if (!allowed.includes(v)) problems.push(`${s.metric}{${m.label}} has no value '${v}'`)
    }
  }
  for (const g of parts.grouping) if (!carried.has(g) && g !== 'le') problems.push(`grouping label ${g} is on none of the metrics`)
  return problems
}

// -------------------------------------------------------------------------------------------------- processes

export { freePort } from './helpers/ports.ts'

export interface Exit { code: number | null; signal: string | null; stdout: string; stderr: string }

export interface Proc {
  child: ChildProcess
  output: () => string
  exited: Promise<Exit>
  stop: (signal?: NodeJS.Signals) => Promise<Exit>
}

/** Starts a process; `stop` signals it (SIGTERM) and waits, then SIGKILLs its whole group after 10 s. */
export function start (command: string, args: string[], options: SpawnOptions = {}): Proc {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (err) => { stderr += String(err); resolve({ code: null, signal: null, stdout, stderr }) })
    child.on('exit', (code, signal) => { setImmediate(() => resolve({ code, signal, stdout, stderr })) })
  })
  let done = false
  void exited.then(() => { done = true })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> => {
    if (!done) child.kill(signal)
    const timer = setTimeout(() => { if (!done && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL') }, 10_000)
    const result = await exited
    clearTimeout(timer)
    return result
  }
  return { child, output: () => `${stdout}${stderr}`, exited, stop }
}

/** Runs a process to its end; rejects after `timeoutMs` with what it printed. */
export async function run (command: string, args: string[], options: SpawnOptions = {}, timeoutMs = 60_000): Promise<Exit> {
  const p = start(command, args, options)
  const timer = setTimeout(() => { void p.stop('SIGKILL') }, timeoutMs)
  const result = await p.exited
  clearTimeout(timer)
  if (result.signal === 'SIGKILL') throw new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${result.stdout}${result.stderr}`)
  return result
}

/** Polls `url` until it answers (any status) or the process dies or `timeoutMs` passes. */
export async function waitForHttp (url: string, proc: Proc, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  let dead = false
  void proc.exited.then(() => { dead = true })
  for (;;) {
    if (dead) throw new Error(`process exited before ${url} answered:\n${proc.output()}`)
    try {
      return await fetch(url, { signal: AbortSignal.timeout(1000) })
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
