import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { countingCodec, realmStats } from '../../src/worker/realm-stats.js'

describe('countingCodec', () => {
  it('keeps the streamed read of the codec it counts, and counts it', async () => {
    const codec = await nodeParquetCodec()
    const counted = countingCodec(codec)
    expect(counted.readBatches).toBeTypeOf('function')
    const bytes = await codec.write(tableFromArrays({ x: Float64Array.from([1, 2, 3]) }))
    const before = realmStats().parquetReads
    const rows: number[] = []
    for await (const t of counted.readBatches!({ size: bytes.length, read: async (o, l) => bytes.slice(o, o + l) })) rows.push(t.numRows)
    expect(rows).toEqual([3])
    expect(realmStats().parquetReads).toBe(before + 1)
  })
})
