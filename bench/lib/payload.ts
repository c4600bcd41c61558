// The response every upstream in the benchmarks sends: a small JSON document (~200 bytes), so that the
// figures measure per-request proxy overhead rather than byte shovelling.
export const PAYLOAD = JSON.stringify({
  id: 48213,
  name: 'shadowsplit benchmark item',
  tags: ['alpha', 'beta', 'gamma'],
  price: { amount: 1999, currency: 'EUR' },
  stock: 42,
  active: true,
  updated: '2026-01-01T00:00:00Z',
  note: 'static payload for load benchmarks'
})

/** The path the load generator requests; the upstreams answer any path with PAYLOAD. */
export const LOAD_PATH = '/api/items/48213'
