import { describe, expect, it, vi } from 'vitest'
import type { AddAction, MetadataAction, ProtocolAction } from '../../../src/delta/model/actions.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { ENGINE_INFO } from '../../../src/delta/txn/commit-info.js'
import { checkAppendOnly } from '../../../src/delta/features/writer.js'
import { startTransaction, type TransactionStart } from '../../../src/delta/txn/transaction.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { createActions, writeCommit } from '../../helpers/log-builder.js'
import { commitActions, commitInfoOf, memoryEngine, rows } from '../ops/fixture.js'

const PROTOCOL: ProtocolAction = { kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }
const noWait = { sleep: async () => {} }

function metadata(configuration: Record<string, string> = {}): MetadataAction {
  return {
    kind: 'metaData', id: 'txn-test', format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }),
    partitionColumns: [], configuration, createdTime: 1,
  }
}

/** An add action for a file that need not exist: the transaction never reads data. */
function add(path: string): AddAction {
  return { kind: 'add', path, partitionValues: {}, size: 10, modificationTime: 1, dataChange: true }
}

async function created(configuration: Record<string, string> = {}): Promise<{ engine: Engine; snapshot: Snapshot }> {
  const engine = await memoryEngine()
  await startTransaction(engine, undefined, { operation: 'CREATE TABLE', ...noWait })
    .setMetadata(metadata(configuration)).setProtocol(PROTOCOL).addFiles([add('a.parquet'), add('b.parquet')]).commit()
  return { engine, snapshot: await loadSnapshot(engine) }
}

function append(engine: Engine, snapshot: Snapshot, path: string, opts: Partial<TransactionStart> = {}) {
  return startTransaction(engine, snapshot, { operation: 'WRITE', ...noWait, ...opts }).addFiles([add(path)])
}

