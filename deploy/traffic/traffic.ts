// Light traffic for the compose demo: RPS requests per second to TARGET over the demo service's endpoints, as a
// few dozen users (x-user header). LIMIT > 0 stops after that many requests. Runs with Node 24 as it is.
const target = process.env.TARGET ?? 'http://shadowsplit:8080'
const rps = Number(process.env.RPS ?? '10')
const limit = Number(process.env.LIMIT ?? '0')

const paths: Array<(i: number) => string> = [
  (i) => `/api/products/${1 + (i % 40)}`,
  (i) => `/api/users/${1 + (i % 25)}`,
  (i) => `/api/orders/${1 + (i % 30)}`,
  (i) => `/api/search?q=${'abcdefghjk'[i % 10]}`
]

if (!(rps > 0 && rps <= 1000)) {
  process.stderr.write(`traffic: RPS must be between 0 and 1000 (got '${process.env.RPS}')\n`)
  process.exit(2)
}

let sent = 0
let answered = 0
let failed = 0
const timer = setInterval(() => {
  if (limit > 0 && sent >= limit) {
    clearInterval(timer)
    return
  }
  const n = sent++
  const path = paths[n % paths.length](Math.floor(n / paths.length))
  fetch(`${target}${path}`, { headers: { 'x-user': `user-${n % 37}` }, signal: AbortSignal.timeout(5000) })
    .then(async (r) => { await r.arrayBuffer(); answered++ }, () => { failed++ })
    .finally(() => { if (limit > 0 && answered + failed === limit) finish(0) })
}, 1000 / rps)

const report = setInterval(() => {
  process.stdout.write(`${JSON.stringify({ msg: 'traffic', target, sent, answered, failed })}\n`)
}, 30_000)

function finish (code: number): void {
  clearInterval(timer)
  clearInterval(report)
  process.stdout.write(`${JSON.stringify({ msg: 'traffic stopped', target, sent, answered, failed })}\n`)
  process.exit(code)
}

// PID 1 in a container gets no default signal handling.
process.on('SIGTERM', () => finish(0))
process.on('SIGINT', () => finish(0))
