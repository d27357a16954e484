import { parquetMetadata } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { FailingStorage } from '../../../src/storage/failing.js'
import { commitInfoOf, memoryEngine, readIds, rows } from './fixture.js'

describe('deleteRows', () => {
  it('records its predicate and metrics in commitInfo', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3, 4], ['a', 'a', 'b', 'c']), { partitionBy: ['p'] })
    const result = await deleteRows(engine, "id = 1 OR p = 'b'", { commitProperties: { customMetadata: { ticket: 'T-1' } } })
    expect(result).toMatchObject({ version: 1, numDeletedRows: 2, numRemovedFiles: 2, numAddedFiles: 1, numCopiedRows: 1 })
    expect(await commitInfoOf(engine, 1)).toMatchObject({
      operation: 'DELETE', operationParameters: { predicate: `["id = 1 OR p = 'b'"]` }, readVersion: 0,
      operationMetrics: {
        numRemovedFiles: 2, numAddedFiles: 1, numAddedChangeFiles: 0, numDeletedRows: 2, numCopiedRows: 1,
        numRemovedBytes: expect.any(Number), numAddedBytes: expect.any(Number), executionTimeMs: expect.any(Number),
      },
      isolationLevel: 'WriteSerializable', isBlindAppend: false, ticket: 'T-1',
    })
    expect(await readIds(engine)).toEqual([2, 4])
  })

  it('rewrites files with its writerProperties', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3, 4, 5, 6]))
    await deleteRows(engine, 'id = 6', { writerProperties: { compression: 'brotli', maxRowGroupSize: 2 } })
    const [file] = (await loadSnapshot(engine)).files
    const meta = parquetMetadata((await engine.storage.read(decodeURI(file!.path))).buffer as ArrayBuffer)
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2, 2, 1])
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('BROTLI')
    expect(await readIds(engine)).toEqual([1, 2, 3, 4, 5])
  })

  it('commits nothing when no row matches', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]))
    expect(await deleteRows(engine, 'id = 9')).toMatchObject({ version: 0, numDeletedRows: 0, numRemovedFiles: 0, numAddedFiles: 0 })
    expect((await loadSnapshot(engine)).version).toBe(0)
  })

  it('checkpoints at the interval unless postCommitHookProperties.createCheckpoint is false', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3, 4]), { configuration: { 'delta.checkpointInterval': '2' } })
    await deleteRows(engine, 'id = 1')
    await deleteRows(engine, 'id = 2', { postCommitHookProperties: { createCheckpoint: false } })
    expect(await engine.storage.head('_delta_log/00000000000000000002.checkpoint.parquet')).toBeUndefined()
    await deleteRows(engine, 'id = 3')
    await deleteRows(engine, 'id = 4')
    expect(await engine.storage.head('_delta_log/00000000000000000004.checkpoint.parquet')).toBeDefined()
  })
})

describe('deleteRows with a blank predicate', () => {
  it('refuses it before reading or writing anything, rather than deleting every row', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3]))
    const before = engine.storage.paths()
    // Any storage call fails: the refusal must come first.
    const untouchable = { ...engine, storage: new FailingStorage(engine.storage, { failAt: 1 }) }
    for (const blank of ['', '   ', '\n\t']) {
      await expect(deleteRows(untouchable, blank)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('predicate') })
    }
    expect(engine.storage.paths()).toEqual(before)
    expect(await readIds(engine)).toEqual([1, 2, 3])
  })
})

describe('deleteRows stats', () => {
  it("rewrites files with the table's stats settings, as writes do", async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3], ['a', 'b', 'c']), { configuration: { 'delta.dataSkippingNumIndexedCols': '1' } })
    const written = JSON.parse((await loadSnapshot(engine)).files.at(0)!.stats!)
    expect(Object.keys(written.minValues)).toEqual(['id'])
    await deleteRows(engine, 'id = 2')
    const [file] = (await loadSnapshot(engine)).files
    const stats = JSON.parse(file!.stats!)
    expect(stats).toMatchObject({ numRecords: 2, minValues: { id: 1 }, maxValues: { id: 3 } })
    expect(Object.keys(stats.minValues)).toEqual(['id'])
    expect(Object.keys(stats.maxValues)).toEqual(['id'])
    expect(Object.keys(stats.nullCount)).toEqual(['id'])
  })
})
