import { Int64, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../../src/index.js'
import { inlineDeletionVector } from '../../../src/delta/dv/deletion-vector.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { writeCommit } from '../../helpers/log-builder.js'

let codec: ParquetCodec
beforeAll(async () => { codec = await nodeParquetCodec() })

const schema = (fields: [string, string, Record<string, unknown>?][]) => JSON.stringify({
  type: 'struct', fields: fields.map(([name, type, metadata]) => ({ name, type, nullable: true, metadata: metadata ?? {} })),
})

async function dataFile(storage: MemoryStorage, path: string, columns: Record<string, Vector>): Promise<number> {
  const bytes = await codec.write(new Table(columns))
  await storage.put(path, bytes)
  return bytes.length
}

const longs = (xs: (number | null)[]) => vectorFromArray(xs.map((x) => (x === null ? null : BigInt(x))), new Int64())
const strings = (xs: (string | null)[]) => vectorFromArray(xs, new Utf8())
const rows = (t: Table) => t.toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_, v) => (typeof v === 'bigint' ? Number(v) : v))))

/** A table partitioned by `year` (integer) and `tag` (string), with stats on `value`. */
async function partitionedTable(): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  const files: object[] = []
  const parts: [number | null, string | null, number[]][] = [
    [2023, 'a', [1, 2]], [2024, 'a', [3, 4]], [2024, 'b/c', [5, 6]], [null, null, [7]], [2025, '', [8, 9, 10]],
  ]
  for (const [i, [year, tag, values]] of parts.entries()) {
    const dir = `year=${year ?? '__HIVE_DEFAULT_PARTITION__'}/tag=${tag === null || tag === '' ? '__HIVE_DEFAULT_PARTITION__' : tag.replace('/', '%2F')}`
    const path = `${dir}/part-${i}.parquet`
    const size = await dataFile(storage, path, { value: longs(values), note: strings(values.map((v) => `n${v}`)) })
    files.push({ add: {
      path: encodeURI(path).replace(/%25/g, '%25'), partitionValues: { year: year === null ? null : String(year), tag: tag === '' ? null : tag }, size,
      modificationTime: 1, dataChange: true,
      stats: JSON.stringify({ numRecords: values.length, minValues: { value: Math.min(...values) }, maxValues: { value: Math.max(...values) }, nullCount: { value: 0 } }),
    } })
  }
  await writeCommit(storage, 0, [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString: schema([['value', 'long'], ['year', 'integer'], ['tag', 'string'], ['note', 'string']]), partitionColumns: ['year', 'tag'], configuration: {} } },
    ...files,
  ])
  return storage
}

