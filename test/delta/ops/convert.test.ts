import { Float64, Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { parseSchema } from '../../../src/delta/model/schema.js'
import { convertToDeltaLake } from '../../../src/delta/ops/convert/convert.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import { commitActions, commitInfoOf, memoryEngine, readIds, rows } from './fixture.js'

function people(ids: number[], names: (string | null)[], scores: number[]): Table {
  return new Table({
    id: vectorFromArray(ids.map(BigInt), new Int64()),
    name: vectorFromArray(names, new Utf8()),
    score: vectorFromArray(scores, new Float64()),
  })
}

async function putParquet(engine: Engine, path: string, table: Table): Promise<void> {
  await engine.storage.put(path, await engine.parquet.write(table))
}

async function readRows(engine: Engine): Promise<Record<string, unknown>[]> {
  const snapshot = await loadSnapshot(engine)
  const table = await executeScan(engine, snapshot, planScan(snapshot))
  return table.toArray().map((r) => ({ ...r.toJSON() })).sort((a, b) => Number(a.id) - Number(b.id))
}

describe('convertToDeltaLake', () => {
  it('turns a folder of Parquet files into version 0 with their rows, schema and per-file stats', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'a.parquet', people([1, 2], ['ann', null], [1.5, 2.5]))
    await putParquet(engine, 'b.parquet', people([3], ['cy'], [-1]))
    await engine.storage.put('_SUCCESS', new Uint8Array())
    await engine.storage.put('notes.txt', new TextEncoder().encode('not data'))

    expect(await convertToDeltaLake(engine, { name: 'people', description: 'converted' })).toEqual({ version: 0, numConvertedFiles: 2 })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.version).toBe(0)
    expect(snapshot.metadata).toMatchObject({ name: 'people', description: 'converted', partitionColumns: [] })
    expect(parseSchema(snapshot.metadata.schemaString).fields.map((f) => [f.name, f.type])).toEqual([['id', 'long'], ['name', 'string'], ['score', 'double']])
    expect(await readRows(engine)).toEqual([
      { id: 1n, name: 'ann', score: 1.5 }, { id: 2n, name: null, score: 2.5 }, { id: 3n, name: 'cy', score: -1 },
    ])

    const adds = (await commitActions(engine, 0)).filter((a) => a.add).map((a) => a.add!)
    expect(adds.map((a) => a.path).sort()).toEqual(['a.parquet', 'b.parquet'])
    const statsOf = (path: string) => JSON.parse(adds.find((a) => a.path === path)!.stats as string)
    expect(statsOf('a.parquet')).toMatchObject({
      numRecords: 2, minValues: { id: 1, name: 'ann', score: 1.5 }, maxValues: { id: 2, name: 'ann', score: 2.5 }, nullCount: { id: 0, name: 1, score: 0 },
    })
    expect(statsOf('b.parquet')).toMatchObject({ numRecords: 1, minValues: { id: 3 }, maxValues: { id: 3 } })
    expect(adds.every((a) => a.dataChange === true)).toBe(true)
    expect(adds.find((a) => a.path === 'a.parquet')!.size).toBe((await engine.storage.head('a.parquet'))!.size)
    expect(await commitInfoOf(engine, 0)).toMatchObject({
      operation: 'CONVERT', operationParameters: { numFiles: 2, partitionedBy: '[]', collectStats: true },
      operationMetrics: { numConvertedFiles: 2 },
    })
    // The converted table takes writes like any other.
    await writeTable(engine, people([4], ['dee'], [0]), { mode: 'append' })
    expect((await readRows(engine)).map((r) => r.id)).toEqual([1n, 2n, 3n, 4n])
  })

  it('types partition values from the folders by partitionBy', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'year=2024/city=a%2Fb/x.parquet', rows([1, 2]))
    await putParquet(engine, 'year=2025/city=oslo/y.parquet', rows([3]))
    await putParquet(engine, 'year=__HIVE_DEFAULT_PARTITION__/city=oslo/z.parquet', rows([4]))
    const files = ['year=2024/city=a%2Fb/x.parquet', 'year=2025/city=oslo/y.parquet', 'year=__HIVE_DEFAULT_PARTITION__/city=oslo/z.parquet']
    await convertToDeltaLake(engine, { partitionBy: { year: 'integer', city: 'string' }, files })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.metadata.partitionColumns).toEqual(['year', 'city'])
    expect(snapshot.schema.fields.map((f) => [f.name, f.type])).toEqual([['id', 'long'], ['year', 'integer'], ['city', 'string']])
    expect(await readRows(engine)).toEqual([
      { id: 1n, year: 2024, city: 'a/b' }, { id: 2n, year: 2024, city: 'a/b' },
      { id: 3n, year: 2025, city: 'oslo' }, { id: 4n, year: null, city: 'oslo' },
    ])
    const adds = (await commitActions(engine, 0)).filter((a) => a.add).map((a) => a.add!)
    expect(adds.map((a) => a.partitionValues)).toContainEqual({ year: '2024', city: 'a/b' })
    expect(adds.map((a) => a.partitionValues)).toContainEqual({ year: null, city: 'oslo' })
    expect(await commitInfoOf(engine, 0)).toMatchObject({ operationParameters: { partitionedBy: '["year","city"]' } })
  })

  it('a list of partition columns means string columns', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'p=7/x.parquet', rows([1]))
    await convertToDeltaLake(engine, { partitionBy: ['p'], files: ['p=7/x.parquet'] })
    expect((await loadSnapshot(engine)).schema.fields.map((f) => [f.name, f.type])).toEqual([['id', 'long'], ['p', 'string']])
    expect(await readRows(engine)).toEqual([{ id: 1n, p: '7' }])
  })

  it('refuses files whose schemas conflict, naming both', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'a.parquet', rows([1]))
    await putParquet(engine, 'b.parquet', new Table({ id: vectorFromArray([1], new Int32()) }))
    const err = await convertToDeltaLake(engine).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SchemaMismatch' })
    expect((err as Error).message).toContain("'a.parquet'")
    expect((err as Error).message).toContain("'b.parquet'")
    expect(engine.storage.paths().some((p) => p.startsWith('_delta_log'))).toBe(false)
  })

  it('refuses folders that do not match partitionBy', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'year=2024/x.parquet', rows([1]))
    await putParquet(engine, 'year=2024/month=1/y.parquet', rows([2]))
    await putParquet(engine, 'year=abc/z.parquet', rows([3]))
    const refuse = (files: string[], partitionBy: Record<string, 'integer'> | string[] | undefined, text: string) =>
      expect(convertToDeltaLake(engine, { files, partitionBy })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining(text) })
    await refuse(['year=2024/x.parquet'], undefined, "'year' is not a partition column")
    await refuse(['year=2024/month=1/y.parquet'], { year: 'integer' }, "'month' is not a partition column")
    await refuse(['year=2024/x.parquet'], ['year', 'month'], "'month'")
    await refuse(['year=abc/z.parquet'], { year: 'integer' }, 'not a valid integer')
    await expect(convertToDeltaLake(engine, { partitionBy: { year: 'struct' as never } })).rejects.toMatchObject({ code: 'InvalidArgument' })
    // Without `files`, the partition folders are found by walking the table.
    await expect(convertToDeltaLake(engine)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining("'year' is not a partition column") })
    expect(engine.storage.paths().some((p) => p.startsWith('_delta_log'))).toBe(false)
  })

  it('finds partition folders by itself where the storage walks folders', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'year=2024/x.parquet', rows([1, 2]))
    await putParquet(engine, 'year=2025/y.parquet', rows([3]))
    await putParquet(engine, '_tmp/z.parquet', rows([9]))
    expect(await convertToDeltaLake(engine, { partitionBy: { year: 'integer' } })).toMatchObject({ version: 0, numConvertedFiles: 2 })
    expect(await readIds(engine)).toEqual([1, 2, 3])
  })

  it('refuses a folder that already holds a table, or leaves it alone with mode ignore', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]))
    await writeTable(engine, rows([3]), { mode: 'append' })
    await expect(convertToDeltaLake(engine)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('already') })
    expect(await convertToDeltaLake(engine, { mode: 'ignore' })).toEqual({ version: 1, numConvertedFiles: 0 })
    expect(await readIds(engine)).toEqual([1, 2, 3])
  })

  it('reports progress, stops when cancelled and refuses unknown options', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'a.parquet', rows([1]))
    await putParquet(engine, 'b.parquet', rows([2]))
    const controller = new AbortController()
    const seen: number[] = []
    await expect(convertToDeltaLake(engine, { signal: controller.signal, onProgress: (p) => { seen.push(p.done); controller.abort() } }))
      .rejects.toMatchObject({ code: 'Cancelled' })
    expect(seen).toEqual([1])
    expect(engine.storage.paths().some((p) => p.startsWith('_delta_log'))).toBe(false)
    await expect(convertToDeltaLake(engine, { partitionby: ['x'] } as never)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('partitionBy') })
    const progress: [number, number][] = []
    await convertToDeltaLake(engine, { onProgress: (p) => progress.push([p.done, p.total]) })
    expect(progress).toEqual([[1, 2], [2, 2]])
    expect(await readIds(engine)).toEqual([1, 2])
  })

  it('takes table properties, column mapping by name and date partitions', async () => {
    const engine = await memoryEngine()
    await putParquet(engine, 'day=2026-01-31/x.parquet', people([1], ['ann'], [0.5]))
    await convertToDeltaLake(engine, {
      partitionBy: { day: 'date' }, files: ['day=2026-01-31/x.parquet'],
      configuration: { 'delta.columnMapping.mode': 'name', 'delta.enableChangeDataFeed': 'true' },
    })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.columnMapping).toBe('name')
    expect(snapshot.schema.fields.map((f) => f.metadata['delta.columnMapping.physicalName'])).toEqual(['id', 'name', 'score', 'day'])
    expect(snapshot.metadata.configuration).toMatchObject({ 'delta.columnMapping.maxColumnId': '4', 'delta.enableChangeDataFeed': 'true' })
    expect(snapshot.protocol).toMatchObject({ minReaderVersion: 2, minWriterVersion: 5 })
    const [row] = await readRows(engine)
    expect(row).toMatchObject({ id: 1n, name: 'ann', score: 0.5 })
    expect(new Date(row!.day as number).toISOString().slice(0, 10)).toBe('2026-01-31')
    const other = await memoryEngine()
    await putParquet(other, 'x.parquet', rows([1]))
    await expect(convertToDeltaLake(other, { configuration: { 'delta.columnMapping.mode': 'id' } })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(convertToDeltaLake(other, { configuration: { 'delta.appendOnly': 'maybe' } })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('delta.appendOnly') })
    expect(other.storage.paths()).toEqual(['x.parquet'])
  })
})
