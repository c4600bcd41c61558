// The test port helpers hand out only ports a test can reach with fetch(): undici refuses the Fetch Standard's
// "bad ports" (10080 among them) before opening a socket, which once failed every request of the compose stack test.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { FETCH_BAD_PORTS, freePort, portsOutsideEphemeral } from './helpers/ports.ts'

test('the ports tests pick from include none that fetch() refuses', async () => {
  const ports = new Set(portsOutsideEphemeral())
  assert.ok(ports.size > 1000, `only ${ports.size} ports to pick from`)
  for (const bad of FETCH_BAD_PORTS) assert.ok(!ports.has(bad), `${bad} is handed out, and fetch() refuses it`)
  // The list is fetch's own: each of these is refused by this runtime's fetch, without a connection attempt.
  for (const bad of FETCH_BAD_PORTS) {
    const err = await fetch(`http://127.0.0.1:${bad}/`).then(() => null, (e: Error & { cause?: Error }) => e)
    assert.match(String(err?.cause?.message ?? err), /bad port/, `fetch() to ${bad} was not refused as a bad port`)
  }
})

test('a port from freePort() can be served and fetched', async () => {
  const port = await freePort()
  const server = http.createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok')
  } finally {
    server.close()
  }
})
