// Builds the dashboard into dist/dashboard: esbuild bundles src/admin/dashboard/app.ts (and what it imports)
// into assets/app.js; index.html and style.css are copied. Run by `npm ci` (the `prepare` script) and by
// `npm run build`. Each file is written to a temporary name and renamed, so an admin server (or a test) reading
// the directory meanwhile sees the old file or the new one, never half of one.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SOURCE_DIR = fileURLToPath(new URL('../src/admin/dashboard/', import.meta.url))
export const OUT_DIR = fileURLToPath(new URL('../dist/dashboard/', import.meta.url))

function writeAtomically (file: string, contents: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, contents)
  renameSync(tmp, file)
}

async function loadEsbuild (): Promise<typeof import('esbuild')> {
  try {
    return await import('esbuild')
  } catch (err) {
    throw new Error(`esbuild is missing: the dashboard is built with the devDependencies installed (npm ci) (${(err as Error).message})`)
  }
}

/** Builds the bundle; returns the files written, relative to `outDir`. */
export async function buildDashboard (outDir = OUT_DIR): Promise<string[]> {
  const esbuild = await loadEsbuild()
  const result = await esbuild.build({
    entryPoints: [join(SOURCE_DIR, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    outfile: join(outDir, 'assets', 'app.js'),
    write: false,
    logLevel: 'silent'
  })
  const files = new Map<string, string | Uint8Array>()
  for (const out of result.outputFiles) files.set(`assets/${out.path.split('/').pop()!}`, out.contents)
  files.set('index.html', readFileSync(join(SOURCE_DIR, 'index.html'), 'utf8'))
  files.set('assets/style.css', readFileSync(join(SOURCE_DIR, 'style.css'), 'utf8'))

  mkdirSync(join(outDir, 'assets'), { recursive: true })
  for (const [name, contents] of files) writeAtomically(join(outDir, name), contents)
  // Files of an older build that this one no longer makes.
  for (const name of readdirSync(join(outDir, 'assets'))) {
    if (!files.has(`assets/${name}`)) rmSync(join(outDir, 'assets', name), { force: true })
  }
  return [...files.keys()]
}

if (import.meta.main) {
  try {
    const files = await buildDashboard()
    process.stdout.write(`dashboard built: ${files.map((f) => `dist/dashboard/${f}`).join(', ')}\n`)
  } catch (err) {
    process.stderr.write(`build-dashboard: ${(err as Error).message}\n`)
    process.exit(1)
  }
}
