// The ~20 KB JSON documents of the compare-e2e suite: a realistic listing response (nested objects, arrays of
// objects, strings, numbers, booleans, nulls), generated deterministically so that every run serves the same
// bytes, and the candidate's copy with exactly one field changed.
//
// The change keeps the length (a 3-digit stock count becomes another 3-digit count), so content-length,
// nginx's ETag and, with the same mtime, Last-Modified are identical on both sides: the only difference the
// comparator can find is that one body field, and it has to parse both bodies to find it (the raw bytes
// differ, so the byte-equal fast path does not apply).

import { rng } from './rng.ts'

export const JSON_BODY_TARGET_BYTES = 20 * 1024

const WORDS = ['aurora', 'basalt', 'cedar', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper', 'krypton', 'lagoon', 'meadow', 'nimbus']
const CATEGORIES = [['home', 'kitchen', 'cookware'], ['outdoor', 'camping', 'tents'], ['office', 'furniture', 'chairs'], ['garden', 'tools']]

interface Item {
  id: number
  sku: string
  name: string
  category: { id: number; path: string[] }
  price: { amount: number; currency: string; tax: { rate: number; amount: number }; discount: { percent: number; until: string } | null }
  stock: number
  available: boolean
  tags: string[]
  attributes: Array<{ name: string; value: string }>
  seller: { id: number; name: string; rating: number; verified: boolean }
  images: Array<{ url: string; width: number; height: number }>
  updatedAt: string
}

function makeItem (r: () => number, id: number): Item {
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)] as string
  const amount = Math.round(r() * 50_000) / 100
  return {
    id,
    sku: `SKU-${String(100000 + Math.floor(r() * 900000))}`,
    name: `${word()} ${word()} ${word()}`,
    category: { id: 10 + Math.floor(r() * 90), path: CATEGORIES[Math.floor(r() * CATEGORIES.length)] as string[] },
    price: {
      amount,
      currency: 'EUR',
      tax: { rate: 0.19, amount: Math.round(amount * 19) / 100 },
      discount: r() > 0.7 ? { percent: 5 + Math.floor(r() * 30), until: '2026-02-01T00:00:00Z' } : null
    },
    // Always three digits: the candidate's change must keep the body's length.
    stock: 100 + Math.floor(r() * 900),
    available: r() > 0.2,
    tags: [word(), word()],
    attributes: [
      { name: 'color', value: word() },
      { name: 'material', value: word() }
    ],
    seller: { id: 1000 + Math.floor(r() * 9000), name: `${word()} GmbH`, rating: Math.round(r() * 50) / 10, verified: r() > 0.5 },
    images: [{ url: `https://cdn.example.com/img/${id}/main.jpg`, width: 800, height: 600 }],
    updatedAt: new Date(1_760_000_000_000 + Math.floor(r() * 1e10)).toISOString()
  }
}

export interface JsonBodies {
  primary: string
  candidate: string
  /** JSON path of the one field that differs, e.g. `$.items[13].stock`. */
  changedPath: string
  items: number
}

function build (targetBytes: number, seed: number): JsonBodies {
  const r = rng(seed)
  const doc = {
    meta: { requestId: 'req-7f3a9c', generatedAt: '2026-01-01T00:00:00.000Z', apiVersion: 3, region: 'eu-west-1', cache: { hit: false, ttlSeconds: 60 } },
    customer: {
      id: 'cus_48213',
      segment: 'retail',
      addresses: [
        { type: 'billing', street: '12 Harbor Lane', city: 'Hamburg', zip: '20095', country: 'DE' },
        { type: 'shipping', street: '7 Cedar Court', city: 'Bremen', zip: '28195', country: 'DE' }
      ],
      preferences: { currency: 'EUR', locale: 'de-DE', newsletter: true }
    },
    paging: { page: 1, perPage: 0, total: 0, next: null as string | null },
    items: [] as Item[],
    facets: [
      { name: 'category', buckets: [{ key: 'home', count: 41 }, { key: 'outdoor', count: 17 }, { key: 'office', count: 9 }] },
      { name: 'available', buckets: [{ key: 'true', count: 58 }, { key: 'false', count: 9 }] }
    ]
  }
  while (JSON.stringify(doc).length < targetBytes) doc.items.push(makeItem(r, doc.items.length + 1))
  doc.paging.perPage = doc.paging.total = doc.items.length
  const primary = JSON.stringify(doc)
  const index = Math.floor(doc.items.length / 2)
  const item = doc.items[index] as Item
  item.stock = item.stock === 999 ? 100 : item.stock + 1
  const candidate = JSON.stringify(doc)
  if (candidate.length !== primary.length || candidate === primary) throw new Error('json-body: the candidate change must keep the length and change the body')
  return { primary, candidate, changedPath: `$.items[${index}].stock`, items: doc.items.length }
}

export const JSON_BODIES: JsonBodies = build(JSON_BODY_TARGET_BYTES, 20_480)
