import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../src/index.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'

const ids = (n: bigint[]) => tableFromArrays({ id: BigInt64Array.from(n) })

async function table() {
  const storage = new MemoryStorage()
  const opts = { storage, parquet: await nodeParquetCodec() }
  await writeDeltaLake('mem', ids([1n, 2n]), opts)
  return { opts, dt: await DeltaTable.open('mem', opts) }
}

describe('row-level changes change the version the object holds', () => {
  it('commit after a newer blind append, keeping its rows, and land on the version they committed', async () => {
    const { opts, dt } = await table()
    await writeDeltaLake('mem', ids([3n]), { ...opts, mode: 'append' })
    expect(dt.version).toBe(0)
    const r = await dt.delete('id = 1')
    expect(r.version).toBe(2)
    expect(dt.version).toBe(2)
    expect([...await dt.toArrow()].map((row) => row.id).sort()).toEqual([2n, 3n])
  })

  it('conflict with a newer commit that removed a file they read, naming it, and change nothing', async () => {
    const { opts, dt } = await table()
    const other = await DeltaTable.open('mem', opts)
    await other.delete('id = 2')
    await expect(dt.update({ id: 'id + 10' })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'CommitConflict') && /\b1\b/.test((e as Error).message))
    await dt.updateIncremental()
    expect([...await dt.toArrow()].map((row) => row.id)).toEqual([1n])
  })
})
