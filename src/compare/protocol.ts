// Messages between the main thread and compare workers: plain data, bodies as transferable Uint8Arrays.
import type { CompareResult, CompareRulesConfig, Difference, SideInput } from './types.ts'
import type { SampleView } from './sample-view.ts'

interface Base {
  id: number
  /** Changes whenever a route's rules change, so workers compile each version once. */
  rulesKey: string
  rules: Partial<CompareRulesConfig>
}

export interface CompareRequest extends Base {
  type: 'compare'
  primary: SideInput
  candidate: SideInput
  secondary: SideInput | null
  /** Send the bodies back when the pair differs (the main thread may keep it as a sample). */
  wantBodies: boolean
}

export interface SampleRequest extends Base {
  type: 'sample'
  primary: SideInput
  candidate: SideInput
  differences: Difference[]
  redactFields: string[]
  /** Lower-case header names whose values never leave the worker in a difference. */
  redactHeaders: string[]
  bodyBytes: number
}

export type WorkerRequest = CompareRequest | SampleRequest

export type WorkerReply =
  | { id: number; type: 'compare'; ok: true; pc: CompareResult; ps: CompareResult | null; ms: number; bodies: [Uint8Array | null, Uint8Array | null] | null }
  | { id: number; type: 'sample'; ok: true; view: SampleView; differences: Difference[] }
  | { id: number; type: 'compare' | 'sample'; ok: false; error: string }

export type WorkerPolicy = 'idle' | 'nice'

/** workerData of a compare worker. */
export interface WorkerOptions {
  policy: WorkerPolicy
  /** Nice increment when SCHED_IDLE is not asked for or cannot be set. */
  nice: number
  /** Shared memory of the worker's ReplyRing: comparison replies without bodies go there (reply-ring.ts). */
  replies?: SharedArrayBuffer
}

/** A worker's first message: its Linux thread id (null elsewhere), the CPU priority it runs at, and why not the one asked for. */
export interface PriorityReport {
  tid: number | null
  applied: WorkerPolicy | 'none'
  error: string | null
}
