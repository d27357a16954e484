// Chromium for workload 6: the benchmark page built with Vite from the built library, and the
// browser's memory as the kernel saw it.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO, TMP_DIR } from './paths.js'

/** Debian's Chromium, as the e2e suites use it (browser downloads do not work offline). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Why workload 6 cannot run here, or undefined when it can.
 */
export function browserUnavailable() {
  if (!existsSync(CHROMIUM_PATH)) return `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`
  if (!existsSync(join(REPO, 'dist', 'worker', 'index.js'))) return 'dist/worker is missing: build the library with its worker pool'
  return undefined
}

/**
 * Bundle bench/chromium/page with Vite (the worker and parquet-wasm's binary included, as an
 * app's bundler would) into a scratch folder; `dispose` removes it.
 */
export async function buildBenchPage() {
  const { build } = await import('vite')
  const outDir = join(TMP_DIR, `chromium-page-${process.pid}`)
  await build({
    configFile: false,
    root: join(REPO, 'bench', 'chromium', 'page'),
    base: './',
    logLevel: 'error',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, minify: true, target: 'es2023' },
  })
  return { dir: outDir, dispose: () => rmSync(outDir, { recursive: true, force: true }) }
}

/**
 * A throwaway TLS key and certificate for 127.0.0.1, from the e2e suites' own generator
 * (e2e/self-signed.ts, bundled to JS with Vite, since Node 20 cannot load TypeScript).
 * @returns {Promise<{ key: string, cert: string }>}
 */
export async function selfSignedCertificate() {
  const { build } = await import('vite')
  const outDir = join(TMP_DIR, `self-signed-${process.pid}`)
  try {
    await build({
      configFile: false,
      root: REPO,
      logLevel: 'error',
      build: { ssr: join(REPO, 'e2e', 'self-signed.ts'), outDir, emptyOutDir: true, minify: false, rollupOptions: { output: { format: 'es', entryFileNames: 'self-signed.mjs' } } },
    })
    const { selfSignedCertificate: make } = await import(pathToFileURL(join(outDir, 'self-signed.mjs')).href)
    return make()
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** A flag Chromium ignores, marking the browser process this process launched. */
const TAG = `--deltalake-bench=${process.pid}`

/** Launch headless Chromium with the flags the e2e suites use. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', TAG],
  })
}

/**
 * The peak resident memory (VmHWM) of the renderer processes of the browser this process
 * launched, in MiB: the page's JS heap, its workers' heaps and their wasm memories all live in
 * the renderer. The largest renderer is the page's.
 */
export function rendererPeakMb() {
  const parents = new Map()
  let browserPid
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(TAG)) browserPid = Number(name)
    } catch {
      // the process ended while we looked
    }
  }
  if (browserPid === undefined) return undefined
  const isDescendant = (pid) => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === browserPid) return true
    return false
  }
  let peak = 0
  for (const pid of parents.keys()) {
    if (!isDescendant(pid)) continue
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
      peak = Math.max(peak, kb)
    } catch {
      // gone
    }
  }
  return Math.round(peak / 1024)
}
