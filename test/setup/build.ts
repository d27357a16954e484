import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Build the library to dist/ once before the suites: Node worker threads and browser pages
 * cannot load TypeScript, so the tests that cross those boundaries use the built JS.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
}
