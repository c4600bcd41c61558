// A cheap upstream that counts what it receives: the node:http fallback primary (when nginx is missing) and
// the mirror candidates (fast, or answering after --delay-ms). The count lives on a separate control port so
// that reading or resetting it never mixes with the load.
//   node bench/servers/counting-server.ts --port P --control-port C [--delay-ms 100] [--body-file F]
// --body-file answers with that file's bytes (as application/json) instead of the small PAYLOAD.
// Control: GET /count → {"received":N,"inflight":M}; POST /reset → zeroes `received`.
import http from 'node:http'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { PAYLOAD } from '../lib/payload.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'control-port': { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
    'body-file': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' }
  }
})
const port = Number(values.port)
const controlPort = Number(values['control-port'])
const delayMs = Number(values['delay-ms'])
if (!Number.isInteger(port) || !Number.isInteger(controlPort) || !(delayMs >= 0)) {
  process.stderr.write('usage: counting-server.ts --port P --control-port C [--delay-ms N] [--body-file F]\n')
  process.exit(2)
}

const body = values['body-file'] === undefined ? Buffer.from(PAYLOAD) : readFileSync(values['body-file'])
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) }
let received = 0
let inflight = 0

function answer (res: http.ServerResponse): void {
  res.writeHead(200, headers)
  res.end(body)
}

// Counted on arrival of the request head, so a request the proxy sent is counted even if it is cut short.
const server = http.createServer((req, res) => {
  received++
  inflight++
  res.once('close', () => { inflight-- })
  // The request body (if any) must be read for the connection to stay reusable.
  req.resume()
  if (delayMs === 0) answer(res)
  else setTimeout(answer, delayMs, res)
})
// Proxies keep pooled connections idle between runs; don't let the server close them under their feet.
server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000
server.requestTimeout = 0

const control = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') received = 0
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ received, inflight }))
})

server.listen(port, values.host)
control.listen(controlPort, values.host)
