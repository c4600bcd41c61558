// Exchanges flow one way: a bounded queue (count and bytes; overflow dropped and counted), cheap checks inline,
// structural comparison in worker threads, then analysis, metrics, a log line and maybe a sample. Nothing here
// runs before the client's response is finished, and nothing here can hold the client path back.
import { availableParallelism } from 'node:os'
import type { Config, CompareRules } from '../config/schema.ts'
import type { Logger } from '../observe/log.ts'
import type { Metrics } from '../observe/metrics.ts'
import type { Analysis, Verdict } from '../analysis/analysis.ts'
import type { SampleStore } from '../observe/samples.ts'
import type { BodyView, SampleSide } from '../admin/api-contract.ts'
import { redactUrl } from '../observe/samples.ts'
import { SECRET_HEADERS, redactHeaders } from '../observe/redact.ts'
import type { Exchange } from '../shadow/exchange.ts'
import type { UpstreamResult } from '../proxy/upstream-call.ts'
import type { CaptureLedger } from '../proxy/capture.ts'
import { headerMap } from '../proxy/headers.ts'
import { pathOf } from '../analysis/endpoint-names.ts'
import { hasNoBody } from './body-plan.ts'
import { contentCodings } from './decode-body.ts'
import { compareSides, compileRules } from './compare-sides.ts'
import type { CompiledRules } from './compare-sides.ts'
import type { Difference, SideInput } from './types.ts'
import type { WorkerRequest } from './protocol.ts'
import { WorkerPool } from './pool.ts'
import { CpuShare } from './cpu-share.ts'

export interface PipelineDeps {
  config: () => Config
  metrics: Metrics
  analysis: Analysis
  samples: SampleStore
  log: Logger
  /** The live comparison rules of a route. */
  rulesFor: (route: string) => CompareRules
  /** Where an exchange's captured bytes go back once the pipeline is done with its bodies. */
  ledger: CaptureLedger
}

type Sides = { primary: SideInput; candidate: SideInput; secondary: SideInput | null }

type Task =
  | { kind: 'compare'; ex: Exchange; sides: Sides; bytes: number }
  | { kind: 'sample'; ex: Exchange; verdict: Verdict; sides: [SideInput, SideInput]; bytes: number }

function toSide (r: UpstreamResult): SideInput {
  return { status: r.status, error: r.error, headers: headerMap(r.headers), body: r.body.bytes, length: r.body.length, sha256: r.body.sha256 }
}

/** Identical bytes, digests only, or no body: what compareSides answers without parsing anything. */
function cheap (a: SideInput, b: SideInput): boolean {
  if (hasNoBody(a.status) || hasNoBody(b.status) || (a.body === null && b.body === null)) return true
  if (a.body === null || b.body === null) return false
  const ca = contentCodings(a.headers['content-encoding']).join(',')
  const cb = contentCodings(b.headers['content-encoding']).join(',')
  return ca === cb && Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength).equals(b.body)
}

/** A buffer can move to a worker without a copy when it owns its whole ArrayBuffer. */
function transferable (body: Uint8Array | null, out: ArrayBuffer[]): void {
  if (body !== null && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) out.push(body.buffer)
}

const bytesOf = (ex: Exchange): number => ex.primary.body.length + ex.candidate.body.length + (ex.secondary?.body.length ?? 0)

export class ComparePipeline {
  readonly #deps: PipelineDeps
  readonly #queue: Task[] = []
  #bytes = 0
  #seq = 0
  readonly #pool: WorkerPool
  readonly #cpu: CpuShare | null
  readonly #compiled = new WeakMap<CompareRules, { key: string; rules: CompiledRules }>()

