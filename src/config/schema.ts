// The one declaration of shadowsplit's configuration: types, defaults and the description of every key.
import type { Spec } from './schema-kit.ts'
import { parseListen, parseOrigin } from './addresses.ts'
import type { ListenAddress } from './addresses.ts'

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'] as const
export const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

const listen = (doc: string, def: string): Spec => ({
  kind: 'custom', doc, typeDoc: 'HOST:PORT', default: parseListen(def), parse: parseListen
})
const origins = (doc: string): Spec => ({
  kind: 'list', doc, commaString: true, of: { kind: 'custom', doc: 'origin', typeDoc: 'URL', parse: parseOrigin }
})
const percent = (doc: string, def: number): Spec => ({ kind: 'number', doc, default: def, min: 0, max: 100 })

const regexSource: Spec = {
  kind: 'custom',
  doc: 'regular expression',
  typeDoc: 'regex',
  parse: (v) => {
    if (v === null) return null
    if (typeof v !== 'string') throw new Error(`must be a regular expression string (got ${JSON.stringify(v)})`)
    try { new RegExp(v) } catch (err) { throw new Error(`is not a valid regular expression: ${(err as Error).message}`) }
    return v
  }
}

const budget: Spec = {
  kind: 'object',
  doc: 'Limits on the cost of mirrored traffic. A limit that bites skips the mirror and counts the reason.',
  fields: {
    maxInflight: { kind: 'number', integer: true, min: 1, max: 100_000, default: 64, doc: 'Most mirrored requests in flight to the candidate at once (`concurrency` skip).' },
    maxRps: { kind: 'number', min: 0, max: 1_000_000, default: 0, doc: 'Most mirrored requests per second, token bucket with a one-second burst; 0 means no rate limit (`rate` skip).' },
    timeout: { kind: 'duration', min: 1, max: 600_000, default: 5000, doc: 'Whole-exchange timeout of a mirrored request; a timeout counts as a circuit failure.' },
    circuit: {
      kind: 'object',
      doc: 'Circuit breaker on the mirror target.',
      fields: {
        failures: { kind: 'number', integer: true, min: 1, max: 10_000, default: 5, doc: 'Consecutive failures or timeouts that open the circuit (`circuit_open` skip).' },
        cooldown: { kind: 'duration', min: 1, max: 3_600_000, default: 10_000, doc: 'How long the circuit stays open before one half-open probe is let through.' }
      }
    }
  }
}

const stringList = (doc: string): Spec => ({ kind: 'list', of: { kind: 'string', doc: 'item' }, doc })

const compareRules: Spec = {
  kind: 'object',
  doc: 'How responses of this route are compared.',
  fields: {
    enabled: { kind: 'boolean', default: true, doc: 'Compare this route\'s responses. `false`: copies are still sent, read to their end and timed (latency metrics, `/api/endpoints` latencies), but nothing is captured or compared, and no copy goes to the secondary — a mirror for load or warm-up (in `compare-e2e`, 20 KB JSON: about half the proxy\'s CPU of a compared mirror).' },
    ignore: stringList('JSON paths with `*` wildcards (`$.meta.generatedAt`, `$.items[*].updatedAt`) and `header:NAME` entries left out of the comparison.'),
    arrayKeys: { kind: 'map', of: { kind: 'string', doc: 'key field' }, doc: 'Arrays matched by a key field instead of by index, e.g. `{"$.items": "id"}`.' },
    unordered: stringList('JSON paths of arrays compared as unordered sets.'),
    numericTolerance: { kind: 'number', min: 0, default: 0, doc: 'Absolute difference under which two numbers are equal.' },
    ignoreHeaders: stringList('Response headers ignored on top of the defaults (date, server, age, etag, via, x-request-id, content-length, set-cookie values).'),
    noise: stringList('Index-free paths known to be noise (a path and everything under it): still counted, never reported as a divergence.')
  }
}

