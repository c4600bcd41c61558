// Bearer-token guard for the admin port. Tokens are compared in constant time (digests of equal length), so
// the time a refusal takes says nothing about how much of the token was right.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { errorBody } from '../errors.ts'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function tokenMatches (header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token))
}

export interface AuthOptions {
  token: string | null
  publicPaths: readonly string[]
  /** Static files that carry no data (the dashboard's code). */
  isAsset: (path: string) => boolean
}

export function registerAuth (app: FastifyInstance, options: () => AuthOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    const { token, publicPaths, isAsset } = options()
    if (token === null) return
    const path = req.url.split('?')[0]
    if (READ_METHODS.has(req.method) && (publicPaths.includes(path) || isAsset(path))) return
    if (tokenMatches(req.headers.authorization, token)) return
    await reply.code(401).header('www-authenticate', 'Bearer realm="shadowsplit"').type('application/json')
      .send(errorBody('unauthorized', 'this admin resource needs Authorization: Bearer <admin.token>'))
  })
}
