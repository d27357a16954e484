// A pool worker that dies on demand, for pool-death.test.ts: `openTable` exits the thread,
// `isDeltaTable` throws from a microtask (as a wasm trap in parquet-wasm's futures does), and
// `realmStats` answers, to show a replacement worker serves calls.
import { parentPort } from 'node:worker_threads'
import { expose } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'

expose({
  openTable: () => {
    setTimeout(() => process.exit(3), 10)
    return new Promise(() => undefined)
  },
  isDeltaTable: () => {
    queueMicrotask(() => {
      throw new WebAssembly.RuntimeError('unreachable')
    })
    return new Promise(() => undefined)
  },
  realmStats: async () => ({ parquetReads: 0, parquetWrites: 0, snapshotsLoaded: 0 }),
}, nodeEndpoint(parentPort))