describe('Transaction commitInfo', () => {
  it('heads the commit with the operation, its parameters and metrics, readVersion, isolation, engine and txnId', async () => {
    const { engine, snapshot } = await created()
    const result = await append(engine, snapshot, 'c.parquet', { commitProperties: { customMetadata: { job: 'nightly' } } })
      .withOperationParameters({ mode: 'append' }).withOperationMetrics({ numAddedFiles: 1, numOutputRows: 5 }).commit()
    expect(result).toMatchObject({ version: 1, attempts: 1, checkpointCreated: false })
    const actions = await commitActions(engine, 1)
    expect(Object.keys(actions[0]!)).toEqual(['commitInfo'])
    const info = actions[0]!.commitInfo!
    expect(info).toMatchObject({
      operation: 'WRITE', operationParameters: { mode: 'append' }, readVersion: 0, isolationLevel: 'WriteSerializable',
      isBlindAppend: true, engineInfo: ENGINE_INFO, clientVersion: ENGINE_INFO, job: 'nightly',
      operationMetrics: { numAddedFiles: 1, numOutputRows: 5, executionTimeMs: expect.any(Number) },
    })
    expect(info.txnId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(typeof info.timestamp).toBe('number')
    expect(info).not.toHaveProperty('inCommitTimestamp')
  })

  it('creates a table: no readVersion, then protocol and metadata', async () => {
    const { engine } = await created()
    const actions = await commitActions(engine, 0)
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['commitInfo', 'protocol', 'metaData', 'add', 'add'])
    expect(actions[0]!.commitInfo).not.toHaveProperty('readVersion')
    expect(actions[0]!.commitInfo).toMatchObject({ operation: 'CREATE TABLE', isBlindAppend: true })
  })

  it('is a blind append only when it adds files without reading or removing any', async () => {
    const { engine, snapshot } = await created()
    await startTransaction(engine, snapshot, { operation: 'DELETE', ...noWait }).removeFiles([snapshot.files.at(0)!]).commit()
    expect((await commitInfoOf(engine, 1)).isBlindAppend).toBe(false)
    await append(engine, await loadSnapshot(engine), 'c.parquet').readFrom({ files: new Set(['b.parquet']) }).commit()
    expect((await commitInfoOf(engine, 2)).isBlindAppend).toBe(false)
    await append(engine, await loadSnapshot(engine), 'd.parquet', { isolationLevel: 'Serializable' }).commit()
    expect(await commitInfoOf(engine, 3)).toMatchObject({ isBlindAppend: true, isolationLevel: 'Serializable' })
  })

  it('stamps in-commit timestamps after the previous commit when the table has them', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.enableInCommitTimestamps': 'true' } })
    const previous = (await commitInfoOf(engine, 0)).inCommitTimestamp as number
    expect(typeof previous).toBe('number')
    await append(engine, await loadSnapshot(engine), 'c.parquet').commit()
    const actions = await commitActions(engine, 1)
    expect(Object.keys(actions[0]!)).toEqual(['commitInfo'])
    expect(actions[0]!.commitInfo!.inCommitTimestamp).toBeGreaterThan(previous)
  })

  it('keeps in-commit timestamps increasing past a checkpoint, with a clock that is behind', async () => {
    const engine = await memoryEngine()
    const configuration = { 'delta.enableInCommitTimestamps': 'true', 'delta.checkpointInterval': '2' }
    await writeTable(engine, rows([0]), { configuration })
    await writeTable(engine, rows([1]), { mode: 'append' })
    await writeTable(engine, rows([2]), { mode: 'append' })
    const snapshot = await loadSnapshot(engine)
    // The snapshot sits on the checkpoint: it read no commit, so no commitInfo of its own version.
    expect(snapshot.segment.checkpoint?.version).toBe(2)
    expect(snapshot.commitInfos.has(2)).toBe(false)
    const previous = (await commitInfoOf(engine, 2)).inCommitTimestamp as number
    const clock = vi.spyOn(Date, 'now').mockReturnValue(previous - 3_600_000)
    try {
      await append(engine, snapshot, 'c.parquet').commit()
    } finally {
      clock.mockRestore()
    }
    expect((await commitInfoOf(engine, 3)).inCommitTimestamp).toBeGreaterThan(previous)
  })

  it('records app transactions as txn actions', async () => {
    const { engine, snapshot } = await created()
    const before = Date.now()
    await append(engine, snapshot, 'c.parquet', { commitProperties: { appTransactions: [{ appId: 'etl', version: 3 }, { appId: 'cdc', version: 0 }] } }).commit()
    const txns = (await commitActions(engine, 1)).filter((a) => a.txn).map((a) => a.txn!)
    expect(txns.map((t) => [t.appId, t.version])).toEqual([['etl', 3], ['cdc', 0]])
    expect(txns[0]!.lastUpdated).toBeGreaterThanOrEqual(before)
    expect((await loadSnapshot(engine)).txns.get('etl')?.version).toBe(3)
  })
})

