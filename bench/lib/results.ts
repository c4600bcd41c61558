// bench/results/ (git-ignored): the latest report and the configs the peers ran with, to inspect afterwards.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url))

/** Writes bench/results/<name> and returns its path relative to the repository. */
export function writeResult (name: string, text: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(`${RESULTS_DIR}${name}`, text)
  return `bench/results/${name}`
}
