// Finding and running nginx: one master + one worker in a private prefix directory, in the foreground, so
// that it is a child process group like every other peer and leaves nothing behind.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { removeOnExit, startProcess } from './processes.ts'
import type { Managed } from './processes.ts'
import { waitForPort } from './net.ts'

export interface NginxInfo {
  bin: string
  version: string
  hasMirror: boolean
}

export type NginxProbe = NginxInfo | { missing: string }

export const NGINX_INSTALL_HINT = 'install it with `apt-get install nginx-light` (Debian/Ubuntu) or your package manager'

// nginx lives in sbin, which is not on a normal user's PATH.
function candidates (): string[] {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'])
  return [...new Set(dirs.filter((d) => d !== '').map((d) => path.join(d, 'nginx')))]
}

export function probeNginx (): NginxProbe {
  const bin = candidates().find((c) => existsSync(c))
  if (bin === undefined) return { missing: `nginx not found; ${NGINX_INSTALL_HINT}` }
  const r = spawnSync(bin, ['-V'], { encoding: 'utf8' })
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`
  const m = /nginx version: nginx\/(\S+)/.exec(text)
  if (r.status !== 0 || m === null) return { missing: `${bin} -V failed: ${text.trim().slice(0, 200)}` }
  // The mirror module is built by default; only an explicit --without removes it.
  return { bin, version: m[1] ?? '?', hasMirror: !text.includes('--without-http_mirror_module') }
}

export interface RunningNginx {
  proc: Managed
  dir: string
  stop: () => Promise<void>
}

/** Common top of every config: foreground, one worker, everything nginx writes kept inside `dir`. */
export function preamble (dir: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 8192; }
`
}

export function httpPreamble (dir: string): string {
  return `  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
`
}

export function makeNginxDir (name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `shadowsplit-bench-${name}-`))
  mkdirSync(path.join(dir, 'tmp'))
  mkdirSync(path.join(dir, 'www'))
  // Run as root, nginx's worker becomes `nobody`, which must be able to read what we put here.
  chmodSync(dir, 0o755)
  chmodSync(path.join(dir, 'www'), 0o755)
  return dir
}

/** Starts nginx with `conf` (written to dir/nginx.conf) and waits for every port in `ports`. */
export async function startNginx (info: NginxInfo, name: string, dir: string, conf: string, ports: number[]): Promise<RunningNginx> {
  const confPath = path.join(dir, 'nginx.conf')
  writeFileSync(confPath, conf)
  const test = spawnSync(info.bin, ['-t', '-q', '-p', dir, '-e', 'stderr', '-c', confPath], { encoding: 'utf8' })
  if (test.status !== 0) throw new Error(`${name}: nginx rejected its config (${confPath}):\n${test.stderr}`)
  const proc = startProcess(name, info.bin, ['-p', dir, '-e', 'stderr', '-c', confPath])
  const remove = removeOnExit(dir)
  for (const p of ports) await waitForPort(p, proc)
  return { proc, dir, stop: async () => { await proc.stop(); remove() } }
}

export function writeWwwFile (dir: string, file: string, content: string): void {
  const p = path.join(dir, 'www', file)
  writeFileSync(p, content)
  chmodSync(p, 0o644)
}
