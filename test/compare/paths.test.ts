import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { json } from './sides.ts'

const rules = compileRules({})
const pairs = (a: unknown, b: unknown) => compareSides(json(a), json(b), rules).map((d) => [d.path, d.at])

test('path is index-free, at is concrete', () => {
  const a = { items: [{ price: 1 }, { price: 2 }, { price: 3 }, { price: 4 }] }
  const b = { items: [{ price: 1 }, { price: 2 }, { price: 3 }, { price: 5 }] }
  assert.deepEqual(pairs(a, b), [['$.items[*].price', '$.items[3].price']])
})

test('the same field differing at different indices gives one path, so one metric label', () => {
  const make = (i: number) => ({ rows: Array.from({ length: 20 }, (_, j) => ({ cells: [j, j === i ? 'x' : j] })) })
  const base = make(-1)
  const labels = new Set([3, 7, 19].flatMap((i) => compareSides(json(base), json(make(i)), rules).map((d) => d.path)))
  assert.deepEqual([...labels], ['$.rows[*].cells[*]'])
})

test('keys that are not identifiers are bracket-quoted', () => {
  assert.deepEqual(pairs({ 'a.b': 1, 'x-y': { 'c d': [1] }, '': 1 }, { 'a.b': 2, 'x-y': { 'c d': [2] }, '': 2 }), [
    ['$["a.b"]', '$["a.b"]'],
    ['$["x-y"]["c d"][*]', '$["x-y"]["c d"][0]'],
    ['$[""]', '$[""]']
  ])
  assert.deepEqual(pairs({ 'say "hi"': 1 }, { 'say "hi"': 2 }), [['$["say \\"hi\\""]', '$["say \\"hi\\""]']])
})

test('identifier keys use dot notation, $ and _ included', () => {
  assert.deepEqual(pairs({ $ref: 1, _id: 1, a1: 1 }, { $ref: 2, _id: 2, a1: 2 }).map(([p]) => p), ['$.$ref', '$._id', '$.a1'])
})

test('numeric-looking object keys stay keys, not indices', () => {
  assert.deepEqual(pairs({ 10: 'a' }, { 10: 'b' }), [['$["10"]', '$["10"]']])
})

test('the fixed non-JSON paths', () => {
  assert.deepEqual(compareSides({ ...json(1), status: 200 }, { ...json(1), status: 500 }, rules).map((d) => d.path), ['status'])
})
