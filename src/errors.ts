// The catalogue of errors shadowsplit reports, with stable codes. Each has the HTTP status it answers with
// (0 when it is not an HTTP answer) and the line the README's error table shows.

export interface ErrorDef { code: string; status: number; doc: string }

export const ERRORS = {
  config: { code: 'SHADOWSPLIT_CONFIG', status: 0, doc: 'A flag, env var or config key is invalid; the process exits with code 2 and one line naming the key.' },
  badRequest: { code: 'SHADOWSPLIT_BAD_REQUEST', status: 400, doc: 'The client sent a malformed request (bad request line, bad header, both Content-Length and Transfer-Encoding).' },
  upstreamUnavailable: { code: 'SHADOWSPLIT_UPSTREAM_UNAVAILABLE', status: 502, doc: 'The serving upstream refused the connection, reset it, or answered with broken HTTP.' },
  upstreamTimeout: { code: 'SHADOWSPLIT_UPSTREAM_TIMEOUT', status: 504, doc: 'The serving upstream did not connect, send headers, or send body data within the configured timeout.' },
  invalidRouteUpdate: { code: 'SHADOWSPLIT_INVALID_ROUTE_UPDATE', status: 400, doc: 'A live route change was refused by the config schema; the old values stay.' },
  adminBadRequest: { code: 'SHADOWSPLIT_BAD_ADMIN_REQUEST', status: 400, doc: 'An admin API request could not be read (bad JSON, wrong content type).' },
  internal: { code: 'SHADOWSPLIT_INTERNAL', status: 500, doc: 'An unexpected failure inside the admin API; the proxy itself keeps serving.' },
  unauthorized: { code: 'SHADOWSPLIT_UNAUTHORIZED', status: 401, doc: 'The admin API needs `Authorization: Bearer TOKEN` (admin.token) and the request had none or a wrong one.' },
  notFound: { code: 'SHADOWSPLIT_NOT_FOUND', status: 404, doc: 'The admin API has no such route, endpoint or resource.' }
} as const satisfies Record<string, ErrorDef>

export type ErrorName = keyof typeof ERRORS

/** The short JSON body of an error answer. */
export function errorBody (name: ErrorName, message: string): string {
  return JSON.stringify({ error: ERRORS[name].code, message })
}
