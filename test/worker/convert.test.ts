import { tableFromArrays } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/index.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { convertToDeltaLakeInWorker } from '../../src/worker/index.js'

const pool = createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 1, via: 'channel' })
afterAll(() => pool.terminate())

describe('convertToDeltaLakeInWorker', () => {
  it('converts a folder of Hive-partitioned Parquet in a worker, reporting progress', async () => {
    const parquet = await nodeParquetCodec()
    const storage = new MemoryStorage()
    await storage.put('k=a/0.parquet', await parquet.write(tableFromArrays({ id: Int32Array.from([1, 2]) })))
    await storage.put('k=b/0.parquet', await parquet.write(tableFromArrays({ id: Int32Array.from([3]) })))
    const steps: number[] = []
    const r = await convertToDeltaLakeInWorker(pool, objectStorageDescriptor(storage, undefined, { uri: 'memory://t' }), {
      partitionBy: ['k'], onProgress: (p) => steps.push(p.done),
    })
    expect(r).toMatchObject({ version: 0, numConvertedFiles: 2 })
    const dt = await DeltaTable.open('memory://t', { storage, parquet })
    expect([...await dt.toArrow()].map((row) => `${row.id}${row.k}`).sort()).toEqual(['1a', '2a', '3b'])
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(steps.length).toBeGreaterThan(0)
  })
})
