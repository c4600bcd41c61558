// Generates config/example.yaml and the README's reference tables from the code that defines them, so the
// docs cannot drift: `npm run docs` writes them, test/docs-current.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { configSpec } from '../src/config/schema.ts'
import type { Spec } from '../src/config/schema-kit.ts'
import { docRows, formatDuration, formatSize } from '../src/config/schema-kit.ts'
import { formatListen } from '../src/config/addresses.ts'
import type { ListenAddress } from '../src/config/addresses.ts'
import { FLAGS, envName } from '../src/config/load.ts'
import { Metrics } from '../src/observe/metrics.ts'
import { ERRORS } from '../src/errors.ts'

const root = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url))

/** Values the example shows instead of the defaults, so that it is a working configuration. */
const SAMPLE: Record<string, unknown> = {
  primary: ['http://127.0.0.1:3000'],
  candidate: ['http://127.0.0.1:3001']
}
const SAMPLE_ROUTE = {
  name: 'users',
  match: { methods: ['GET'], prefix: null, template: '/users/:id', regex: null, headers: {} }
}

function plain (spec: Spec, value: unknown): unknown {
  if (value === null || value === undefined) return spec.kind === 'list' ? [] : spec.kind === 'map' ? {} : null
  switch (spec.kind) {
    case 'duration': return formatDuration(value as number)
    case 'size': return formatSize(value as number)
    case 'custom': return spec.typeDoc === 'HOST:PORT' ? formatListen(value as ListenAddress) : value
    default: return value
  }
}

function yamlValue (v: unknown): string {
  return stringify(v, { collectionStyle: 'flow' }).trimEnd()
}

function emitObject (fields: Record<string, Spec>, values: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = []
  for (const [key, spec] of Object.entries(fields)) {
    lines.push(`${indent}# ${spec.doc.replaceAll('`', '')}`)
    const value = values[key]
    if (spec.kind === 'object') {
      lines.push(`${indent}${key}:`, ...emitObject(spec.fields, (value ?? {}) as Record<string, unknown>, `${indent}  `))
    } else if (spec.kind === 'list' && spec.of.kind === 'object') {
      const items = (value ?? []) as Array<Record<string, unknown>>
      if (items.length === 0) { lines.push(`${indent}${key}: []`); continue }
      lines.push(`${indent}${key}:`)
      for (const item of items) {
        const body = emitObject(spec.of.fields, item, `${indent}    `)
        const first = body.findIndex((l) => !l.trimStart().startsWith('#'))
        body[first] = `${indent}  - ${body[first].trimStart()}`
        lines.push(...body)
      }
    } else {
      lines.push(`${indent}${key}: ${yamlValue(plain(spec, value))}`)
    }
    if (indent === '') lines.push('')
  }
  return lines
}

function defaults (spec: Spec): unknown {
  if (spec.kind === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, f] of Object.entries(spec.fields)) out[k] = defaults(f)
    return out
  }
  return spec.default
}

export function exampleYaml (): string {
  if (configSpec.kind !== 'object') throw new Error('config schema must be an object')
  const values = { ...(defaults(configSpec) as Record<string, unknown>), ...SAMPLE }
  const routeSpec = (configSpec.fields.routes as Extract<Spec, { kind: 'list' }>).of
  values.routes = [{ ...(defaults(routeSpec) as Record<string, unknown>), ...SAMPLE_ROUTE }]
  return [
    '# shadowsplit configuration: every key with its default value (primary, candidate and the route are samples).',
    '# Generated from src/config/schema.ts by `npm run docs`; durations take ms/s/m/h, sizes B/KiB/MiB/GiB.',
    '',
    ...emitObject(configSpec.fields, values, '')
  ].join('\n')
}

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function configTable (): string {
  const rows = docRows(configSpec)
  return ['| key | type | default | description |', '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${r.type} | ${r.default === '' ? '' : `\`${cell(r.default)}\``} | ${cell(r.doc)} |`)].join('\n')
}

export function flagsTable (): string {
  return ['| flag | env | sets |', '|---|---|---|',
    ...FLAGS.map((f) => `| \`--${f.flag}\` | \`${envName(f.flag)}\` | ${cell(f.doc)}${f.path === undefined ? '' : ` (\`${f.path.join('.')}\`)`} |`)].join('\n')
}

export function metricsTable (): string {
  const metrics = new Metrics()
  const rows = metrics.registry.getMetricsAsArray()
    .filter((m) => m.name.startsWith('shadowsplit_'))
    .map((m) => {
      const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? []
      const type = (m as unknown as { type: string }).type
      return `| \`${m.name}\` | ${type} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${cell(m.help)} |`
    })
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

export function errorsTable (): string {
  return ['| code | HTTP | meaning |', '|---|---|---|',
    ...Object.values(ERRORS).map((e) => `| \`${e.code}\` | ${e.status === 0 ? 'exit 2' : e.status} | ${cell(e.doc)} |`)].join('\n')
}

const SECTIONS: Record<string, () => string> = {
  'config-table': configTable,
  'flags-table': flagsTable,
  'metrics-table': metricsTable,
  'errors-table': errorsTable
}

/** README with every generated section replaced by its current content. */
export function renderReadme (readme: string): string {
  let out = readme
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const i = out.indexOf(start)
    const j = out.indexOf(end)
    if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} … ${end} markers`)
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`
  }
  return out
}

export const EXAMPLE_PATH = root('config/example.yaml')
export const README_PATH = root('README.md')

if (import.meta.main) {
  writeFileSync(EXAMPLE_PATH, `${exampleYaml()}\n`)
  writeFileSync(README_PATH, renderReadme(readFileSync(README_PATH, 'utf8')))
  process.stdout.write('wrote config/example.yaml and README.md reference tables\n')
}
