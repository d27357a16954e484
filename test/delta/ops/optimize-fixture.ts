import type { Engine } from '../../../src/delta/engine/engine.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import type { MemoryStorage } from '../../../src/storage/memory.js'

/**
 * The engine over the same storage, with a hook run once before the next commit file is put
 * (armed by calling `arm`): it lets a test commit something else in between, as a concurrent
 * writer would, just before the operation's commit.
 */
export function hookedEngine(engine: Engine & { storage: MemoryStorage }): { engine: Engine; arm: (hook: () => Promise<void>) => void } {
  const inner = engine.storage
  let hook: (() => Promise<void>) | undefined
  const storage: Storage = {
    capabilities: inner.capabilities,
    list: (dir, opts) => inner.list(dir, opts),
    read: (path, range, opts) => inner.read(path, range, opts),
    head: (path, opts) => inner.head(path, opts),
    delete: (path, opts) => inner.delete(path, opts),
    put: async (path, data, opts) => {
      if (hook && /^_delta_log\/\d{20}\.json$/.test(path)) {
        const run = hook
        hook = undefined
        await run()
      }
      return inner.put(path, data, opts)
    },
  }
  return { engine: { ...engine, storage }, arm: (h) => { hook = h } }
}

/** The rows of the latest version, as plain objects, in file order then row order. */
export async function readRows(engine: Engine): Promise<Record<string, unknown>[]> {
  const snapshot = await loadSnapshot(engine)
  const table = await executeScan(engine, snapshot, planScan(snapshot))
  return table.toArray().map((r) => ({ ...r.toJSON() }))
}

/** The paths of the active files, sorted. */
export async function activePaths(engine: Engine): Promise<string[]> {
  return (await loadSnapshot(engine)).files.toArray().map((f) => f.path).sort()
}

/** A seeded pseudo-random generator (mulberry32), so that failures can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