  constructor (deps: PipelineDeps) {
    this.#deps = deps
    const c = deps.config().compare
    const shared = c.cpu === 'shared'
    const workers = c.workers || (shared ? 1 : Math.max(1, availableParallelism() - 1))
    const cpu = this.#cpu = shared ? new CpuShare(deps.log, undefined, () => deps.metrics.cpuReleases.inc()) : null
    let warned = false
    this.#pool = new WorkerPool(workers, () => this.#pump(), { policy: c.workerPolicy, nice: c.workerNice }, (r) => {
      if (r.tid !== null) cpu?.addWorker(r.tid)
      if (r.error === null || warned) return
      warned = true
      deps.log.warn({ asked: c.workerPolicy, applied: r.applied, reason: r.error }, 'compare workers could not lower their CPU priority as configured')
    })
    deps.metrics.queueFrom(() => this.#queue.length)
    deps.metrics.cpuFrom(() => cpu?.cpu ?? -1)
    void cpu?.start()
  }

  get queued (): number { return this.#queue.length }

  /** No room for another exchange: new copies are not worth sending (the proxy skips them as diff_queue_full). */
  get full (): boolean {
    const { compare: c, capture } = this.#deps.config()
    // The ledger counts as full without room for one more exchange at the size limit: copies sent then would mostly
    // find none, and the candidate would serve them for nothing.
    return this.#queue.length >= c.queueSize || this.#bytes >= c.queueBytes || !this.#deps.ledger.fits(2 * capture.bodyLimit)
  }

  #release (ex: Exchange): void {
    const { ledger } = this.#deps
    ledger.release(ex.primary.body)
    ledger.release(ex.candidate.body)
    if (ex.secondary !== null) ledger.release(ex.secondary.body)
  }

  #rules (route: string): { key: string; raw: CompareRules; rules: CompiledRules } {
    const raw = this.#deps.rulesFor(route)
    let c = this.#compiled.get(raw)
    if (c === undefined) {
      c = { key: `${route}#${++this.#seq}`, rules: compileRules(raw) }
      this.#compiled.set(raw, c)
    }
    return { key: c.key, raw, rules: c.rules }
  }

  readonly submit = (ex: Exchange): void => {
    const { analysis } = this.#deps
    if (!ex.request.compare) { this.#release(ex); analysis.uncompared(ex); return }
    if (ex.primary.error !== null || ex.candidate.error !== null) { this.#release(ex); analysis.failed(ex); return }
    // A side captured nothing because capture.maxBytes was reached: no room, as with a full queue.
    if (ex.primary.body.dropped || ex.candidate.body.dropped) { this.#noRoom(ex); return }
    const primary = toSide(ex.primary)
    const candidate = toSide(ex.candidate)
    const secondary = ex.secondary === null || ex.secondary.error !== null || ex.secondary.body.dropped ? null : toSide(ex.secondary)
    if (cheap(primary, candidate) && (secondary === null || cheap(primary, secondary))) {
      const { rules } = this.#rules(ex.request.route)
      const pc = compareSides(primary, candidate, rules)
      const ps = secondary === null ? null : compareSides(primary, secondary, rules)
      if (!this.#conclude(ex, pc, ps, [primary, candidate])) this.#release(ex)
      return
    }
    this.#enqueue({ kind: 'compare', ex, sides: { primary, candidate, secondary }, bytes: bytesOf(ex) }, false)
  }

  #enqueue (task: Task, front: boolean): boolean {
    const c = this.#deps.config().compare
    if (this.#queue.length >= c.queueSize || this.#bytes + task.bytes > c.queueBytes) return this.#dropped(task)
    if (front) this.#queue.unshift(task)
    else this.#queue.push(task)
    this.#bytes += task.bytes
    this.#pump()
    return true
  }

  #dropped (task: Task): false {
    if (task.kind === 'compare') {
      this.#noRoom(task.ex)
    } else {
      this.#release(task.ex)
      this.#deps.metrics.samplesSkipped.inc({ reason: 'queue_full' })
    }
    return false
  }

  /** An exchange the pipeline had no room for (queue or capture.maxBytes): counted, its bytes given back. */
  #noRoom (ex: Exchange): void {
    this.#release(ex)
    this.#deps.metrics.skip('diff_queue_full')
    this.#deps.analysis.skipped(ex.request.endpoint)
  }

  #pump (): void {
    while (this.#pool.hasRoom && this.#queue.length > 0) {
      const task = this.#queue.shift()!
      this.#bytes -= task.bytes
      if (task.kind === 'compare') this.#runCompare(task.ex, task.sides)
      else this.#runSample(task.ex, task.verdict, task.sides)
    }
  }

  #runCompare (ex: Exchange, { primary, candidate, secondary }: Sides): void {
    const { key, raw } = this.#rules(ex.request.route)
    const transfer: ArrayBuffer[] = []
    for (const s of [primary, candidate, secondary]) if (s !== null) transferable(s.body, transfer)
    // Bodies come back from the worker only for an exchange that may become a sample.
    const wantBodies = this.#deps.samples.wouldAdmit(ex.request.endpoint)
    const task: WorkerRequest = { type: 'compare', id: ++this.#seq, rulesKey: key, rules: raw, primary, candidate, secondary, wantBodies }
    void this.#pool.run(task, transfer).then((reply) => {
      if (!reply.ok || reply.type !== 'compare') {
        this.#release(ex)
        this.#deps.log.error({ endpoint: ex.request.endpoint, reason: reply.ok ? 'unexpected reply' : reply.error }, 'comparison failed')
        this.#deps.analysis.failed(ex)
        return
      }
      this.#deps.metrics.diffDuration.observe(reply.ms / 1000)
      const sides: [SideInput, SideInput] | null = reply.bodies === null
        ? null
        : [{ ...primary, body: reply.bodies[0] }, { ...candidate, body: reply.bodies[1] }]
      if (!this.#conclude(ex, reply.pc.differences, reply.ps?.differences ?? null, sides)) this.#release(ex)
    })
  }

  /** Records the verdict; true when a sample of it was queued, which holds on to the bodies until it is built. */
  #conclude (ex: Exchange, pc: Difference[], ps: Difference[] | null, sides: [SideInput, SideInput] | null): boolean {
    const { analysis, samples, metrics, log } = this.#deps
    const verdict = analysis.ingest(ex, pc, ps, this.#deps.rulesFor(ex.request.route).noise)
    if (verdict.result !== 'diverge') return false
    const r = ex.request
    // The line's fields (a Set of paths among them) are built only when it will be written.
    if (this.#deps.config().compare.logDivergences && log.isLevelEnabled('info')) {
      log.info({
        endpoint: r.endpoint,
        route: r.route,
        method: r.method,
        path: pathOf(r.url),
        class: verdict.cls,
        status: [ex.primary.status, ex.candidate.status],
        paths: [...new Set(verdict.reported.map((d) => d.path))].slice(0, 10)
      }, 'divergence')
    }
    // No sides: the worker kept the bodies, because the endpoint had used its sample budget when it was sent.
    if (sides === null || !samples.admit(r.endpoint)) { metrics.samplesSkipped.inc({ reason: 'rate' }); return false }
    return this.#enqueue({ kind: 'sample', ex, verdict, sides, bytes: ex.primary.body.length + ex.candidate.body.length }, true)
  }

  #runSample (ex: Exchange, verdict: Verdict, sides: [SideInput, SideInput]): void {
    const { config, samples, metrics, log } = this.#deps
    const c = config()
    const { key, raw } = this.#rules(ex.request.route)
    const transfer: ArrayBuffer[] = []
    for (const s of sides) transferable(s.body, transfer)
    const task: WorkerRequest = {
      type: 'sample', id: ++this.#seq, rulesKey: key, rules: raw, primary: sides[0], candidate: sides[1],
      differences: verdict.reported,
      redactFields: c.redact.fields,
      redactHeaders: [...SECRET_HEADERS, ...c.redact.headers.map((h) => h.toLowerCase())],
      bodyBytes: c.samples.bodyBytes
    }
    const extra = new Set(c.redact.headers.map((h) => h.toLowerCase()))
    const fields = new Set(c.redact.fields.map((f) => f.toLowerCase()))
    void this.#pool.run(task, transfer).then((reply) => {
      this.#release(ex)
      if (!reply.ok || reply.type !== 'sample') {
        metrics.samplesSkipped.inc({ reason: 'failed' })
        log.warn({ endpoint: ex.request.endpoint, reason: reply.ok ? 'unexpected reply' : reply.error }, 'sample could not be built')
        return
      }
      const side = (r: UpstreamResult, s: SideInput, body: BodyView): SampleSide =>
        ({ status: r.status, error: r.error, ms: Number(r.ms.toFixed(2)), headers: redactHeaders(s.headers, extra), body })
      const req = ex.request
      samples.add({
        id: samples.nextId(),
        time: new Date().toISOString(),
        endpoint: req.endpoint,
        route: req.route,
        class: verdict.cls!,
        served: req.served,
        request: { method: req.method, url: redactUrl(req.url, fields), headers: redactHeaders(req.headers, extra) },
        primary: side(ex.primary, sides[0], reply.view.primary),
        candidate: side(ex.candidate, sides[1], reply.view.candidate),
        differences: reply.differences,
        changeset: reply.view.changeset
      })
    })
  }

  async close (): Promise<void> {
    for (const task of this.#queue) this.#release(task.ex)
    this.#queue.length = 0
    await this.#cpu?.close()
    await this.#pool.close()
  }
}
