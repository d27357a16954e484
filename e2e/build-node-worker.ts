import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'vite'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A built Node worker and how to remove it. */
export interface BuiltWorker {
  url: URL
  dispose(): Promise<void>
}

/**
 * Bundle `src/worker/node-worker.ts` to JavaScript, since worker threads cannot load
 * TypeScript. Vite (already a dependency) bundles our sources into one file in about a second;
 * packages stay external and load from node_modules, which is why the output goes under
 * node_modules/.cache (a fresh folder per call, so parallel test files never share one).
 */
export async function buildNodeWorker(): Promise<BuiltWorker> {
  const cache = join(ROOT, 'node_modules', '.cache')
  await mkdir(cache, { recursive: true })
  const outDir = await mkdtemp(join(cache, 'deltalake-worker-'))
  const dispose = () => rm(outDir, { recursive: true, force: true })
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      ssr: join(ROOT, 'src/worker/node-worker.ts'),
      outDir,
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'node-worker.mjs' } },
    },
  }).catch(async (e: unknown) => {
    await dispose()
    throw e
  })
  return { url: pathToFileURL(join(outDir, 'node-worker.mjs')), dispose }
}
