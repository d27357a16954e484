// Without not-matched-by-source clauses a merge reads only the target files its source's join
// keys may match (by stats and partition values). A counting storage shows which data files were
// read at all. Which file holds which ids is known from how the table was written (one append
// per range), and each file's path is taken from the commit that added it.
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { DeltaTable } from '../../../src/api/delta-table.js'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { logActions, parquetCodec, rowsOf, URI } from './merge-helpers.js'
import { sortRows, type Row } from './merge-reference.js'

const FILES = 10
const PER_FILE = 100

const longs = (xs: readonly (number | null)[]) => vectorFromArray(xs.map((x) => (x === null ? null : BigInt(x))), new Int64())
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i)

/**
 * Ten appends (versions 0 to 9), file k holding ids [100k, 100k + 100) with v = 'k<id>';
 * the table opened over a counting storage, and each file's path by the range it holds.
 */
async function rangedTable(opts: { partitioned?: boolean } = {}) {
  const memory = new MemoryStorage()
  const parquet = await parquetCodec()
  for (let k = 0; k < FILES; k++) {
    const ids = range(k * PER_FILE, (k + 1) * PER_FILE)
    const columns = { id: longs(ids), v: vectorFromArray(ids.map((i) => `k${i}`), new Utf8()) }
    const data = opts.partitioned ? new Table({ ...columns, part: vectorFromArray(ids.map(() => `r${k}`), new Utf8()) }) : new Table(columns)
    await writeDeltaLake(URI, data, { storage: memory, parquet, mode: k === 0 ? 'error' : 'append', ...(opts.partitioned && { partitionBy: ['part'] }) })
  }
  const pathOf: string[] = []
  for (let k = 0; k < FILES; k++) {
    const adds = (await logActions(memory, k)).filter((a) => a.add).map((a) => a.add.path as string)
    expect(adds).toHaveLength(1)
    pathOf.push(decodeURIComponent(adds[0]!))
  }
  const storage = new CountingStorage(memory)
  const table = await DeltaTable.open(URI, { storage, parquet })
  const all: Row[] = range(0, FILES * PER_FILE).map((i) => ({ id: i, v: `k${i}` }))
  return { table, storage, pathOf, all }
}

/** The data files (of those the table had before the merge) that were read since the last reset. */
function dataFilesRead(storage: CountingStorage, paths: readonly string[]): string[] {
  const known = new Set(paths)
  return [...new Set(storage.calls.filter((c) => c.op === 'read' && known.has(c.path)).map((c) => c.path))].sort()
}

describe('merge skips target files the source cannot match', () => {
  it('reads only the one file whose id range holds the source ids', async () => {
    const { table, storage, pathOf, all } = await rangedTable()
    storage.reset()
    // Every source id is in file 3's range [300, 400): 377 is deleted, the others updated.
    const source = new Table({ id: longs([305, 342, 377, 399]), v: vectorFromArray(['u305', 'u342', 'del', 'u399'], new Utf8()) })
    const r = await table.merge(source, { predicate: 'target.id = source.id' })
      .whenMatchedDelete({ predicate: "source.v = 'del'" })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ numTargetFilesScanned: 1, numTargetFilesSkippedDuringScan: FILES - 1, numTargetRowsUpdated: 3, numTargetRowsDeleted: 1, numTargetRowsInserted: 0 })
    expect(dataFilesRead(storage, pathOf)).toEqual([pathOf[3]])
    const expected = all.filter((row) => row.id !== 377).map((row) => ([305, 342, 399].includes(row.id as number) ? { ...row, v: `u${row.id}` } : row))
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
  })

  it('skips by the source keys\' range when they are too many to list, still reading one file', async () => {
    const { table, storage, pathOf } = await rangedTable()
    storage.reset()
    // 80 distinct ids, all in file 6's range: more than an IN list takes.
    const ids = range(610, 690)
    const r = await table.merge(new Table({ id: longs(ids), v: vectorFromArray(ids.map((i) => `u${i}`), new Utf8()) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdateAll()
      .execute()
    expect(r).toMatchObject({ numTargetFilesScanned: 1, numTargetFilesSkippedDuringScan: FILES - 1, numTargetRowsUpdated: ids.length })
    expect(dataFilesRead(storage, pathOf)).toEqual([pathOf[6]])
  })

  it('reads every file when the merge has a not-matched-by-source clause', async () => {
    const { table, storage, pathOf, all } = await rangedTable()
    storage.reset()
    const r = await table.merge(new Table({ id: longs([305]), v: vectorFromArray(['u305'], new Utf8()) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdateAll()
      .whenNotMatchedBySourceDelete({ predicate: 'target.id >= 990' })
      .execute()
    expect(r).toMatchObject({ numTargetFilesScanned: FILES, numTargetFilesSkippedDuringScan: 0, numTargetRowsUpdated: 1, numTargetRowsDeleted: 10 })
    expect(dataFilesRead(storage, pathOf)).toEqual([...pathOf].sort())
    const expected = all.filter((row) => (row.id as number) < 990).map((row) => (row.id === 305 ? { ...row, v: 'u305' } : row))
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
  })

  it('reads no file when the source has only NULL keys, and inserts them', async () => {
    const { table, storage, pathOf } = await rangedTable()
    storage.reset()
    const r = await table.merge(new Table({ id: longs([null, null]), v: vectorFromArray(['n1', 'n2'], new Utf8()) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ numTargetFilesScanned: 0, numTargetFilesSkippedDuringScan: FILES, numTargetRowsInserted: 2 })
    expect(dataFilesRead(storage, pathOf)).toEqual([])
    expect((await rowsOf(table)).filter((row) => row.id === null).map((row) => row.v).sort()).toEqual(['n1', 'n2'])
  })

  it('skips by partition values when the predicate joins on the partition column', async () => {
    const { table, storage, pathOf } = await rangedTable({ partitioned: true })
    storage.reset()
    const source = new Table({ id: longs([812, 2000]), part: vectorFromArray(['r8', 'r8'], new Utf8()), v: vectorFromArray(['u812', 'new'], new Utf8()) })
    const r = await table.merge(source, { predicate: 'target.part = source.part AND target.id = source.id' })
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ numTargetFilesScanned: 1, numTargetFilesSkippedDuringScan: FILES - 1, numTargetRowsUpdated: 1, numTargetRowsInserted: 1 })
    expect(dataFilesRead(storage, pathOf)).toEqual([pathOf[8]])
    const rows = await rowsOf(table)
    expect(rows.filter((row) => row.id === 812 || row.id === 2000).map((row) => `${row.id}:${row.part}:${row.v}`).sort()).toEqual(['2000:r8:new', '812:r8:u812'])
  })
})
