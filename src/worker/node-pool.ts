import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { releaseProxy, wrap } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { DeltaPool, defaultPoolSize, type PoolWorker } from './pool.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'

/** Options of a Node pool. */
export interface NodePoolOptions {
  /** The built `node-worker.js` (JavaScript: worker threads cannot load TypeScript). */
  workerUrl: URL
  /** How many worker threads; one per core (`os.availableParallelism()`), at most 8, by default. */
  size?: number
}

/** A pool of Node worker threads running the Delta API: the same API a browser pool has. */
export function createNodePool(opts: NodePoolOptions): DeltaPool {
  registerDeltaTransferHandlers()
  const size = opts.size ?? defaultPoolSize(availableParallelism())
  const workers = Array.from({ length: size }, (): PoolWorker => {
    const worker = new Worker(opts.workerUrl)
    const remote = wrap<DeltaWorkerApi>(nodeEndpoint(worker))
    return {
      api: remote as unknown as DeltaWorkerApi,
      terminate: async () => {
        remote[releaseProxy]()
        await worker.terminate()
      },
    }
  })
  return new DeltaPool(workers)
}
