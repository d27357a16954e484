// Where the suite finds the built library, its data and its results.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (the folder holding package.json). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Generated tables, reused across runs of the same scale (gitignored). */
export const DATA_DIR = join(REPO, 'bench', '.data')
/** Scratch output of write workloads, emptied after each run (gitignored). */
export const TMP_DIR = join(REPO, 'bench', '.tmp')
/** Where `latest.json` goes. */
export const RESULTS_DIR = join(REPO, 'bench', 'results')
/** The built library. */
export const DIST = join(REPO, 'dist')

/** Fail early, with the fix, when the library has not been built. */
export function checkBuilt() {
  if (!existsSync(join(DIST, 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`')
  }
}

/**
 * Import a module of the built library by its path under dist/ (`'index.js'`,
 * `'delta/transaction.js'`): the suite measures what users run, not the TypeScript sources.
 * @param {string} path
 */
export function importDist(path) {
  return import(new URL(`../../dist/${path}`, import.meta.url).href)
}
