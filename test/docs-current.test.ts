// The README's reference tables and config/example.yaml are generated from the code; they must be current.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { EXAMPLE_PATH, README_PATH, exampleYaml, renderReadme } from '../scripts/gen-docs.ts'

test('config/example.yaml is what `npm run docs` generates', () => {
  assert.equal(readFileSync(EXAMPLE_PATH, 'utf8'), `${exampleYaml()}\n`, 'run `npm run docs`')
})

test('the README reference tables are what `npm run docs` generates', () => {
  const readme = readFileSync(README_PATH, 'utf8')
  assert.equal(readme, renderReadme(readme), 'run `npm run docs`')
})
