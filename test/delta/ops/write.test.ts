import { parquetMetadata } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import { DeltaError } from '../../../src/delta/engine/errors.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { loadIfExists, writeTable } from '../../../src/delta/ops/write.js'
import { FailingStorage } from '../../../src/storage/failing.js'
import { commitInfoOf, memoryEngine, readIds, rows } from './fixture.js'

/** The footer of every data file of the latest version. */
async function footers(engine: Engine) {
  const snapshot = await loadSnapshot(engine)
  return Promise.all(snapshot.files.map(async (f) => ({ path: f.path, meta: parquetMetadata((await engine.storage.read(decodeURI(f.path))).buffer as ArrayBuffer) })))
}

describe('writeTable writerProperties', () => {
  it('compression and maxRowGroupSize reach the Parquet file', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3, 4, 5]), { writerProperties: { compression: 'zstd', maxRowGroupSize: 2 } })
    const [file] = await footers(engine)
    expect(file!.path).toMatch(/\.zstd\.parquet$/)
    expect(file!.meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2, 2, 1])
    expect(file!.meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('ZSTD')
    expect(await readIds(engine)).toEqual([1, 2, 3, 4, 5])
  })

  it('keeps the top-level compression option as an alias', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]), { compression: 'gzip' })
    const [file] = await footers(engine)
    expect(file!.meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('GZIP')
  })

  it('writes snappy in one row group by default', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3]))
    const [file] = await footers(engine)
    expect(file!.meta.row_groups).toHaveLength(1)
    expect(file!.meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('SNAPPY')
  })
})

describe('writeTable commits', () => {
  it('records its parameters, metrics and commit properties in commitInfo', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3], ['a', 'a', 'b']), { partitionBy: ['p'] })
    expect(await commitInfoOf(engine, 0)).toMatchObject({
      operation: 'CREATE TABLE', operationParameters: { mode: 'error', partitionBy: '["p"]' },
      operationMetrics: { numFiles: 2, numOutputRows: 3, numAddedFiles: 2, numRemovedFiles: 0, numOutputBytes: expect.any(Number) },
      isBlindAppend: true,
    })
    const result = await writeTable(engine, rows([4], ['a']), {
      mode: 'overwrite', predicate: "p = 'a'", isolationLevel: 'Serializable',
      commitProperties: { customMetadata: { userMetadata: 'reload a' } },
    })
    expect(result).toMatchObject({ version: 1, filesAdded: 1, filesRemoved: 1, rowsWritten: 1, attempts: 1 })
    expect(await commitInfoOf(engine, 1)).toMatchObject({
      operation: 'WRITE', operationParameters: { mode: 'overwrite', predicate: "p = 'a'" }, readVersion: 0,
      operationMetrics: { numFiles: 1, numOutputRows: 1, numAddedFiles: 1, numRemovedFiles: 1 },
      isolationLevel: 'Serializable', isBlindAppend: false, userMetadata: 'reload a',
    })
    expect(await readIds(engine)).toEqual([3, 4])
  })

  it('checkpoints at the interval unless postCommitHookProperties.createCheckpoint is false', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([0]), { configuration: { 'delta.checkpointInterval': '2' } })
    await writeTable(engine, rows([1]), { mode: 'append' })
    await writeTable(engine, rows([2]), { mode: 'append', postCommitHookProperties: { createCheckpoint: false } })
    expect(await engine.storage.head('_delta_log/00000000000000000002.checkpoint.parquet')).toBeUndefined()
    await writeTable(engine, rows([3]), { mode: 'append' })
    await writeTable(engine, rows([4]), { mode: 'append' })
    expect(await engine.storage.head('_delta_log/00000000000000000004.checkpoint.parquet')).toBeDefined()
    expect(await readIds(engine)).toEqual([0, 1, 2, 3, 4])
  })
})

describe('writeTable where the log cannot be rebuilt', () => {
  /** Versions 0 to 2, then the first two commits deleted with no checkpoint to stand in for them. */
  async function damaged() {
    const engine = await memoryEngine()
    await writeTable(engine, rows([0]))
    await writeTable(engine, rows([1]), { mode: 'append' })
    await writeTable(engine, rows([2]), { mode: 'append' })
    await engine.storage.delete(commitPath(0))
    await engine.storage.delete(commitPath(1))
    return engine
  }

  it('refuses to write instead of starting a new table inside the old log', async () => {
    const engine = await damaged()
    const before = engine.storage.paths()
    for (const mode of ['append', 'overwrite', 'error', 'ignore'] as const) {
      await expect(writeTable(engine, rows([3]), { mode })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('version 2') })
    }
    expect(engine.storage.paths()).toEqual(before)
    expect(await engine.storage.head(commitPath(0))).toBeUndefined()
  })

  it('is not mistaken for a missing table', async () => {
    await expect(loadIfExists(await damaged())).rejects.toMatchObject({ code: 'InvalidLog' })
    expect(await loadIfExists(await memoryEngine())).toBeUndefined()
  })

  it('still creates a table where the storage says there is no log folder', async () => {
    const engine = await memoryEngine()
    const inner = engine.storage
    // As the Node table storage does for a path that does not exist.
    const storage: Storage = {
      capabilities: inner.capabilities,
      list: () => Promise.reject(new DeltaError('NotFound', "No such path: 'x' does not exist.")),
      read: (p, r) => inner.read(p, r),
      head: (p) => inner.head(p),
      put: (p, d, o) => inner.put(p, d, o),
      delete: (p) => inner.delete(p),
    }
    expect(await loadIfExists({ ...engine, storage })).toBeUndefined()
  })
})

describe('writeTable with a blank replaceWhere predicate', () => {
  it('refuses it before reading or writing anything', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2], ['a', 'b']), { partitionBy: ['p'] })
    const before = engine.storage.paths()
    const untouchable = { ...engine, storage: new FailingStorage(engine.storage, { failAt: 1 }) }
    for (const blank of ['', '  ']) {
      await expect(writeTable(untouchable, rows([3], ['a']), { mode: 'overwrite', predicate: blank }))
        .rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('predicate') })
    }
    expect(engine.storage.paths()).toEqual(before)
    expect(await readIds(engine)).toEqual([1, 2])
  })
})
