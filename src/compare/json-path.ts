// Renders the walk's segment stack as a path string, only when a difference is found. The walk itself never
// builds strings: it keeps parallel arrays of segments and their kinds, overwritten in place as it moves.

/** Kinds of a path segment on the walk's stack. */
export const SEG_KEY = 0
export const SEG_INDEX = 1
/** An element of an array matched by key; the segment holds the rendered key value. */
export const SEG_KEYED = 2

export interface PathStack {
  segs: (string | number)[]
  kinds: number[]
  /** For SEG_KEYED segments: the element field the array is keyed by. */
  keyNames: string[]
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

export function keySegment (name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

/** `$.items[*].price`: stable across requests, so it can be a metric label. */
export function indexFreePath (stack: PathStack, depth: number): string {
  let out = '$'
  for (let d = 0; d < depth; d++) {
    out += stack.kinds[d] === SEG_KEY ? keySegment(stack.segs[d] as string) : '[*]'
  }
  return out
}

/** `$.items[3].price` or `$.items[id=42].price`: where exactly, for samples. */
export function concretePath (stack: PathStack, depth: number): string {
  let out = '$'
  for (let d = 0; d < depth; d++) {
    const kind = stack.kinds[d]
    if (kind === SEG_KEY) out += keySegment(stack.segs[d] as string)
    else if (kind === SEG_INDEX) out += `[${stack.segs[d]}]`
    else out += `[${stack.keyNames[d]}=${stack.segs[d]}]`
  }
  return out
}
