// Generated tables live in bench/.data/<name>, each with a marker naming what built it; a
// table is reused when its marker matches, and rebuilt (in a child process) otherwise.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR, REPO } from './paths.js'

const MARKER = '.bench-dataset.json'
/** Bump when a generator changes what it writes, so old tables are rebuilt. */
export const GENERATOR_VERSION = 2

/**
 * The folder of a generated table.
 * @param {string} name
 */
export function datasetDir(name) {
  return join(DATA_DIR, name)
}

/**
 * Make sure the table `name` exists as `spec` describes, generating it with
 * `bench/gen/<spec.generator>.js` when it does not. Generation writes to a temporary folder and
 * renames it, so an interrupted run never leaves a half-built table that looks complete.
 * @param {string} name
 * @param {{ generator: string, args: Record<string, string | number> }} spec
 * @returns {{ dir: string, generated: boolean, ms: number }}
 */
export function ensureDataset(name, spec) {
  const dir = datasetDir(name)
  const want = JSON.stringify({ version: GENERATOR_VERSION, ...spec })
  const markerPath = join(dir, MARKER)
  if (existsSync(markerPath) && readFileSync(markerPath, 'utf8') === want) return { dir, generated: false, ms: 0 }
  const tmp = `${dir}.partial`
  rmSync(tmp, { recursive: true, force: true })
  const args = Object.entries(spec.args).flatMap(([k, v]) => [`--${k}`, String(v)])
  const t0 = Date.now()
  const child = spawnSync(process.execPath, ['--max-old-space-size=8192', join(REPO, 'bench', 'gen', `${spec.generator}.js`), '--out', tmp, ...args], {
    cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (child.status !== 0) throw new Error(`generating ${name} failed (exit ${child.status}): see the output above`)
  writeFileSync(join(tmp, MARKER), want)
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
  return { dir, generated: true, ms: Date.now() - t0 }
}
