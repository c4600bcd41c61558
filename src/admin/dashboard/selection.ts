// What the user is looking at: an endpoint, optionally one of its field paths, and a sample. Kept in the URL
// fragment, so a reload or a shared link opens the same view and a live refresh never loses it.

export interface Selection {
  endpoint: string | null
  path: string | null
  sample: string | null
}

export function readSelection (hash = location.hash): Selection {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  return { endpoint: params.get('endpoint'), path: params.get('path'), sample: params.get('sample') }
}

export function writeSelection (s: Selection): void {
  const params = new URLSearchParams()
  if (s.endpoint !== null) params.set('endpoint', s.endpoint)
  if (s.path !== null) params.set('path', s.path)
  if (s.sample !== null) params.set('sample', s.sample)
  const hash = params.toString()
  history.replaceState(null, '', hash === '' ? location.pathname + location.search : `#${hash}`)
}