export const routeKnobFields: Record<string, Spec> = {
  mode: { kind: 'enum', values: ['mirror', 'split', 'off'], nullable: true, doc: '`mirror`: the primary serves, copies go to the candidate; `split`: `splitPercent` is served by the candidate and the rest may be mirrored; `off`: pass-through. Default: `mirror` when a candidate is set, else `off`.' },
  mirrorPercent: percent('Share of eligible primary-served requests copied to the candidate (fractional, e.g. 0.5).', 100),
  splitPercent: percent('In `split` mode, share of requests served by the candidate.', 0),
  stickyBy: { kind: 'string', nullable: true, default: null, pattern: /^(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, patternDoc: 'header:NAME or cookie:NAME', doc: 'Split by a hash of this header or cookie, so a user stays on one side on every replica; random when absent or unset.' },
  reverseShadow: { kind: 'boolean', default: false, doc: 'Mirror requests served by the candidate to the primary, so comparison continues during a canary.' },
  mirrorMethods: { kind: 'list', commaString: true, default: [...SAFE_METHODS], of: { kind: 'enum', values: HTTP_METHODS, doc: 'method' }, doc: 'Methods that may be mirrored. Adding unsafe methods duplicates writes in the candidate\'s database.' },
  mirrorBodyLimit: { kind: 'size', min: 0, max: 256 * 1024 ** 2, default: 1024 ** 2, doc: 'Largest request body copied for a mirror; larger bodies still stream to the primary and the mirror is skipped (`body_too_large`).' },
  mirrorTiming: { kind: 'enum', values: ['concurrent', 'after_response'], default: 'concurrent', doc: 'When a copy is sent. `concurrent`: with the serving request (as soon as a request body is copied), so both versions see the request at the same moment. `after_response`: once the client\'s response is finished, so the copy\'s work (the candidate\'s CPU, its socket and response on the proxy) never overlaps the exchange it copies: lower client latency when the proxy shares CPUs with the candidate or is busy, at the cost of the candidate seeing each request later by the primary\'s response time (more noise in time-dependent fields; a secondary is sent with the copy, so noise learning sees the same offset).' },
  secondaryPercent: percent('Share of mirrored requests also sent to the secondary, to learn noise.', 100),
  budget,
  compare: compareRules
}

const matchSpec: Spec = {
  kind: 'object',
  doc: 'What a route matches; every given condition must hold. An empty match matches everything.',
  fields: {
    methods: { kind: 'list', commaString: true, of: { kind: 'enum', values: HTTP_METHODS, doc: 'method' }, doc: 'Request methods.' },
    prefix: { kind: 'string', nullable: true, pattern: /^\//, patternDoc: 'a path starting with /', doc: 'Path prefix.' },
    template: { kind: 'string', nullable: true, pattern: /^\//, patternDoc: 'a path template like /users/:id', doc: 'Path template; `:name` matches one segment. Also names the endpoint.' },
    regex: { ...regexSource, default: null, doc: 'Regular expression tested against the path (without the query).' },
    headers: { kind: 'map', of: { kind: 'string', doc: 'value' }, doc: 'Headers that must be present with exactly these values; `*` matches any value.' }
  }
}

export const routeSpec: Spec = {
  kind: 'object',
  doc: 'A route.',
  fields: {
    name: { kind: 'string', pattern: /^[A-Za-z0-9_.-]{1,64}$/, patternDoc: 'a name of letters, digits, `_`, `.` or `-`', doc: 'Unique route name, used by `PUT /api/routes/:name`.' },
    match: matchSpec,
    ...routeKnobFields
  }
}

export const defaultRouteSpec: Spec = {
  kind: 'object',
  doc: 'Knobs of the default route, which serves what no route matches; routes inherit every knob they leave out.',
  fields: routeKnobFields
}

export const configSpec: Spec = {
  kind: 'object',
  doc: 'shadowsplit configuration',
  fields: {
    listen: listen('Address of the proxy listener.', '0.0.0.0:8080'),
    adminListen: listen('Address of the admin server (health, metrics, API, dashboard).', '127.0.0.1:9901'),
    admin: {
      kind: 'object',
      doc: 'Who may use the admin port.',
      fields: {
        token: { kind: 'string', nullable: true, default: null, pattern: /^[\x21-\x7e]{16,}$/, patternDoc: 'at least 16 printable characters without spaces', doc: 'Bearer token for the admin API (`Authorization: Bearer TOKEN`). Required to start on a non-loopback admin address unless `allowInsecure`.' },
        allowInsecure: { kind: 'boolean', default: false, doc: 'Start on a non-loopback admin address without a token (an open admin port).' },
        publicPaths: { kind: 'list', of: { kind: 'string', pattern: /^\//, patternDoc: 'a path starting with /', doc: 'path' }, default: ['/healthz', '/readyz', '/metrics'], doc: 'Paths readable without the token when one is set (the dashboard\'s static files are always readable; they hold no data). Changes (PUT, POST) always need the token.' }
      }
    },
    logLevel: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'pino log level.' },
    accessLog: { kind: 'boolean', default: false, doc: 'Write one log line per proxied request (asynchronous).' },
    primary: origins('Primary (serving) version: one or more origins, comma-separated or a list; requests are balanced round-robin.'),
    candidate: origins('Candidate (new) version: one or more origins.'),
    secondary: {
      kind: 'custom',
      doc: 'Another instance of the primary version, to tell noise from divergence: origins, or `primary` to send a sampled share of mirrored requests to the primary twice (see `secondaryPercent`).',
      typeDoc: 'URL list \\| primary',
      default: [],
      parse: (v) => {
        const items: unknown[] = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : Array.isArray(v) ? v : [v]
        if (items.length === 1 && items[0] === 'primary') return ['primary']
        return items.map(parseOrigin)
      }
    },
    targetHeader: { kind: 'string', nullable: true, default: 'x-shadowsplit-target', pattern: /^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/, patternDoc: 'a header name', doc: 'Request header that forces the serving side (`primary` or `candidate`); null or empty disables it (edge deployments).' },
    hostRewrite: {
      kind: 'object',
      doc: 'Host header sent to each upstream; by default the client\'s Host is passed through unchanged.',
      fields: {
        primary: { kind: 'string', nullable: true, default: null, doc: 'Host header for the primary.' },
        candidate: { kind: 'string', nullable: true, default: null, doc: 'Host header for the candidate.' }
      }
    },
    upstream: {
      kind: 'object',
      doc: 'Connections to upstreams (one capped keep-alive pool per origin).',
      fields: {
        connections: { kind: 'number', integer: true, min: 1, max: 10_000, default: 128, doc: 'Most open connections per upstream origin.' },
        connectTimeout: { kind: 'duration', min: 1, max: 600_000, default: 5000, doc: 'TCP+TLS connect timeout; 504 when it fires.' },
        headersTimeout: { kind: 'duration', min: 1, max: 3_600_000, default: 60_000, doc: 'Wait for response headers; 504 when it fires.' },
        bodyTimeout: { kind: 'duration', min: 1, max: 3_600_000, default: 60_000, doc: 'Most idle time between two body chunks of a response.' },
        keepAliveTimeout: { kind: 'duration', min: 1, max: 600_000, default: 4000, doc: 'Idle time before an upstream socket is closed; keep it below the upstream\'s own.' },
        rejectUnauthorized: { kind: 'boolean', default: true, doc: 'Verify upstream TLS certificates.' },
        ca: { kind: 'string', nullable: true, default: null, doc: 'Path of a PEM file with extra CA certificates for upstream TLS.' }
      }
    },
    server: {
      kind: 'object',
      doc: 'The inbound listener.',
      fields: {
        keepAliveTimeout: { kind: 'duration', min: 1, max: 3_600_000, default: 72_000, doc: 'Idle keep-alive time of client connections; must outlive the load balancer in front.' },
        headersTimeout: { kind: 'duration', min: 1, max: 3_600_000, default: 60_000, doc: 'Time a client has to send its request headers.' },
        requestTimeout: { kind: 'duration', min: 1, max: 3_600_000, default: 300_000, doc: 'Time a client has to send its whole request.' },
        drainTimeout: { kind: 'duration', min: 0, max: 3_600_000, default: 10_000, doc: 'On SIGTERM/SIGINT, how long in-flight requests may finish before connections are closed.' }
      }
    },
    endpoints: {
      kind: 'object',
      doc: 'How request paths become bounded `endpoint` labels.',
      fields: {
        templates: { kind: 'list', of: { kind: 'string', pattern: /^\//, patternDoc: 'a template like /users/:id', doc: 'template' }, doc: 'Path templates such as `/users/:id`, tried in order before automatic naming.' },
        maxEndpoints: { kind: 'number', integer: true, min: 1, max: 10_000, default: 100, doc: 'Most distinct endpoints; later ones are counted as `other`.' }
      }
    },
    defaultRoute: defaultRouteSpec,
    routes: { kind: 'list', of: routeSpec, maxItems: 1000, doc: 'Routes, matched in order; the first match wins, the default route takes the rest.' },
    capture: {
      kind: 'object',
      doc: 'What is kept of each side of a mirrored exchange for comparison.',
      fields: {
        bodyLimit: { kind: 'size', min: 0, max: 256 * 1024 ** 2, default: 1024 ** 2, doc: 'Response bytes kept per side; larger bodies are compared by length and SHA-256 only.' },
        maxBytes: { kind: 'size', min: 0, max: 64 * 1024 ** 3, default: 64 * 1024 ** 2, doc: 'Most response bytes kept at once over every exchange: in flight, waiting for a worker, being compared or becoming a sample. An exchange that finds no room is not compared (`diff_queue_full`), and no copies are sent while there is less than two bodies at `capture.bodyLimit`. With `samples.maxBytes` it bounds what comparing keeps in memory (README: Memory and garbage collection); at least twice `capture.bodyLimit`.' }
      }
    },
    compare: {
      kind: 'object',
      doc: 'The comparison pipeline, off the client path.',
      fields: {
        workers: { kind: 'number', integer: true, min: 0, max: 64, default: 0, doc: 'Worker threads for structural comparison; 0 means one with `cpu: shared`, else one less than the CPUs (at least 1).' },
        cpu: { kind: 'enum', values: ['shared', 'spread'], default: 'shared', doc: 'Where the compare workers run (Linux, with util-linux `taskset`). `shared`: the main thread and the workers are bound to one CPU (the one other processes kept least busy over the first second), so comparisons only get the time the client path leaves idle there and the main thread keeps its CPU; if the main thread, while serving (running 5 % of the time or more), then keeps waiting for that CPU (over 30 % of its runnable time for 3 s, while another CPU sat idle: another process is busy on its CPU), every thread is released to all CPUs and bound again a minute later (longer after repeated releases). `spread`: the scheduler places every thread; comparisons can use other CPUs\' idle time (more exchanges compared at high load), and the client path pays for it (measured in the README, Benchmarks).' },
        workerPolicy: { kind: 'enum', values: ['idle', 'nice'], default: 'idle', doc: 'How compare workers yield the CPU to the client path (Linux). `idle`: the SCHED_IDLE policy (set with util-linux `chrt`), so any other runnable thread (the proxy, the upstreams on the same host) preempts a comparison at once; falls back to `nice` when that fails. `nice`: only a lower nice value (`workerNice`).' },
        workerNice: { kind: 'number', integer: true, min: 0, max: 19, default: 10, doc: 'How much lower the compare workers\' CPU priority is than the proxy\'s (Linux nice increment per thread) with `workerPolicy: nice`, or when SCHED_IDLE cannot be set; 0 keeps it equal.' },
        queueSize: { kind: 'number', integer: true, min: 1, max: 1_000_000, default: 256, doc: 'Most exchanges waiting for a worker; more are dropped and counted (`diff_queue_full`). Kept small on purpose (every waiting exchange outlives the young generation and costs the proxy main thread GC time), but with room for a burst while the workers start.' },
        queueBytes: { kind: 'size', min: 1024, max: 16 * 1024 ** 3, default: 64 * 1024 ** 2, doc: 'Most captured body bytes waiting for a worker; more are dropped and counted.' },
        confidence: { kind: 'number', min: 0.5, max: 0.9999, default: 0.99, doc: 'Confidence of the noise test: a path is reported when the candidate\'s difference rate exceeds the primaries\' noise rate at this confidence.' },
        maxPathsPerEndpoint: { kind: 'number', integer: true, min: 1, max: 10_000, default: 50, doc: 'Most distinct field paths per endpoint in metrics and reports; later ones are counted as `other`.' },
        logDivergences: { kind: 'boolean', default: true, doc: 'Write one log line per divergent request.' }
      }
    },
    samples: {
      kind: 'object',
      doc: 'Recent divergent exchanges kept for inspection (`GET /api/divergences`), bounded by count and bytes.',
      fields: {
        max: { kind: 'number', integer: true, min: 0, max: 100_000, default: 500, doc: 'Most samples kept (least recently used go first).' },
        maxBytes: { kind: 'size', min: 0, max: 4 * 1024 ** 3, default: 32 * 1024 ** 2, doc: 'Most bytes kept over all samples.' },
        bodyBytes: { kind: 'size', min: 0, max: 16 * 1024 ** 2, default: 16 * 1024, doc: 'Bytes of each decoded body kept in a sample (truncated past that).' },
        perEndpointPerMinute: { kind: 'number', integer: true, min: 0, max: 100_000, default: 60, doc: 'New samples per endpoint per minute: a bucket of this many, refilled at this rate continuously, so a busy endpoint gets its samples spread evenly instead of all at the start of each minute. Also bounds the cost of building readable changesets.' }
      }
    },
    redact: {
      kind: 'object',
      doc: 'Secrets kept out of samples and logs, on top of authorization, proxy-authorization, cookie and set-cookie.',
      fields: {
        headers: stringList('More header names whose values are redacted.'),
        fields: stringList('JSON field names (any depth) and form fields whose values are redacted in samples, e.g. `password`, `token`.')
      }
    }
  }
}

export type Mode = 'mirror' | 'split' | 'off'

export interface BudgetConfig {
  maxInflight: number
  maxRps: number
  timeout: number
  circuit: { failures: number; cooldown: number }
}

export interface CompareRules {
  enabled: boolean
  ignore: string[]
  arrayKeys: Record<string, string>
  unordered: string[]
  numericTolerance: number
  ignoreHeaders: string[]
  noise: string[]
}

export interface RouteKnobs {
  mode: Mode
  mirrorPercent: number
  splitPercent: number
  stickyBy: string | null
  reverseShadow: boolean
  mirrorMethods: string[]
  mirrorBodyLimit: number
  mirrorTiming: 'concurrent' | 'after_response'
  secondaryPercent: number
  budget: BudgetConfig
  compare: CompareRules
}

export interface RouteMatch {
  methods: string[]
  prefix: string | null
  template: string | null
  regex: string | null
  headers: Record<string, string>
}

export interface RouteConfig extends RouteKnobs {
  name: string
  match: RouteMatch
}

export interface Config {
  listen: ListenAddress
  adminListen: ListenAddress
  admin: { token: string | null; allowInsecure: boolean; publicPaths: string[] }
  logLevel: string
  accessLog: boolean
  primary: string[]
  candidate: string[]
  /** Origins, or ['primary'] to use the primary's own pool. */
  secondary: string[]
  targetHeader: string | null
  hostRewrite: { primary: string | null; candidate: string | null }
  upstream: {
    connections: number
    connectTimeout: number
    headersTimeout: number
    bodyTimeout: number
    keepAliveTimeout: number
    rejectUnauthorized: boolean
    ca: string | null
  }
  server: { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number; drainTimeout: number }
  endpoints: { templates: string[]; maxEndpoints: number }
  defaultRoute: RouteKnobs
  routes: RouteConfig[]
  capture: { bodyLimit: number; maxBytes: number }
  compare: { workers: number; cpu: 'shared' | 'spread'; workerPolicy: 'idle' | 'nice'; workerNice: number; queueSize: number; queueBytes: number; confidence: number; maxPathsPerEndpoint: number; logDivergences: boolean }
  samples: { max: number; maxBytes: number; bodyBytes: number; perEndpointPerMinute: number }
  redact: { headers: string[]; fields: string[] }
}
