// The cheap primary upstream every target shares: nginx serving a small static JSON file with keep-alive
// (one worker, no access log) when nginx is installed, else the node:http counting server in a child process.
// Either way it can say how many requests it has received, so a mirror's share can be measured exactly.
import { fileURLToPath } from 'node:url'
import { PAYLOAD } from './payload.ts'
import { freePort, httpText, waitForPort, HOST } from './net.ts'
import { startProcess } from './processes.ts'
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

export async function startCountingServer (name: string, delayMs: number): Promise<CountingServer> {
  const port = await freePort()
  const controlPort = await freePort()
  const proc = startProcess(name, process.execPath, [COUNTING_SERVER, '--port', String(port), '--control-port', String(controlPort), '--delay-ms', String(delayMs)])
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

/** A target that does not answer the payload would make every figure meaningless: check before loading it. */
export async function checkServesPayload (name: string, url: string): Promise<void> {
  const r = await httpText(url)
  if (r.status !== 200 || r.body !== PAYLOAD) throw new Error(`${name} (${url}) answered ${r.status} with ${JSON.stringify(r.body.slice(0, 120))}, not the payload`)
}

export async function startPrimary (nginx: NginxProbe): Promise<Upstream> {
  if ('missing' in nginx) {
    const s = await startCountingServer('upstream (node:http)', 0)
    return { label: 'node:http (nginx missing)', origin: s.origin, proc: s.proc, received: async () => (await s.count()).received, stop: s.stop }
  }
  const dir = makeNginxDir('upstream')
  writeWwwFile(dir, 'payload.json', PAYLOAD)
  const port = await freePort()
  const statusPort = await freePort()
  const running = await startNginx(nginx, 'upstream (nginx)', dir, nginxUpstreamConf(dir, port, statusPort), [port, statusPort])
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
