// Deterministic bucketing for sticky splits: the same key lands on the same side on every replica, with no
// shared state, and raising the percent only moves keys from the primary to the candidate (a key's bucket
// never changes, only the threshold does).

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so that similar keys spread evenly. */
export function hash32 (key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Position of a key in [0, 100). */
export function bucketOf (key: string): number {
  return (hash32(key) / 0x1_0000_0000) * 100
}

export type StickyKey = { from: 'header' | 'cookie'; name: string }

export function parseStickyBy (stickyBy: string | null): StickyKey | null {
  if (stickyBy === null) return null
  const i = stickyBy.indexOf(':')
  return { from: stickyBy.slice(0, i) as 'header' | 'cookie', name: stickyBy.slice(i + 1).toLowerCase() }
}

/** Value of cookie `name` in a Cookie header, without decoding. */
export function cookieValue (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim().toLowerCase() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
