import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Names and times of every file the page is built from, hashed: a changed source rebuilds. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256')
  for (const dir of ['src', 'e2e/page']) {
    const entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()
    for (const f of files) hash.update(`${relative(ROOT, f)}:${(await stat(f)).mtimeMs}\n`)
  }
  return hash.digest('hex').slice(0, 16)
}

/**
 * Build the e2e harness page (e2e/page) with Vite into node_modules/.cache and return the
 * folder. Test files running in parallel share one build: each builds into a folder of its own
 * and renames it into place; whoever loses the rename uses the winner's identical build.
 */
export async function buildHarnessPage(): Promise<string> {
  const cache = join(ROOT, 'node_modules', '.cache')
  const target = join(cache, `deltalake-e2e-${await sourceHash()}`)
  if (existsSync(join(target, 'index.html'))) return target
  await mkdir(cache, { recursive: true })
  const scratch = `${target}.${process.pid}.${Date.now()}`
  await build({
    configFile: false,
    root: join(ROOT, 'e2e/page'),
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: scratch, emptyOutDir: true, minify: false, sourcemap: true, target: 'es2023' },
  })
  try {
    await rename(scratch, target)
  } catch {
    await rm(scratch, { recursive: true, force: true })
  }
  await pruneOldBuilds(cache, target)
  return target
}

/** Builds of older sources pile up as files change: drop those untouched for an hour. */
async function pruneOldBuilds(cache: string, keep: string): Promise<void> {
  const hourAgo = Date.now() - 3600_000
  for (const name of await readdir(cache)) {
    const dir = join(cache, name)
    if (!name.startsWith('deltalake-e2e-') || dir === keep) continue
    const info = await stat(dir).catch(() => undefined)
    if (info && info.mtimeMs < hourAgo) await rm(dir, { recursive: true, force: true })
  }
}