describe('Transaction commit', () => {
  it('retries past a concurrent blind append, keeping its readVersion', async () => {
    const { engine, snapshot } = await created()
    const late = append(engine, snapshot, 'late.parquet')
    await append(engine, snapshot, 'early.parquet').commit()
    const result = await late.commit()
    expect(result).toMatchObject({ version: 2, attempts: 2 })
    expect((await commitInfoOf(engine, 2)).readVersion).toBe(0)
    expect((await loadSnapshot(engine)).files.map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet', 'early.parquet', 'late.parquet'])
  })

  it('fails with CommitConflict when the winner removed a file it read', async () => {
    const { engine, snapshot } = await created()
    const a = snapshot.files.find((f) => f.path === 'a.parquet')!
    const loser = startTransaction(engine, snapshot, { operation: 'DELETE', ...noWait }).removeFiles([a]).readFrom({ files: new Set(['a.parquet']) })
    await startTransaction(engine, snapshot, { operation: 'DELETE', ...noWait }).removeFiles([a]).commit()
    await expect(loser.commit()).rejects.toMatchObject({ code: 'CommitConflict', message: expect.stringContaining('version 1') })
    expect((await loadSnapshot(engine)).version).toBe(1)
  })

  it('commits once', async () => {
    const { engine, snapshot } = await created()
    const txn = append(engine, snapshot, 'c.parquet')
    await txn.commit()
    await expect(txn.commit()).rejects.toMatchObject({ code: 'Internal' })
  })

  it('refuses at the start a table with writer features it cannot write, and such a new protocol', async () => {
    const engine = await memoryEngine()
    const actions = createActions()
    Object.assign((actions[1] as { protocol: object }).protocol, { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['rowTracking'] })
    await writeCommit(engine.storage, 0, actions)
    const snapshot = await loadSnapshot(engine)
    expect(() => startTransaction(engine, snapshot, { operation: 'WRITE' })).toThrow(expect.objectContaining({ code: 'UnsupportedFeature', message: expect.stringContaining('rowTracking') }))
    const { engine: other, snapshot: ok } = await created()
    const txn = startTransaction(other, ok, { operation: 'WRITE' })
    expect(() => txn.setProtocol({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['clustering'] })).toThrow(expect.objectContaining({ code: 'UnsupportedFeature' }))
  })

  it('takes more file actions than a call can spread (200,000 of each kind)', async () => {
    const { engine, snapshot } = await created()
    const n = 200_000
    const adds = Array.from({ length: n }, (_, i) => add(`new-${i}.parquet`))
    const gone = Array.from({ length: n }, (_, i) => add(`old-${i}.parquet`))
    const cdc = Array.from({ length: n }, (_, i) => ({ kind: 'cdc' as const, path: `_change_data/c-${i}.parquet`, partitionValues: {}, size: 1, dataChange: false }))
    const txn = startTransaction(engine, snapshot, { operation: 'OPTIMIZE', ...noWait }).addFiles(adds).removeFiles(gone, false).addChangeFiles(cdc)
    await txn.commit()
    const actions = await commitActions(engine, 1)
    expect([actions.filter((a) => a.add).length, actions.filter((a) => a.remove).length, actions.filter((a) => a.cdc).length]).toEqual([n, n, n])
  }, 60_000)

  it('refuses to create a table without metadata and protocol', async () => {
    const engine = await memoryEngine()
    await expect(startTransaction(engine, undefined, { operation: 'CREATE TABLE' }).addFiles([add('a.parquet')]).commit()).rejects.toMatchObject({ code: 'Internal' })
    expect(engine.storage.paths()).toEqual([])
  })
})

describe('checkAppendOnly', () => {
  const table = (protocol: Partial<ProtocolAction>, appendOnly = 'true') => ({
    protocol: { ...PROTOCOL, ...protocol }, metadata: metadata({ 'delta.appendOnly': appendOnly }),
  })
  const caught = (f: () => void) => { try { f() } catch (e) { return e } return undefined }

  it('refuses removing data from an append-only table, naming the property', () => {
    const e = caught(() => checkAppendOnly(table({}), 2))
    expect(isDeltaError(e, 'InvalidArgument')).toBe(true)
    expect((e as Error).message).toMatch(/delta\.appendOnly[\s\S]*2 files/)
    expect(caught(() => checkAppendOnly(table({ minWriterVersion: 7, writerFeatures: ['appendOnly'] }), undefined))).toMatchObject({ code: 'InvalidArgument' })
  })

  it('applies only where the protocol supports appendOnly and the property is true', () => {
    expect(() => checkAppendOnly(table({}, 'false'), 1)).not.toThrow()
    expect(() => checkAppendOnly(table({ minWriterVersion: 1 }), 1)).not.toThrow()
    expect(() => checkAppendOnly(table({ minWriterVersion: 7, writerFeatures: ['invariants'] }), 1)).not.toThrow()
    expect(() => checkAppendOnly(undefined, 1)).not.toThrow()
  })

  it('lets a transaction rearrange files (dataChange false) but not remove them', async () => {
    const { engine, snapshot } = await created({ 'delta.appendOnly': 'true' })
    const txn = startTransaction(engine, snapshot, { operation: 'OPTIMIZE', ...noWait })
    expect(() => txn.removeFiles([snapshot.files.at(0)!])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    expect(() => txn.assertRemovable()).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    const compaction = startTransaction(engine, snapshot, { operation: 'OPTIMIZE', ...noWait }).removeFiles(snapshot.files.toArray(), false)
    await expect(compaction.addFiles([{ ...add('ab.parquet'), dataChange: false }]).commit()).resolves.toMatchObject({ version: 1 })
  })
})
