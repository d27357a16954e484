import { releaseProxy, wrap, type Endpoint } from 'comlink'
import { DeltaPool, defaultPoolSize, type PoolWorker } from './pool.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'
import { settleOnDeath, watchDeath } from './worker-death.js'

/**
 * What the pool needs of a worker, stated without the DOM lib so the declarations type-check in
 * any project: a Web `Worker` is one.
 */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: object[]): void
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void
  /** An uncaught error in the worker (a wasm trap among them): the pool replaces the worker. */
  addEventListener(type: 'error', listener: (event: { readonly message?: string; preventDefault?(): void }) => void): void
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void
  terminate(): void
}

/** Options of a browser pool. */
export interface BrowserPoolOptions {
  /** How many workers; by default one per logical core (`navigator.hardwareConcurrency`), at most 8. */
  size?: number
  /** Start a worker another way (another URL, a bundler's worker import). */
  createWorker?: () => WebWorkerLike
}

/**
 * A pool of module Web Workers running `worker.ts`. Bundlers (Vite, webpack 5, esbuild with a
 * plugin) see the `new Worker(new URL(...), { type: 'module' })` form and bundle the worker.
 *
 * Parquet is decoded in decoder workers nested in each pool worker, so a wasm trap on a corrupt
 * file kills only a decoder (that read fails with `InvalidData`) and tables stay open. Should a
 * pool worker itself throw an uncaught error, its realm is no longer trusted: the error is
 * stopped here, its in-flight calls fail with an `Internal` DeltaError instead of staying
 * pending forever, and the worker is replaced on next use (tables opened in it must be opened
 * again, which their later calls say).
 */
export function createBrowserPool(opts: BrowserPoolOptions = {}): DeltaPool {
  registerDeltaTransferHandlers()
  const size = opts.size ?? defaultPoolSize(globalThis.navigator?.hardwareConcurrency)
  const spawn: () => WebWorkerLike =
    opts.createWorker ?? (() => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'deltalake' }) as unknown as WebWorkerLike)
  const start = (index: number): PoolWorker => {
    const worker = spawn()
    // A Web Worker is a comlink Endpoint; WebWorkerLike states the same shape without DOM types.
    const remote = wrap<DeltaWorkerApi>(worker as unknown as Endpoint)
    const death = watchDeath(`pool worker ${index}`)
    let stopped = false
    worker.addEventListener('error', (event) => {
      event.preventDefault?.()
      death.report(new Error(event.message ?? 'an uncaught error in the worker'))
    })
    return {
      api: settleOnDeath(remote as unknown as DeltaWorkerApi, death.died),
      died: death.died,
      terminate: () => {
        if (stopped) return
        stopped = true
        remote[releaseProxy]()
        worker.terminate()
      },
    }
  }
  return new DeltaPool(Array.from({ length: size }, (_, i) => start(i)), { respawn: start })
}
