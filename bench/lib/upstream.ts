// The cheap primary upstream every target shares: nginx serving a small static JSON file with keep-alive
// (one worker, no access log) when nginx is installed, else the node:http counting server in a child process.
// Either way it can say how many requests it has received, so a mirror's share can be measured exactly.
// startStaticJson() is the same with another body (the compare-e2e suite's 20 KB primary and candidate).
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PAYLOAD } from './payload.ts'
import { freePort, httpText, waitForPort, HOST } from './net.ts'
import { removeOnExit, startProcess } from './processes.ts'
import type { Managed } from './processes.ts'
import { httpPreamble, makeNginxDir, preamble, startNginx, writeWwwFile } from './nginx.ts'
import type { NginxProbe } from './nginx.ts'

export interface Upstream {
  /** What serves, for the report: "nginx 1.22.1 (1 worker)" or "node:http". */
  label: string
  origin: string
  /** Process group of the server, for CPU accounting. */
  proc: Managed
  /** Requests received since start (control requests excluded). */
  received: () => Promise<number>
  stop: () => Promise<void>
}

const COUNTING_SERVER = fileURLToPath(new URL('../servers/counting-server.ts', import.meta.url))

export interface CountingServer {
  origin: string
  proc: Managed
  count: () => Promise<{ received: number; inflight: number }>
  reset: () => Promise<void>
  stop: () => Promise<void>
}

/** `bodyFile`: answer with that file's bytes instead of the small PAYLOAD. */
export async function startCountingServer (name: string, delayMs: number, bodyFile?: string): Promise<CountingServer> {
  const port = await freePort()
  const controlPort = await freePort()
  const args = [COUNTING_SERVER, '--port', String(port), '--control-port', String(controlPort), '--delay-ms', String(delayMs)]
  if (bodyFile !== undefined) args.push('--body-file', bodyFile)
  const proc = startProcess(name, process.execPath, args)
  await waitForPort(port, proc)
  await waitForPort(controlPort, proc)
  const control = `http://${HOST}:${controlPort}`
  const count = async (): Promise<{ received: number; inflight: number }> => JSON.parse((await httpText(`${control}/count`)).body) as { received: number; inflight: number }
  return {
    origin: `http://${HOST}:${port}`,
    proc,
    count,
    reset: async () => { await httpText(`${control}/reset`, 'POST') },
    stop: async () => { await proc.stop() }
  }
}

function nginxUpstreamConf (dir: string, port: number, statusPort: number): string {
  return `${preamble(dir)}
http {
${httpPreamble(dir)}
  default_type application/json;
  open_file_cache max=64 inactive=60s;
  open_file_cache_valid 60s;
  server {
    listen ${HOST}:${port} backlog=4096;
    root ${dir}/www;
    location / { try_files /payload.json =404; }
  }
  # Request counter, on its own port so that reading it never mixes with the load.
  server {
    listen ${HOST}:${statusPort};
    location / { stub_status; }
  }
}
`
}

/**
 * A target that does not answer the payload would make every figure meaningless: check before loading it.
 * `expected` defaults to the small PAYLOAD; with `contentType`, the response's media type must be that too.
 */
export async function checkServesPayload (name: string, url: string, expected: string = PAYLOAD, contentType?: string): Promise<void> {
  const r = await httpText(url)
  if (r.status !== 200 || r.body !== expected) throw new Error(`${name} (${url}) answered ${r.status} with ${JSON.stringify(r.body.slice(0, 120))}, not the payload`)
  const essence = (r.contentType ?? '').split(';')[0]?.trim().toLowerCase()
  if (contentType !== undefined && essence !== contentType) throw new Error(`${name} (${url}) answered content-type ${JSON.stringify(r.contentType)}, not ${contentType}`)
}

// Both static files get the same mtime, so that nginx's Last-Modified (and ETag, for equal lengths) match.
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z')

export async function startPrimary (nginx: NginxProbe): Promise<Upstream> {
  return await startStaticJson(nginx, 'upstream', PAYLOAD)
}

/** nginx (or the node:http fallback) answering every path with `body` as application/json, counting requests. */
export async function startStaticJson (nginx: NginxProbe, name: string, body: string): Promise<Upstream> {
  if ('missing' in nginx) {
    let bodyFile: string | undefined
    if (body !== PAYLOAD) {
      const tmp = mkdtempSync(path.join(tmpdir(), 'shadowsplit-bench-body-'))
      removeOnExit(tmp)
      bodyFile = path.join(tmp, 'body.json')
      writeFileSync(bodyFile, body)
    }
    const s = await startCountingServer(`${name} (node:http)`, 0, bodyFile)
    return { label: 'node:http (nginx missing)', origin: s.origin, proc: s.proc, received: async () => (await s.count()).received, stop: s.stop }
  }
  const dir = makeNginxDir(name.replace(/[^a-z0-9]+/gi, '-'))
  writeWwwFile(dir, 'payload.json', body)
  utimesSync(path.join(dir, 'www', 'payload.json'), FIXED_MTIME, FIXED_MTIME)
  const port = await freePort()
  const statusPort = await freePort()
  const running = await startNginx(nginx, `${name} (nginx)`, dir, nginxUpstreamConf(dir, port, statusPort), [port, statusPort])
  // stub_status counts every request of the instance, including each read of itself.
  let reads = 0
  const received = async (): Promise<number> => {
    reads++
    const text = (await httpText(`http://${HOST}:${statusPort}/`)).body
    const m = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text)
    if (m === null) throw new Error(`unexpected stub_status output: ${text}`)
    return Number(m[3]) - reads
  }
  return { label: `nginx ${nginx.version} (1 worker, static file)`, origin: `http://${HOST}:${port}`, proc: running.proc, received, stop: running.stop }
}
