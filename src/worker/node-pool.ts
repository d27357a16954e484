import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { releaseProxy, wrap } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { DeltaPool, defaultPoolSize, type PoolWorker } from './pool.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'
import { settleOnDeath, watchDeath } from './worker-death.js'

/** Options of a Node pool. */
export interface NodePoolOptions {
  /**
   * The built `node-worker.js` (JavaScript: worker threads cannot load TypeScript); by default
   * the one next to this module, which is the package's own.
   */
  workerUrl?: URL
  /** How many worker threads; one per core (`os.availableParallelism()`), at most 8, by default. */
  size?: number
}

/**
 * A pool of Node worker threads running the Delta API: the same API a browser pool has. An idle
 * pool does not keep the process alive (its threads hold the event loop only while a call is in
 * flight), so a script may end without `terminate()`; call it to free the threads sooner. A
 * thread that dies (out of memory, an uncaught error) fails its in-flight calls with an
 * `Internal` DeltaError instead of leaving them pending, and is replaced on next use.
 */
export function createNodePool(opts: NodePoolOptions = {}): DeltaPool {
  registerDeltaTransferHandlers()
  const size = opts.size ?? defaultPoolSize(availableParallelism())
  const url = opts.workerUrl ?? new URL('./node-worker.js', import.meta.url)
  const start = (index: number): PoolWorker => {
    const worker = new Worker(url)
    const remote = wrap<DeltaWorkerApi>(nodeEndpoint(worker))
    // After wrap: adding a 'message' listener references the worker again.
    worker.unref()
    const death = watchDeath(`worker thread ${index} of the pool`)
    let stopping = false
    worker.on('error', (e) => death.report(e))
    worker.on('exit', (code) => {
      if (!stopping) death.report(new Error(`it exited with code ${code}`))
    })
    return {
      api: settleOnDeath(holdWhileBusy(remote as unknown as DeltaWorkerApi, worker), death.died),
      died: death.died,
      terminate: async () => {
        if (stopping) return
        stopping = true
        remote[releaseProxy]()
        await worker.terminate()
      },
    }
  }
  return new DeltaPool(Array.from({ length: size }, (_, i) => start(i)), { respawn: start })
}

/**
 * `api` with `worker` holding the event loop only while calls are in flight: unreferenced when
 * idle, so an idle pool never keeps the process alive, and referenced while busy, so a process
 * waiting for an answer does not exit under it.
 */
function holdWhileBusy(api: DeltaWorkerApi, worker: Worker): DeltaWorkerApi {
  let busy = 0
  const settle = (): void => {
    if (--busy === 0) worker.unref()
  }
  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (busy++ === 0) worker.ref()
    try {
      return Promise.resolve((api as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args)).finally(settle)
    } catch (e) {
      settle()
      throw e
    }
  }
  // Every member of the API is a method; `then` must stay absent, or awaiting the API would call it.
  return new Proxy({} as DeltaWorkerApi, {
    get: (_, prop) => (typeof prop === 'string' && prop !== 'then' ? (...args: unknown[]) => call(prop, args) : undefined),
  })
}