describe('toArrow on tables written by the tests', () => {
  it('materialises partition values with their types, nulls included', async () => {
    const t = await DeltaTable.open('mem', { storage: await partitionedTable(), parquet: codec })
    const all = await t.toArrow()
    expect(all.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['value:Int64', 'year:Int32', 'tag:Utf8', 'note:Utf8'])
    expect(rows(all).sort((a, b) => a.value - b.value)).toEqual([
      { value: 1, year: 2023, tag: 'a', note: 'n1' }, { value: 2, year: 2023, tag: 'a', note: 'n2' },
      { value: 3, year: 2024, tag: 'a', note: 'n3' }, { value: 4, year: 2024, tag: 'a', note: 'n4' },
      { value: 5, year: 2024, tag: 'b/c', note: 'n5' }, { value: 6, year: 2024, tag: 'b/c', note: 'n6' },
      { value: 7, year: null, tag: null, note: 'n7' },
      { value: 8, year: 2025, tag: null, note: 'n8' }, { value: 9, year: 2025, tag: null, note: 'n9' }, { value: 10, year: 2025, tag: null, note: 'n10' },
    ])
  })

  it('filters rows and reads only the files that can match', async () => {
    const storage = new CountingStorage(await partitionedTable())
    const t = await DeltaTable.open('mem', { storage, parquet: codec })
    storage.reset()
    const got = await t.toArrow({ filter: 'year = 2024 AND value > 3', columns: ['note', 'value'] })
    expect(got.schema.fields.map((f) => f.name)).toEqual(['note', 'value'])
    expect(rows(got).map((r) => r.value).sort((a, b) => a - b)).toEqual([4, 5, 6])
    const touched = new Set(storage.calls.map((c) => c.path.split('/')[0]))
    expect(touched).toEqual(new Set(['year=2024']))
    expect(new Set(storage.calls.map((c) => c.path)).size).toBe(2)
  })

  it('gives SQL null semantics to partition filters', async () => {
    const t = await DeltaTable.open('mem', { storage: await partitionedTable(), parquet: codec })
    expect((await t.toArrow({ filter: 'year <> 2024' })).numRows).toBe(5)
    expect((await t.toArrow({ filter: 'year IS NULL' })).numRows).toBe(1)
    expect((await t.toArrow({ filter: 'tag IS NULL AND value >= 8' })).numRows).toBe(3)
    expect((await t.toArrow({ filter: "tag = 'b/c'" })).numRows).toBe(2)
  })

  it('reads only partition columns', async () => {
    const t = await DeltaTable.open('mem', { storage: await partitionedTable(), parquet: codec })
    const got = await t.toArrow({ columns: ['tag'] })
    expect(got.numRows).toBe(10)
    expect(got.schema.fields.map((f) => f.name)).toEqual(['tag'])
  })

  it('refuses unknown columns and bad filters with InvalidArgument', async () => {
    const t = await DeltaTable.open('mem', { storage: await partitionedTable(), parquet: codec })
    await expect(t.toArrow({ columns: ['nope'] })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(t.toArrow({ filter: 'nope = 1' })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(t.toArrow({ filter: 'value >' })).rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('drops rows deleted by a deletion vector', async () => {
    const storage = new MemoryStorage()
    const size = await dataFile(storage, 'a.parquet', { id: longs([10, 11, 12, 13]) })
    const dv = inlineDeletionVector([1, 3])
    await writeCommit(storage, 0, [
      { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } },
      { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString: schema([['id', 'long']]), partitionColumns: [], configuration: {} } },
      { add: { path: 'a.parquet', partitionValues: {}, size, modificationTime: 1, dataChange: true } },
    ])
    await writeCommit(storage, 1, [
      { add: { path: 'a.parquet', partitionValues: {}, size, modificationTime: 1, dataChange: true, deletionVector: dv } },
      { remove: { path: 'a.parquet', dataChange: true } },
    ])
    const t = await DeltaTable.open('mem', { storage, parquet: codec })
    expect(rows(await t.toArrow()).map((r) => r.id)).toEqual([10, 12])
    await t.loadAsVersion(0)
    expect((await t.toArrow()).numRows).toBe(4)
  })

  it('maps physical column names to logical ones under column mapping', async () => {
    const storage = new MemoryStorage()
    const size = await dataFile(storage, 'a.parquet', { 'col-1': longs([1, 2]), 'col-2': strings(['x', null]) })
    const cm = (id: number, name: string) => ({ 'delta.columnMapping.id': id, 'delta.columnMapping.physicalName': name })
    await writeCommit(storage, 0, [
      { protocol: { minReaderVersion: 2, minWriterVersion: 5 } },
      { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString: schema([['id', 'long', cm(1, 'col-1')], ['renamed name', 'string', cm(2, 'col-2')], ['added', 'long', cm(3, 'col-3')]]), partitionColumns: [], configuration: { 'delta.columnMapping.mode': 'name' } } },
      { add: { path: 'a.parquet', partitionValues: {}, size, modificationTime: 1, dataChange: true, stats: JSON.stringify({ numRecords: 2, minValues: { 'col-1': 1 }, maxValues: { 'col-1': 2 }, nullCount: { 'col-1': 0 } }) } },
    ])
    const t = await DeltaTable.open('mem', { storage, parquet: codec })
    expect(rows(await t.toArrow())).toEqual([{ id: 1, 'renamed name': 'x', added: null }, { id: 2, 'renamed name': null, added: null }])
    expect((await t.toArrow({ filter: 'id > 5' })).numRows).toBe(0)
    expect((await t.toArrow({ filter: '`renamed name` IS NULL' })).numRows).toBe(1)
  })
})
