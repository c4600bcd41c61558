// Peer: fastify + @fastify/http-proxy in front of one upstream, configured as a fair operator would:
// logger off, keep-alive undici pool of 128 connections, pipelining 1 (the same pool shape as shadowsplit).
//   node bench/peers/fastify-proxy.ts --port P --upstream http://127.0.0.1:U
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } })
if (values.port === undefined || values.upstream === undefined) {
  process.stderr.write('usage: fastify-proxy.ts --port P --upstream URL\n')
  process.exit(2)
}

const app = Fastify({ logger: false })
await app.register(proxy, {
  upstream: values.upstream,
  undici: { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 }
})
await app.listen({ host: values.host, port: Number(values.port) })
