import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
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
  rmSync(join(root, 'dist'), { recursive: true, force: true })
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
  const note = absentCorpusNote()
  if (note) console.log(note)
}
