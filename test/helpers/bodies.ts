// Large JSON documents for comparison tests: `items` objects, the eighth of which carries `price`.
export function bigJson (items: number, price: number): Buffer {
  const list = Array.from({ length: items }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', 'c'], price: i === 7 ? price : 1.5, note: 'lorem ipsum dolor sit amet' }))
  return Buffer.from(JSON.stringify({ count: items, items: list }))
}
