// What the comparison found: endpoints with their divergent and noisy fields, recent divergent samples,
// operator noise marks, and a reset.
import type { FastifyInstance } from 'fastify'
import type { Analysis } from '../analysis/analysis.ts'
import { endpointsReport } from '../analysis/report.ts'
import type { SampleStore } from '../observe/samples.ts'
import { errorBody } from '../errors.ts'

export interface AnalysisApiDeps {
  analysis: Analysis
  samples: SampleStore
  routeNoise: (endpoint: string) => readonly string[]
  log: { info: (obj: object, msg: string) => void }
}

const MAX_LIMIT = 500

export function registerAnalysisApi (app: FastifyInstance, deps: AnalysisApiDeps): void {
  const { analysis, samples } = deps

  app.get('/api/endpoints', async () => endpointsReport(analysis, deps.routeNoise))

  app.get<{ Querystring: { endpoint?: string; path?: string; limit?: string } }>('/api/divergences', async (req, reply) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return await reply.code(400).type('application/json').send(errorBody('adminBadRequest', `limit must be an integer between 1 and ${MAX_LIMIT}`))
    }
    return samples.list({ endpoint: req.query.endpoint, path: req.query.path, limit })
  })

  app.get<{ Params: { id: string } }>('/api/divergences/:id', async (req, reply) => {
    const sample = samples.get(req.params.id)
    if (sample === undefined) return await reply.code(404).type('application/json').send(errorBody('notFound', `no sample '${req.params.id}' (samples are evicted when the store is full)`))
    return sample
  })

  app.put<{ Body: { endpoint?: unknown; path?: unknown; noise?: unknown } }>('/api/noise', async (req, reply) => {
    const { endpoint, path, noise } = req.body ?? {}
    if (typeof endpoint !== 'string' || typeof path !== 'string' || path === '' || typeof noise !== 'boolean') {
      return await reply.code(400).type('application/json').send(errorBody('adminBadRequest', 'body must be {"endpoint": string, "path": string, "noise": true|false}'))
    }
    analysis.markNoise(endpoint, path, noise)
    deps.log.info({ endpoint, path, noise }, 'noise mark changed through the admin API')
    return { endpoint, path, noise, marked: [...analysis.marked(endpoint)] }
  })

  app.post('/api/reset', async () => {
    analysis.reset()
    samples.reset()
    deps.log.info({}, 'analysis and samples reset through the admin API')
    return { reset: true }
  })
}
