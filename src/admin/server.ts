// The admin server (fastify, loopback by default): health, readiness, metrics, API and dashboard.
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Proxy } from '../proxy/proxy.ts'
import { PrimaryProbe } from './readiness.ts'
import { registerRoutesApi } from './routes-api.ts'
import { registerAuth } from './auth.ts'
import { isDashboardAsset, registerDashboard } from './dashboard-files.ts'
import { registerAnalysisApi } from './analysis-api.ts'
import type { AnalysisApiDeps } from './analysis-api.ts'
import { errorBody } from '../errors.ts'

export interface AdminDeps {
  proxy: Proxy
  analysis: AnalysisApiDeps
  /** True once the proxy listener accepts connections and until shutdown begins. */
  listening: () => boolean
}

export function createAdminServer (deps: AdminDeps): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: false })
  const probe = new PrimaryProbe(deps.proxy.config.primary)
  const metrics = deps.proxy.metrics

  registerAuth(app, () => ({ ...deps.proxy.config.admin, isAsset: isDashboardAsset }))
  app.setErrorHandler(async (err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode ?? 500
    const name = status === 404 ? 'notFound' : status < 500 ? 'adminBadRequest' : 'internal'
    return await reply.code(status).type('application/json').send(errorBody(name, err.message))
  })
  app.setNotFoundHandler(async (req, reply) =>
    await reply.code(404).type('application/json').send(errorBody('notFound', `no admin resource ${req.method} ${req.url}`)))

  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_req, reply) => {
    if (!deps.listening()) return await reply.code(503).send({ status: 'not ready', reason: deps.proxy.draining ? 'shutting down' : 'listener not started' })
    const up = await probe.reachable()
    if (up.length === 0) return await reply.code(503).send({ status: 'not ready', reason: 'no primary origin reachable', primary: deps.proxy.config.primary })
    return { status: 'ready', primary: up }
  })

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.contentType)
    return await metrics.render()
  })

  registerDashboard(app)
  registerRoutesApi(app, deps.proxy)
  registerAnalysisApi(app, deps.analysis)
  return app
}
