// The dashboard's static files, built into dist/dashboard by `npm ci` (the `prepare` script) and served from
// memory: `/` is index.html, `/assets/*` the rest. Nothing here comes from a CDN.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { errorBody } from '../errors.ts'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json'
}

export function isDashboardAsset (path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/')
}

function load (dir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>()
  if (!existsSync(join(dir, 'index.html'))) return files
  files.set('/', { type: TYPES['.html'], body: readFileSync(join(dir, 'index.html')) })
  const assets = join(dir, 'assets')
  if (existsSync(assets)) {
    for (const name of readdirSync(assets)) {
      files.set(`/assets/${name}`, { type: TYPES[extname(name)] ?? 'application/octet-stream', body: readFileSync(join(assets, name)) })
    }
  }
  return files
}

export function registerDashboard (app: FastifyInstance, dir = DASHBOARD_DIR): void {
  const files = load(dir)
  const send = (path: string) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const file = files.get(path)
    if (file === undefined) {
      return await reply.code(files.size === 0 ? 503 : 404).type('application/json').send(files.size === 0
        ? errorBody('notFound', 'the dashboard is not built: run `npm ci` (or `npm run build`) in the shadowsplit checkout')
        : errorBody('notFound', `no dashboard file ${path}`))
    }
    return await reply.type(file.type).header('cache-control', 'no-cache').send(file.body)
  }
  app.get('/', send('/'))
  app.get('/index.html', send('/'))
  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => await send(`/assets/${req.params['*']}`)(req, reply))
}
