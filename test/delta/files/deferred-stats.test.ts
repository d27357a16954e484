// A table opened for reading leaves its files' stats in the checkpoint until a question needs
// them; once read, they are those an eager open gives, file for file.
import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { loadDeferredStats } from '../../../src/delta/files/deferred-stats.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { plainAdd } from '../../../src/delta/model/actions.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

async function checkpointed(): Promise<MemoryStorage> {
  const parquet = await nodeParquetCodec()
  const storage = new MemoryStorage()
  for (let v = 0; v < 6; v++) {
    const ids = Array.from({ length: 50 }, (_, i) => v * 50 + i)
    await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from(ids, BigInt), note: ids.map((i) => `note ${i} `.repeat(20)) }), { storage, parquet, mode: 'append' })
  }
  const engine = { storage, parquet }
  await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
  await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([9999n]), note: ['last'] }), { storage, parquet, mode: 'append' })
  return storage
}

describe('deferred stats', () => {
  it('are not decoded at open, throw if read before loading, and then equal an eager open', async () => {
    const parquet = await nodeParquetCodec()
    const storage = await checkpointed()
    const eager = await loadSnapshot({ storage, parquet })
    const lazy = await loadSnapshot({ storage, parquet }, undefined, { deferStats: true })
    expect(lazy.files.length).toBe(eager.files.length)
    // The checkpoint's files (the first six) wait; the last commit's add has its stats.
    expect(() => lazy.files.at(0).stats).toThrow(expect.objectContaining({ code: 'Internal' }))
    expect(lazy.files.at(6).stats).toBe(eager.files.at(6).stats)
    await loadDeferredStats({ storage, parquet }, lazy.files)
    expect(lazy.files.map(plainAdd)).toEqual(eager.files.map(plainAdd))
    // A second load reads nothing.
    const counting = new CountingStorage(storage)
    await loadDeferredStats({ storage: counting, parquet }, lazy.files)
    expect(counting.total).toBe(0)
  })

  it('leave the stats columns undecoded at open', async () => {
    const parquet = await nodeParquetCodec()
    const storage = await checkpointed()
    const lazy = await loadSnapshot({ storage, parquet }, undefined, { deferStats: true })
    const chunks = lazy.files.runs.flatMap((r) => ('cols' in r ? [r.cols] : []))
    expect(chunks.length).toBeGreaterThan(0)
    for (const c of chunks) {
      expect(c.child('stats')).toBeUndefined()
      expect(c.child('path')).toBeDefined()
      expect(c.deferredStats?.file).toMatch(/checkpoint\.parquet$/)
    }
    await loadDeferredStats({ storage, parquet }, lazy.files)
    expect(chunks.every((c) => c.deferredStats === undefined)).toBe(true)
  })
})

