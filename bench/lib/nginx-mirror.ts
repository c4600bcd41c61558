// Peer: nginx's own mirror (ngx_http_mirror_module), one listener per candidate. The configuration follows
// the module's documentation (`mirror` + an `internal` location proxying to the candidate with
// $request_uri) and gives every upstream a keep-alive pool, as a fair operator would.
import { HOST, freePort } from './net.ts'
import { httpPreamble, makeNginxDir, preamble, startNginx } from './nginx.ts'
import type { NginxInfo } from './nginx.ts'
import type { Managed } from './processes.ts'

export interface MirrorCandidate {
  key: string
  origin: string
}

export interface RunningNginxMirror {
  proc: Managed
  /** Listener URL per candidate key. */
  urls: Record<string, string>
  /** The configuration it runs with, for the report. */
  conf: string
  stop: () => Promise<void>
}

function upstreamBlock (name: string, origin: string): string {
  const { hostname, port } = new URL(origin)
  return `  upstream ${name} {
    server ${hostname}:${port};
    keepalive 128;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
`
}

// Both locations set every header they need: a proxy_set_header in a location drops the inherited ones.
function serverBlock (port: number, candidateUpstream: string): string {
  return `  server {
    listen ${HOST}:${port} backlog=4096;
    location / {
      mirror /__shadow;
      mirror_request_body on;
      proxy_pass http://primary;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
    }
    location = /__shadow {
      internal;
      proxy_pass http://${candidateUpstream}$request_uri;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
    }
  }
`
}

export async function startNginxMirror (info: NginxInfo, primary: string, candidates: MirrorCandidate[]): Promise<RunningNginxMirror> {
  const dir = makeNginxDir('mirror')
  const urls: Record<string, string> = {}
  const ports: number[] = []
  let upstreams = upstreamBlock('primary', primary)
  let servers = ''
  for (const c of candidates) {
    const port = await freePort()
    const name = `candidate_${c.key.replace(/[^a-z0-9]/gi, '_')}`
    upstreams += upstreamBlock(name, c.origin)
    servers += serverBlock(port, name)
    urls[c.key] = `http://${HOST}:${port}`
    ports.push(port)
  }
  const conf = `${preamble(dir)}\nhttp {\n${httpPreamble(dir)}${upstreams}${servers}}\n`
  const running = await startNginx(info, 'nginx mirror', dir, conf, ports)
  return { proc: running.proc, urls, conf, stop: running.stop }
}
