import { releaseProxy, wrap, type Endpoint } from 'comlink'
import { DeltaPool, defaultPoolSize, type PoolWorker } from './pool.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'

/**
 * What the pool needs of a worker, stated without the DOM lib so the declarations type-check in
 * any project: a Web `Worker` is one.
 */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: object[]): void
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void
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
 */
export function createBrowserPool(opts: BrowserPoolOptions = {}): DeltaPool {
  registerDeltaTransferHandlers()
  const size = opts.size ?? defaultPoolSize(globalThis.navigator?.hardwareConcurrency)
  const spawn = opts.createWorker ?? (() => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'deltalake' }))
  const workers = Array.from({ length: size }, (): PoolWorker => {
    const worker = spawn()
    // A Web Worker is a comlink Endpoint; WebWorkerLike states the same shape without DOM types.
    const remote = wrap<DeltaWorkerApi>(worker as unknown as Endpoint)
    return {
      api: remote as unknown as DeltaWorkerApi,
      terminate: () => {
        remote[releaseProxy]()
        worker.terminate()
      },
    }
  })
  return new DeltaPool(workers)
}
