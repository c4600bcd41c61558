// Calls to the admin API. The bearer token (when the server wants one) lives in sessionStorage, so it is gone
// when the tab closes, and is sent on every call.
import type { EndpointView, RouteView, Sample } from './api-types.ts'

const TOKEN_KEY = 'shadowsplit.adminToken'

/** The server answered 401: a token is needed, or the one given was refused. */
export class Unauthorized extends Error {}

/** Any other refusal; `message` is the server's own (e.g. a route validation error). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor (status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

// Kept too in memory for a browser that refuses sessionStorage (the token then lasts until reload).
let memoryToken: string | null = null

export function savedToken (): string | null {
  try { return sessionStorage.getItem(TOKEN_KEY) } catch { return null }
}

export function saveToken (token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, token)
  } catch { /* storage disabled */ }
  memoryToken = token
}

async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const token = savedToken() ?? memoryToken
  if (token !== null && token !== '') headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  // Relative URLs: the dashboard keeps working behind a reverse proxy that mounts the admin port on a prefix.
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
  const data = await res.json().catch(() => null) as { error?: unknown; message?: unknown } | null
  if (res.status === 401) throw new Unauthorized(typeof data?.message === 'string' ? data.message : 'unauthorized')
  if (!res.ok) {
    const message = typeof data?.message === 'string' ? data.message : `HTTP ${res.status} from ${path}`
    throw new ApiError(res.status, typeof data?.error === 'string' ? data.error : '', message)
  }
  return data as T
}

const q = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v))
  return s.toString()
}

export const api = {
  endpoints: async () => await call<EndpointView[]>('GET', 'api/endpoints'),
  routes: async () => await call<RouteView[]>('GET', 'api/routes'),
  samples: async (endpoint: string, path: string | undefined, limit: number) =>
    await call<Sample[]>('GET', `api/divergences?${q({ endpoint, path, limit })}`),
  sample: async (id: string) => await call<Sample>('GET', `api/divergences/${encodeURIComponent(id)}`),
  updateRoute: async (name: string, change: Record<string, unknown>) =>
    await call<RouteView>('PUT', `api/routes/${encodeURIComponent(name)}`, change),
  markNoise: async (endpoint: string, path: string, noise: boolean) =>
    await call<unknown>('PUT', 'api/noise', { endpoint, path, noise }),
  reset: async () => await call<unknown>('POST', 'api/reset')
}
