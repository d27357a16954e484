import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake, type StructField } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

const field = (name: string, type: StructField['type'], metadata: Record<string, unknown> = {}, nullable = true): StructField => ({ name, type, nullable, metadata })
const rowsOf = async (t: DeltaTable) => (await t.toArrow()).toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_, v) => (typeof v === 'bigint' ? Number(v) : v))))

describe('writer features end to end', () => {
  it('enforces CHECK constraints added to a table and drops them', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n, price: 5.0 }], { storage, parquet })
    const t = await DeltaTable.open('mem', { storage, parquet })
    await expect(t.addConstraint({ positive: 'price > 10' })).rejects.toMatchObject({ code: 'ConstraintViolation' })
    await t.addConstraint({ positive: 'price > 0' })
    expect(t.metadata().configuration['delta.constraints.positive']).toBe('price > 0')
    expect(t.protocol().minWriterVersion).toBeGreaterThanOrEqual(3)
    await expect(writeDeltaLake(t, [{ id: 2n, price: -1.0 }, { id: 3n, price: -2.0 }], { mode: 'append' }))
      .rejects.toMatchObject({ code: 'ConstraintViolation', message: expect.stringMatching(/positive[\s\S]*2/) })
    expect(t.version).toBe(1)
    await t.dropConstraint('positive')
    await writeDeltaLake(t, [{ id: 2n, price: -1.0 }], { mode: 'append' })
    expect((await rowsOf(t)).length).toBe(2)
  })

  it('computes generated columns and fills identity columns', async () => {
    const storage = new MemoryStorage()
    const t = await DeltaTable.create('mem', { storage, parquet, schema: { type: 'struct', fields: [
      field('id', 'long', { 'delta.identity.start': 100, 'delta.identity.step': 10, 'delta.identity.allowExplicitInsert': false }, false),
      field('a', 'integer'),
      field('b', 'integer', { 'delta.generationExpression': 'a * 2' }),
    ] } })
    expect(t.protocol().minWriterVersion).toBe(6)
    await writeDeltaLake(t, [{ a: 1 }, { a: 2 }], { mode: 'append' })
    await writeDeltaLake(t, [{ a: 3 }], { mode: 'append' })
    expect((await rowsOf(t)).sort((x, y) => x.id - y.id)).toEqual([{ id: 100, a: 1, b: 2 }, { id: 110, a: 2, b: 4 }, { id: 120, a: 3, b: 6 }])
    await expect(writeDeltaLake(t, [{ a: 4, b: 9 }], { mode: 'append' })).rejects.toMatchObject({ code: 'ConstraintViolation' })
    await expect(writeDeltaLake(t, [{ id: 5n, a: 4 }], { mode: 'append' })).rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('writes physical names under column mapping and reads logical ones', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ 'my col': 1n, other: 'x' }], { storage, parquet, configuration: { 'delta.columnMapping.mode': 'name' } })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.protocol()).toMatchObject({ minReaderVersion: 2, minWriterVersion: 5 })
    const physical = t.schema().fields.map((f) => f.metadata['delta.columnMapping.physicalName'])
    expect(physical.every((p) => typeof p === 'string' && p !== 'my col')).toBe(true)
    await writeDeltaLake(t, [{ 'my col': 2n, other: 'y' }], { mode: 'append' })
    expect(await rowsOf(t)).toEqual([{ 'my col': 1, other: 'x' }, { 'my col': 2, other: 'y' }])
    expect((await t.toArrow({ filter: '`my col` = 2' })).numRows).toBe(1)
  })

  it('refuses to remove data from an append-only table', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n }], { storage, parquet, configuration: { 'delta.appendOnly': 'true' } })
    await writeDeltaLake('mem', [{ id: 2n }], { storage, parquet, mode: 'append' })
    await expect(writeDeltaLake('mem', [{ id: 3n }], { storage, parquet, mode: 'overwrite' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('append-only') })
    const t = await DeltaTable.open('mem', { storage, parquet })
    await expect(t.delete('id = 1')).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('append-only') })
    expect(t.version).toBe(1)
  })

  it('stamps in-commit timestamps that only move forward', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n }], { storage, parquet, configuration: { 'delta.enableInCommitTimestamps': 'true' } })
    await writeDeltaLake('mem', [{ id: 2n }], { storage, parquet, mode: 'append' })
    const first = new TextDecoder().decode(await storage.read('_delta_log/00000000000000000001.json')).split('\n')[0]!
    const info = JSON.parse(first).commitInfo
    expect(typeof info.inCommitTimestamp).toBe('number')
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.protocol().writerFeatures).toContain('inCommitTimestamp')
    const h = await t.history()
    expect(h[0]!.timestamp).toBe(info.inCommitTimestamp)
    expect(h[0]!.timestamp).toBeGreaterThan(h[1]!.timestamp)
  })

  it('checkpoints every delta.checkpointInterval commits and reads from the checkpoint', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 0n }], { storage, parquet, configuration: { 'delta.checkpointInterval': '3' } })
    for (let i = 1; i <= 7; i++) await writeDeltaLake('mem', [{ id: BigInt(i) }], { storage, parquet, mode: 'append' })
    const names = (await storage.list('_delta_log')).map((f) => f.path.split('/').pop())
    expect(names.filter((n) => n!.includes('checkpoint.parquet'))).toEqual(['00000000000000000003.checkpoint.parquet', '00000000000000000006.checkpoint.parquet'])
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.checkpointVersion()).toBe(6)
    expect((await rowsOf(t)).map((r) => r.id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('writes change data for deletes on tables with the change data feed', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n, p: 'a' }, { id: 2n, p: 'a' }, { id: 3n, p: 'b' }], { storage, parquet, partitionBy: ['p'], configuration: { 'delta.enableChangeDataFeed': 'true' } })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.protocol().minWriterVersion).toBeGreaterThanOrEqual(4)
    await t.delete('id = 1')
    const changes = (await t.changes({ startVersion: 1 })).toArray().map((r) => [Number(r.id), r.p, r._change_type, Number(r._commit_version)])
    expect(changes).toEqual([[1, 'a', 'delete', 1]])
    expect((await storage.list('_change_data/p=a')).length).toBe(1)
    expect((await rowsOf(t)).map((r) => r.id).sort()).toEqual([2, 3])
  })

  it('skips a write whose application transaction was already committed', async () => {
    const storage = new MemoryStorage()
    const once = { storage, parquet, mode: 'append' as const, commitProperties: { appTransactions: [{ appId: 'etl', version: 7 }], customMetadata: { job: 'nightly' } } }
    expect((await writeDeltaLake('mem', [{ id: 1n }], once)).skipped).toBe(false)
    expect((await writeDeltaLake('mem', [{ id: 1n }], once)).skipped).toBe(true)
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.appTransactions()).toEqual({ etl: 7 })
    expect((await t.history())[0]).toMatchObject({ job: 'nightly', operation: 'CREATE TABLE' })
    expect((await rowsOf(t)).length).toBe(1)
  })
})
