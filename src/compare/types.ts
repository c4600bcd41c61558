// Shapes shared by the comparison engine and the worker that runs it. Everything here is plain data so a
// SideInput can cross a worker boundary by structured clone (with body.buffer in the transfer list).

/** One side of a mirrored exchange, as captured by the proxy. */
export interface SideInput {
  /** 0 = no response (upstream error); then `error` holds a code such as `ECONNRESET`. */
  status: number
  error: string | null
  /** Lower-case names, hop-by-hop headers already removed. */
  headers: Record<string, string | string[]>
  /** Every raw byte (still content-encoded) when the body fit the capture cap, else null. */
  body: Uint8Array | null
  /** Raw body length in bytes. */
  length: number
  /** Hex SHA-256 of the raw body when `body` is null (too large), else null. */
  sha256: string | null
}

/** Per-route comparison rules from the config file; every field is optional in the file. */
export interface CompareRulesConfig {
  /** JSON paths (`$.meta.at`, `$.items[*].updatedAt`, `$.*.etag`) and `header:NAME` entries to skip. */
  ignore: string[]
  /** `{"$.items": "id"}`: match the elements of that array by the `id` field instead of by index. */
  arrayKeys: Record<string, string>
  /** JSON paths of arrays compared as multisets (order ignored). */
  unordered: string[]
  /** Absolute tolerance under which two numbers are equal. */
  numericTolerance: number
  /** Header names to ignore on top of the defaults. */
  ignoreHeaders: string[]
}

/**
 * The fixed set of change kinds:
 * - `changed`      same place, different value (status, header value, scalar, text line, bytes, form field)
 * - `added`        present only on the candidate (header, cookie name, key, array element, form field, body)
 * - `removed`      present only on the primary
 * - `type`         JSON type differs (null vs non-null, number vs string, …) or the content types differ in essence
 * - `invalid_json` a body that claims JSON does not parse
 * - `undecodable`  a body's content-encoding could not be decoded (corrupt, unknown coding, over the size bound)
 * - `error`        a side has no response at all (status 0); `primary`/`candidate` hold the error code
 */
export type ChangeKind = 'changed' | 'added' | 'removed' | 'type' | 'invalid_json' | 'undecodable' | 'error'

/**
 * - `status`  the status line (kind `status`)
 * - `header`  a header (kind `header`)
 * - `schema`  the shape of the body changed: keys added/removed, types, invalid JSON, form fields added/removed,
 *             a body present on one side only, content types of different essence
 * - `value`   same shape, different content: scalars, array elements added/removed, text, bytes, undecodable
 */
export type DifferenceClass = 'status' | 'header' | 'schema' | 'value'

export interface Difference {
  kind: 'status' | 'header' | 'body'
  /** Index-free and stable, usable as a metric label: `status`, `header:etag`, `$.items[*].price`, `body:line:3`. */
  path: string
  /** Concrete location for samples: `$.items[3].price`, `$.items[id=42].price`, `line 12`. */
  at: string
  change: ChangeKind
  class: DifferenceClass
  /** Short JSON-ish rendering of the primary's value, at most about 200 characters. */
  primary?: string
  candidate?: string
}

/** What `compareSidesDetailed` returns: the first `maxDifferences` differences and how many more there were. */
export interface CompareResult {
  differences: Difference[]
  truncated: boolean
  /** Differences found beyond the cap and not returned. */
  omitted: number
}
