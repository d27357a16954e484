import { expose, wrap, type Endpoint } from 'comlink'
import { createWorkerApi, type WorkerHost } from './api.js'
import { DeltaPool, type PoolWorker } from './pool.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'

/** Options of an in-process pool. */
export interface InProcessPoolOptions {
  /** How many API instances; 1 by default. */
  size?: number
  /**
   * `direct` calls the API objects as they are; `channel` puts each behind comlink on a
   * MessageChannel of this thread, so every argument and result is cloned or transferred exactly
   * as across a real worker boundary (what tests use to check the boundary without threads).
   */
  via?: 'direct' | 'channel'
}

/**
 * A pool whose "workers" run in this thread: for Node scripts and tests, and for pages that
 * accept decoding on the main thread. Same API, same results as a real pool.
 */
export function createInProcessPool(host: WorkerHost, opts: InProcessPoolOptions = {}): DeltaPool {
  const size = opts.size ?? 1
  const workers = Array.from({ length: size }, (): PoolWorker => {
    const api = createWorkerApi(host)
    return opts.via === 'channel' ? overChannel(api) : { api, terminate: () => undefined }
  })
  return new DeltaPool(workers)
}

function overChannel(api: DeltaWorkerApi): PoolWorker {
  registerDeltaTransferHandlers()
  const { port1, port2 } = new MessageChannel()
  expose(api, port1 as Endpoint)
  const remote = wrap<DeltaWorkerApi>(port2 as Endpoint)
  return {
    api: remote as unknown as DeltaWorkerApi,
    terminate: () => {
      port1.close()
      port2.close()
    },
  }
}
