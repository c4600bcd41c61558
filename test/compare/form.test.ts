import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareSides, compileRules } from '../../src/compare/compare-sides.ts'
import { side } from './sides.ts'

const rules = compileRules({})
const form = (body: string) => side(body, { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
const brief = (a: string, b: string) => compareSides(form(a), form(b), rules).map((d) => `${d.path} ${d.change} ${d.class} ${d.primary ?? '-'} ${d.candidate ?? '-'}`)

test('form bodies compare field by field, regardless of field order', () => {
  assert.deepEqual(brief('a=1&b=2', 'b=2&a=1'), [])
  assert.deepEqual(brief('a=1&b=2', 'a=1&b=3'), ['form:b changed value "2" "3"'])
})

test('a field on one side only is added/removed, class schema', () => {
  assert.deepEqual(brief('a=1&gone=x', 'a=1&new=y'), ['form:gone removed schema "x" -', 'form:new added schema - "y"'])
})

test('repeated fields compare as ordered lists', () => {
  assert.deepEqual(brief('t=a&t=b', 'x=0&t=a&t=b'), ['form:x added schema - "0"'])
  assert.deepEqual(brief('t=a&t=b', 't=b&t=a'), ['form:t changed value ["a","b"] ["b","a"]'])
  assert.deepEqual(brief('t=a&t=b', 't=a'), ['form:t changed value ["a","b"] "a"'])
})

test('percent-encoding and + are decoded before comparing', () => {
  assert.deepEqual(brief('q=a+b%21', 'q=a%20b!'), [])
})

test('a field named __proto__ is an ordinary field', () => {
  assert.deepEqual(brief('__proto__=1', '__proto__=2'), ['form:__proto__ changed value "1" "2"'])
})
