import { execFileSync } from 'node:child_process'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { absentCorpusNote } from '../conformance/corpus.js'

/**
 * Build the library to a clean dist/ once before the suites, as `npm run build` does: Node worker
 * threads and browser pages cannot load TypeScript, so the tests that cross those boundaries use
 * the built JS, and the package test packs it. Then say, once for the whole run, when the
 * conformance corpus is absent (the suites that read it skip without a word).
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
  // Built beside dist/ and swapped in, so whatever still reads dist/ never sees it half-built.
  const fresh = join(root, 'dist.building')
  const old = join(root, 'dist.old')
  rmSync(fresh, { recursive: true, force: true })
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fresh], { cwd: root, stdio: 'inherit' })
  rmSync(old, { recursive: true, force: true })
  if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), old)
  renameSync(fresh, join(root, 'dist'))
  rmSync(old, { recursive: true, force: true })
  const note = absentCorpusNote()
  if (note && process.env.DELTA_CORPUS_REQUIRED) {
    // CI has the corpus beside the clone: a run that silently skipped it would prove nothing.
    throw new Error(`${note}; DELTA_CORPUS_REQUIRED is set, so this run fails instead`)
  }
  if (note) console.log(note)
}
