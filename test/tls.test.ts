// Upstream TLS is verified by default; a CA file or an explicit opt-out makes a private certificate work.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { startProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'

let server: https.Server
let url: string
let certFile: string

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowsplit-tls-'))
  certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' })
  server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (_req, res) => res.end('secure'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => { server.closeAllConnections(); server.close() })

test('a self-signed upstream certificate is refused by default', async () => {
  const p = await startProxy({ primary: url })
  const res = await request(`${p.url}/`)
  await p.stop()
  assert.equal(res.status, 502)
  assert.match(JSON.parse(res.body.toString()).message, /SELF_SIGNED|CERT/)
})

test('the certificate is accepted with upstream.ca', async () => {
  const p = await startProxy({ primary: url }, { upstream: { ca: certFile } })
  const res = await request(`${p.url}/`)
  await p.stop()
  assert.equal(res.status, 200)
  assert.equal(res.body.toString(), 'secure')
})

test('verification can be turned off explicitly', async () => {
  const p = await startProxy({ primary: url }, { upstream: { rejectUnauthorized: false } })
  const res = await request(`${p.url}/`)
  await p.stop()
  assert.equal(res.status, 200)
})
