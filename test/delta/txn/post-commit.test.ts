import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ABANDONED_TEMP_AGE_MS } from '../../../src/delta/checkpoint/log-cleanup.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import type { AddAction, MetadataAction } from '../../../src/delta/model/actions.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import type { PostCommitHookProperties } from '../../../src/delta/txn/options.js'
import { startTransaction } from '../../../src/delta/txn/transaction.js'
import { FailingStorage, isInjectedFailure } from '../../../src/storage/failing.js'
import { memoryEngine } from '../ops/fixture.js'

const DAY = 86_400_000

function metadata(configuration: Record<string, string>): MetadataAction {
  return {
    kind: 'metaData', id: 'post-commit', format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }),
    partitionColumns: [], configuration, createdTime: 1,
  }
}

const add = (path: string): AddAction => ({ kind: 'add', path, partitionValues: {}, size: 10, modificationTime: 1, dataChange: true })

/**
 * A table with checkpoints every 2 commits whose versions 0 and 1 were written 10 and 9 days
 * ago; commits version 2 with the given hooks and gives back the log it leaves.
 */
async function commitAtInterval(configuration: Record<string, string>, hooks?: PostCommitHookProperties) {
  let clock = Date.now() - 10 * DAY
  const engine: Engine = await memoryEngine({ now: () => clock })
  const config = { 'delta.checkpointInterval': '2', 'delta.logRetentionDuration': 'interval 1 day', ...configuration }
  await startTransaction(engine, undefined, { operation: 'CREATE TABLE' })
    .setMetadata(metadata(config)).setProtocol({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }).commit()
  clock += DAY
  await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles([add('a.parquet')]).commit()
  clock += DAY
  const result = await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE', postCommitHookProperties: hooks })
    .addFiles([add('b.parquet')]).commit()
  const log = (await engine.storage.list('_delta_log')).map((f) => f.path.slice('_delta_log/'.length))
  return { result, log, engine }
}

describe('post-commit hooks', () => {
  it('write a checkpoint at the interval and clean up expired log files by default', async () => {
    const { result, log, engine } = await commitAtInterval({})
    expect(result).toMatchObject({ version: 2, checkpointCreated: true, logFilesCleanedUp: 2 })
    expect(log).toEqual(['00000000000000000002.checkpoint.parquet', '00000000000000000002.json', '_last_checkpoint'])
    expect((await loadSnapshot(engine)).files.map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet'])
  })

  it('createCheckpoint false writes no checkpoint at the interval', async () => {
    const { result, log } = await commitAtInterval({}, { createCheckpoint: false, cleanupExpiredLogs: false })
    expect(result).toMatchObject({ version: 2, checkpointCreated: false, logFilesCleanedUp: 0 })
    expect(log).toEqual(['00000000000000000000.json', '00000000000000000001.json', '00000000000000000002.json'])
  })

  it('cleanupExpiredLogs defaults to the table property, and wins over it when given', async () => {
    const off = { 'delta.enableExpiredLogCleanup': 'false' }
    const kept = await commitAtInterval(off)
    expect(kept.result).toMatchObject({ checkpointCreated: true, logFilesCleanedUp: 0 })
    expect(kept.log).toContain('00000000000000000000.json')
    const forced = await commitAtInterval(off, { cleanupExpiredLogs: true })
    expect(forced.result.logFilesCleanedUp).toBe(2)
    expect(forced.log).not.toContain('00000000000000000000.json')
    const skipped = await commitAtInterval({}, { cleanupExpiredLogs: false })
    expect(skipped.result).toMatchObject({ checkpointCreated: true, logFilesCleanedUp: 0 })
  })

  it('report a failure after the commit landed, and the commit stands', async () => {
    const engine = await memoryEngine()
    await startTransaction(engine, undefined, { operation: 'CREATE TABLE' })
      .setMetadata(metadata({ 'delta.checkpointInterval': '2' })).setProtocol({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }).commit()
    await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles([add('a.parquet')]).commit()
    // The first put is the commit of version 2, the second the checkpoint's.
    const failing = { ...engine, storage: new FailingStorage(engine.storage, { ops: ['put'], failAt: 2 }) }
    const result = await startTransaction(failing, await loadSnapshot(failing), { operation: 'WRITE' }).addFiles([add('b.parquet')]).commit()
    expect(result).toMatchObject({ version: 2, checkpointCreated: false, logFilesCleanedUp: 0 })
    expect(isInjectedFailure(result.error)).toBe(true)
    expect(await engine.storage.head('_delta_log/00000000000000000002.checkpoint.parquet')).toBeUndefined()
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.version).toBe(2)
    expect(snapshot.files.map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet'])
  })

  it('report no error when they succeed', async () => {
    const { result } = await commitAtInterval({})
    expect(result.error).toBeUndefined()
  })

  it('do nothing between intervals', async () => {
    const engine = await memoryEngine()
    await startTransaction(engine, undefined, { operation: 'CREATE TABLE' })
      .setMetadata(metadata({ 'delta.checkpointInterval': '2' })).setProtocol({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }).commit()
    const result = await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles([add('a.parquet')]).commit()
    expect(result).toMatchObject({ version: 1, checkpointCreated: false, logFilesCleanedUp: 0 })
  })
})

describe('a writer killed mid-commit on the file system', () => {
  it('leaves a temp file that the next writer\'s log cleanup removes once abandoned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delta-temp-'))
    try {
      const storage = new NodeFsStorage(dir)
      const engine: Engine = { storage, parquet: (await memoryEngine()).parquet }
      await startTransaction(engine, undefined, { operation: 'CREATE TABLE' })
        .setMetadata(metadata({ 'delta.checkpointInterval': '2' })).setProtocol({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }).commit()
      // What a writer killed between writing its temp file and linking it leaves behind.
      const abandoned = join(dir, '_delta_log', '.00000000000000000001.json.5f3c9a0b1d2e4f67.tmp')
      const fresh = join(dir, '_delta_log', '.00000000000000000002.json.0a1b2c3d4e5f6789.tmp')
      await writeFile(abandoned, '{"add":{"path":"half')
      await writeFile(fresh, '{"add":{"path":"being written')
      const old = new Date(Date.now() - 2 * ABANDONED_TEMP_AGE_MS)
      await utimes(abandoned, old, old)
      await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles([add('a.parquet')]).commit()
      expect(await readdir(join(dir, '_delta_log'))).toContain(basename(abandoned))
      const result = await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles([add('b.parquet')]).commit()
      expect(result).toMatchObject({ version: 2, checkpointCreated: true, logFilesCleanedUp: 1 })
      const left = await readdir(join(dir, '_delta_log'))
      expect(left).not.toContain(basename(abandoned))
      expect(left).toContain(basename(fresh))
      expect((await loadSnapshot(engine)).files.map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
