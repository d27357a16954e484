// The calls that open and create tables refuse what they do not know, as the writing calls do,
// before anything is read or written.
import { tableFromArrays } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import type { StructType } from '../../src/delta/model/schema.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'

let parquet: ParquetCodec
const schema: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }

beforeAll(async () => {
  parquet = await nodeParquetCodec()
})

async function refusal(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err as { code?: string; message: string })
  expect(e, 'expected a refusal').toBeDefined()
  return e!
}

describe('DeltaTable.open options', () => {
  it('refuses an unknown option, suggesting the near one, and version with timestamp', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([1n]) }), { storage, parquet })
    const typo = await refusal(DeltaTable.open('memory://t', { storage, parquet, versoin: 0 } as never))
    expect(typo).toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining("did you mean 'version'") })
    expect(await refusal(DeltaTable.open('memory://t', { storage, parquet, version: -1 }))).toMatchObject({ code: 'InvalidArgument' })
    expect(await refusal(DeltaTable.open('memory://t', { storage, parquet, version: 0, timestamp: 0 }))).toMatchObject({ code: 'InvalidArgument' })
    expect((await DeltaTable.open('memory://t', { storage, parquet, version: 0 })).version).toBe(0)
  })

  it('refuses an unknown option of isDeltaTable', async () => {
    expect(await refusal(DeltaTable.isDeltaTable('memory://t', { storge: new MemoryStorage() } as never))).toMatchObject({ code: 'InvalidArgument' })
  })
})

describe('DeltaTable.create options', () => {
  it('refuses a bad mode, an unknown option and a missing schema, writing nothing', async () => {
    const storage = new MemoryStorage()
    expect(await refusal(DeltaTable.create('memory://t', { storage, parquet, schema, mode: 'overwite' as never }))).toMatchObject({
      code: 'InvalidArgument', message: expect.stringContaining("'error', 'ignore', 'overwrite'"),
    })
    expect(await refusal(DeltaTable.create('memory://t', { storage, parquet, schema, partitonBy: [] } as never))).toMatchObject({ code: 'InvalidArgument' })
    expect(await refusal(DeltaTable.create('memory://t', { storage, parquet } as never))).toMatchObject({ code: 'InvalidArgument' })
    expect(await storage.list('')).toEqual([])
  })

  it('takes commit properties and post-commit hooks as a writing call does', async () => {
    const storage = new MemoryStorage()
    const t = await DeltaTable.create('memory://t', {
      storage, parquet, schema, commitProperties: { customMetadata: { origin: 'test' } }, postCommitHookProperties: { createCheckpoint: false },
    })
    expect(t.version).toBe(0)
    expect((await t.history())[0]).toMatchObject({ operation: 'CREATE TABLE', origin: 'test' })
  })
})
