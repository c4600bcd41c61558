// Peer: the mirror a typical team writes by hand. node-http-proxy serves from the primary through a keep-alive
// http.Agent, and every GET/HEAD is also sent, fire-and-forget, to the candidate with undici's request(),
// whose answer is dumped. No budget, no timeout, no skip counting: that is the point of comparison.
//   node bench/peers/node-mirror.ts --port P --primary URL --candidate URL
import http from 'node:http'
import { parseArgs } from 'node:util'
import httpProxy from 'http-proxy'
import { request } from 'undici'

const { values } = parseArgs({
  options: { port: { type: 'string' }, primary: { type: 'string' }, candidate: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } }
})
if (values.port === undefined || values.primary === undefined || values.candidate === undefined) {
  process.stderr.write('usage: node-mirror.ts --port P --primary URL --candidate URL\n')
  process.exit(2)
}
const candidate = values.candidate

// Without a keep-alive agent node-http-proxy opens a connection per request (http-party/node-http-proxy#929).
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 })
const proxy = httpProxy.createProxyServer({ target: values.primary, agent })
proxy.on('error', (_err, _req, res) => {
  if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end()
  else res.destroy()
})

function mirror (req: http.IncomingMessage): void {
  // Only bodiless, safe methods: copying a streamed body would need a tee, which a typical team skips.
  if (req.method !== 'GET' && req.method !== 'HEAD') return
  const headers = { ...req.headers }
  delete headers.host
  request(candidate + (req.url ?? '/'), { method: req.method, headers })
    .then(async (res) => { await res.body.dump() })
    .catch(() => { /* the candidate's failures must not reach the client */ })
}

const server = http.createServer((req, res) => {
  mirror(req)
  proxy.web(req, res)
})
server.keepAliveTimeout = 72_000
server.listen(Number(values.port), values.host)
