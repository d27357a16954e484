import { Table, Int32, Utf8, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { canonicalizeTable } from '../../conformance/canonical.js'
import { serializeValue } from '../../conformance/canonical-value.js'
import { allTypesTable } from '../../parquet/arrow-fixtures.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

/** Rows of a table as sorted canonical strings, typed by the table's Delta schema. */
async function canonicalRows(t: DeltaTable, data?: Table): Promise<string[]> {
  const columns = t.schema().fields.map((f) => ({ name: f.name, type: f.type }))
  const table = data ?? (await t.toArrow())
  return canonicalizeTable(table.select(columns.map((c) => c.name)), columns).map((r) => serializeValue(r)).sort()
}

describe('write then read', () => {
  it('round-trips every data type exactly', async () => {
    const storage = new MemoryStorage()
    const input = allTypesTable()
    await writeDeltaLake('mem', input, { storage, parquet })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.schema().fields.map((f) => [f.name, typeof f.type === 'string' ? f.type : f.type.type])).toEqual([
      ['bool', 'boolean'], ['int8', 'byte'], ['int16', 'short'], ['int32', 'integer'], ['int64', 'long'],
      ['float32', 'float'], ['float64', 'double'], ['string', 'string'], ['binary', 'binary'], ['date', 'date'],
      ['ts', 'timestamp_ntz'], ['tsUtc', 'timestamp'], ['dec', 'decimal(10,2)'], ['dec38', 'decimal(38,6)'],
      ['struct', 'struct'], ['list', 'array'], ['map', 'map'],
    ])
    expect(await canonicalRows(t)).toEqual(await canonicalRows(t, input))
    expect(t.protocol().minReaderVersion).toBe(3) // timestamp_ntz needs the table feature
    expect(t.protocol().readerFeatures).toContain('timestampNtz')
  })

  it('round-trips partition values of every primitive type, nulls included', async () => {
    const storage = new MemoryStorage()
    const input = allTypesTable().select(['bool', 'int8', 'int32', 'int64', 'string', 'date', 'tsUtc', 'dec', 'float64'])
    const partitionBy = ['bool', 'int32', 'string', 'date', 'tsUtc', 'dec']
    await writeDeltaLake('mem', input, { storage, parquet, partitionBy })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.metadata().partitionColumns).toEqual(partitionBy)
    // The protocol stores an empty string partition value as null, as Spark does.
    const expected = (await canonicalRows(t, input)).map((r) => r.replace(',"",', ',null,'))
    expect(await canonicalRows(t)).toEqual(expected)
    expect((await t.files()).length).toBe(3)
    expect((await t.toArrow({ filter: "string = 'héllo'" })).numRows).toBe(1)
  })

  it('supports every mode', async () => {
    const storage = new MemoryStorage()
    const rows = (xs: number[]) => new Table({ x: vectorFromArray(xs, new Int32()), s: vectorFromArray(xs.map(String), new Utf8()) })
    const opts = { storage, parquet }
    expect((await writeDeltaLake('mem', rows([1, 2]), opts)).version).toBe(0)
    await expect(writeDeltaLake('mem', rows([3]), opts)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect((await writeDeltaLake('mem', rows([3]), { ...opts, mode: 'ignore' })).skipped).toBe(true)
    expect((await writeDeltaLake('mem', rows([3]), { ...opts, mode: 'append' })).version).toBe(1)
    const read = async () => (await (await DeltaTable.open('mem', opts)).toArrow()).toArray().map((r) => r.x).sort()
    expect(await read()).toEqual([1, 2, 3])
    expect((await writeDeltaLake('mem', rows([9]), { ...opts, mode: 'overwrite' })).version).toBe(2)
    expect(await read()).toEqual([9])
    const t = await DeltaTable.open('mem', opts)
    await t.loadAsVersion(1)
    expect((await t.toArrow()).numRows).toBe(3)
    expect((await t.history()).map((h) => h.operation)).toEqual(['WRITE', 'WRITE', 'CREATE TABLE'])
  })

  it('replaces only the partitions a predicate selects', async () => {
    const storage = new MemoryStorage()
    const rows = (p: string[], x: number[]) => new Table({ p: vectorFromArray(p, new Utf8()), x: vectorFromArray(x, new Int32()) })
    await writeDeltaLake('mem', rows(['a', 'b', 'c'], [1, 2, 3]), { storage, parquet, partitionBy: ['p'] })
    await writeDeltaLake('mem', rows(['b', 'b'], [20, 21]), { storage, parquet, mode: 'overwrite', predicate: "p = 'b'" })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect((await t.toArrow()).toArray().map((r) => `${r.p}${r.x}`).sort()).toEqual(['a1', 'b20', 'b21', 'c3'])
    await expect(writeDeltaLake('mem', rows(['c'], [5]), { storage, parquet, mode: 'overwrite', predicate: "p = 'b'" }))
      .rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('streams batches into files of bounded size', async () => {
    const storage = new MemoryStorage()
    const batches = function* () {
      for (let i = 0; i < 10; i++) yield* new Table({ x: vectorFromArray(Array.from({ length: 1000 }, (_, j) => i * 1000 + j), new Int32()) }).batches
    }
    await writeDeltaLake('mem', batches(), { storage, parquet, targetFileSize: 8000 })
    const t = await DeltaTable.open('mem', { storage, parquet })
    const sizes = (await t.files()).map((f) => f.size)
    expect(sizes.length).toBeGreaterThan(3)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(8000 * 1.25)
    expect((await t.toArrow()).numRows).toBe(10_000)
  })

  it('writes plain objects with an inferred schema', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ a: 1, b: 'x', c: 5n }, { a: 2.5, b: null, c: 6n }], { storage, parquet })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.schema().fields.map((f) => f.type)).toEqual(['double', 'string', 'long'])
    await writeDeltaLake('mem', [{ a: 3, c: 7n }], { storage, parquet, mode: 'append' })
    expect((await DeltaTable.open('mem', { storage, parquet }).then((x) => x.toArrow())).numRows).toBe(3)
  })

  it('refuses an append whose schema differs, showing the difference', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ a: 1n, b: 'x' }], { storage, parquet })
    await expect(writeDeltaLake('mem', [{ a: 'no', b: 'x' }], { storage, parquet, mode: 'append' })).rejects.toMatchObject({ code: expect.stringMatching(/SchemaMismatch|InvalidArgument/) })
    await expect(writeDeltaLake('mem', new Table({ z: vectorFromArray([1], new Int32()) }), { storage, parquet, mode: 'append' }))
      .rejects.toMatchObject({ code: 'SchemaMismatch', message: expect.stringContaining('z') })
    await writeDeltaLake('mem', new Table({ z: vectorFromArray([1], new Int32()) }), { storage, parquet, mode: 'append', schemaMode: 'merge' })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(t.schema().fields.map((f) => f.name)).toEqual(['a', 'b', 'z'])
    expect((await t.toArrow()).numRows).toBe(2)
  })
})
