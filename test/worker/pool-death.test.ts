import { describe, expect, it, vi } from 'vitest'
import { isDeltaError, type DeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { createWorkerApi } from '../../src/worker/api.js'
import { createBrowserPool, type WebWorkerLike } from '../../src/worker/browser-pool.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { createNodePool } from '../../src/worker/node-pool.js'
import { DeltaPool, type PoolWorker } from '../../src/worker/pool.js'
import type { DeltaWorkerApi } from '../../src/worker/protocol.js'
import { settleOnDeath, watchDeath } from '../../src/worker/worker-death.js'
import { writeFixtureTable } from './fixture.js'

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  const e = await p.then(() => new Error('expected a failure'), (x: unknown) => x)
  if (!isDeltaError(e)) throw e
  return e
}

/** A worker whose calls never answer until it is killed. */
function silentWorker(): PoolWorker & { kill(reason: unknown): void } {
  const death = watchDeath('test worker')
  const api = new Proxy({} as DeltaWorkerApi, { get: (_, p) => (p === 'then' ? undefined : () => new Promise(() => undefined)) })
  return { api: settleOnDeath(api, death.died), died: death.died, terminate: vi.fn(), kill: death.report }
}

describe('a pool whose worker dies', () => {
  it('rejects the calls in flight with a DeltaError, and replaces the worker on next use', async () => {
    const first = silentWorker()
    const second = silentWorker()
    const respawn = vi.fn(() => second)
    const pool = new DeltaPool([first], { respawn })
    const pending = pool.worker(0).count('h')
    first.kill(new Error('out of memory'))
    const e = await failure(pending)
    expect(e.code).toBe('Internal')
    expect(e.message).toContain('out of memory')
    // Calls made to the dead worker's API after its death reject at once.
    expect((await failure(first.api.files('h'))).code).toBe('Internal')
    await Promise.resolve()
    expect(first.terminate).toHaveBeenCalled()
    expect(pool.worker(0)).toBe(second.api)
    expect(respawn).toHaveBeenCalledTimes(1)
    expect(pool.worker(0)).toBe(second.api)
  })

  it('fails the later calls of tables opened in the dead worker with a typed error; other tables read on', async () => {
    const storage = new MemoryStorage()
    await writeFixtureTable(storage, await nodeParquetCodec())
    const host = { loadCodec: () => nodeParquetCodec() }
    const deaths: ((reason: unknown) => void)[] = []
    const start = (): PoolWorker => {
      const death = watchDeath('test worker')
      deaths.push(death.report)
      return { api: settleOnDeath(createWorkerApi(host), death.died), died: death.died, terminate: () => undefined }
    }
    const pool = new DeltaPool([start(), start()], { respawn: start })
    const inFirst = await WorkerDeltaTable.open(pool, objectStorageDescriptor(storage))
    const inSecond = await WorkerDeltaTable.open(pool, objectStorageDescriptor(storage))
    const rows = (await inSecond.toArrow()).numRows
    deaths[0]!(new Error('a wasm trap'))
    await Promise.resolve()
    const e = await failure(inFirst.files())
    expect(e.code).toBe('Internal')
    expect(e.message).toMatch(/open the table again/)
    // The other table scans across the pool, the replacement worker included.
    expect((await inSecond.toArrow()).numRows).toBe(rows)
    const reopened = await WorkerDeltaTable.open(pool, objectStorageDescriptor(storage))
    expect((await reopened.toArrow()).numRows).toBe(rows)
    await pool.terminate()
  })
})

describe('a Node pool thread that dies', () => {
  it('fails its call instead of hanging, on exit and on an uncaught error from a microtask, and a new thread serves the next', async () => {
    const pool = createNodePool({ workerUrl: new URL('./dying-worker.mjs', import.meta.url), size: 1 })
    try {
      // Plain descriptors: this worker registers none of the library's transfer handlers.
      const plain = { kind: 'public-http' as const, baseUrl: 'http://127.0.0.1:9' }
      const exited = await failure(pool.worker(0).openTable(plain))
      expect(exited.code).toBe('Internal')
      expect(exited.message).toContain('exited with code 3')
      expect((await pool.worker(0).realmStats()).parquetReads).toBe(0)
      const trapped = await failure(pool.worker(0).isDeltaTable(plain))
      expect(trapped.code).toBe('Internal')
      expect(trapped.message).toContain('unreachable')
      expect((await pool.worker(0).realmStats()).parquetReads).toBe(0)
    } finally {
      await pool.terminate()
    }
  })
})

describe('a browser pool worker with an uncaught error', () => {
  it('fails its calls in flight, stops the error there and is replaced', async () => {
    const made: (WebWorkerLike & { fail(message: string): { prevented: boolean }; terminated: boolean })[] = []
    const createWorker = () => {
      const errors: ((e: { message?: string; preventDefault?(): void }) => void)[] = []
      const w = {
        terminated: false,
        postMessage: () => undefined, // never answers, like a worker whose realm trapped
        addEventListener: (type: string, listener: never) => {
          if (type === 'error') errors.push(listener)
        },
        removeEventListener: () => undefined,
        terminate: () => {
          w.terminated = true
        },
        fail: (message: string) => {
          const event = { message, prevented: false, preventDefault: () => (event.prevented = true) }
          for (const l of errors) l(event)
          return event
        },
      }
      made.push(w)
      return w
    }
    const pool = createBrowserPool({ size: 1, createWorker })
    const pending = pool.worker(0).count('h')
    expect(made[0]!.fail('RuntimeError: unreachable').prevented).toBe(true)
    const e = await failure(pending)
    expect(e.code).toBe('Internal')
    expect(e.message).toContain('unreachable')
    await Promise.resolve()
    expect(made[0]!.terminated).toBe(true)
    pool.worker(0)
    expect(made).toHaveLength(2)
    await pool.terminate()
  })
})
