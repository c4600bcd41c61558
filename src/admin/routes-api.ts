// Live route changes: percents and budgets change without a restart, validated by the same schema as the
// config file; a refused change leaves the old values in place.
import type { FastifyInstance } from 'fastify'
import type { Proxy } from '../proxy/proxy.ts'
import type { LiveRoute } from '../proxy/router.ts'
import { DEFAULT_ROUTE } from '../proxy/router.ts'
import { defaultRouteSpec } from '../config/schema.ts'
import type { RouteKnobs } from '../config/schema.ts'
import { ConfigError, validate } from '../config/schema-kit.ts'
import { checkKnobs, mergeRaw, resolveMode } from '../config/check.ts'
import { errorBody } from '../errors.ts'

export function routeView (route: LiveRoute): Record<string, unknown> {
  return {
    name: route.name,
    ...route.knobs,
    state: { inflight: route.budget.inflight, circuitOpen: route.budget.circuit.isOpen }
  }
}

/** Validates `change` on top of the route's current knobs; throws ConfigError naming the bad key. */
export function changedKnobs (proxy: Proxy, route: LiveRoute, change: unknown): RouteKnobs {
  const key = route.name === DEFAULT_ROUTE ? 'defaultRoute' : `routes.${route.name}`
  if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new ConfigError(key, 'the change must be a JSON object of route settings')
  const knobs = validate(defaultRouteSpec, mergeRaw(route.knobs, change), key) as RouteKnobs
  resolveMode(knobs, proxy.config)
  checkKnobs(key, knobs, proxy.config)
  return knobs
}

export function registerRoutesApi (app: FastifyInstance, proxy: Proxy): void {
  app.get('/api/routes', async () => proxy.router.all.map(routeView))

  app.put<{ Params: { name: string } }>('/api/routes/:name', async (req, reply) => {
    const route = proxy.router.byName(req.params.name)
    if (route === undefined) {
      return await reply.code(404).type('application/json').send(errorBody('notFound', `no route named '${req.params.name}'`))
    }
    try {
      route.update(changedKnobs(proxy, route, req.body))
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      return await reply.code(400).type('application/json').send(errorBody('invalidRouteUpdate', err.message))
    }
    proxy.log.info({ route: route.name, change: req.body }, 'route changed through the admin API')
    return routeView(route)
  })
}
