import { byPath, engineOf, essence } from '../../helpers/file-essence.js'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Field, Float64, Int32, Schema, Table, Utf8, makeVector, vectorFromArray } from 'apache-arrow'
import { parquetMetadata } from 'hyparquet'
import { afterAll, describe, expect, it } from 'vitest'
import { type Action, type AddAction, type MetadataAction, type ProtocolAction, type RemoveAction } from '../../../src/delta/model/actions.js'
import { formatCommit } from '../../../src/delta/model/action-json.js'
import { CHECKPOINT_ROW_GROUP_ROWS, writeCheckpoint, type CheckpointState } from '../../../src/delta/checkpoint/write.js'
import {
  DEFAULT_SIDECAR_ACTIONS, SIDECAR_DIR, usesV2Checkpoints, writeSidecar, writeV2Checkpoint, writeV2CheckpointFile,
} from '../../../src/delta/checkpoint/write-v2.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { classicCheckpointPath, commitPath, LAST_CHECKPOINT_PATH } from '../../../src/delta/log/log-path.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { DeltaTable, writeDeltaLake } from '../../../src/index-node.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { checkTableProtocol } from '../../helpers/protocol-check.js'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 10, 15, 12)
const enc = new TextEncoder()
const V2_NAME = /^_delta_log\/\d{20}\.checkpoint\.[0-9a-f-]{36}\.parquet$/

const SCHEMA = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'part', type: 'string', nullable: true, metadata: {} },
  ],
}

function protocol(features: string[] = ['v2Checkpoint']): ProtocolAction {
  return { kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: features, writerFeatures: [...features, 'domainMetadata'] }
}

function metadata(configuration: Record<string, string> = {}): MetadataAction {
  return {
    kind: 'metaData', id: 'table-id', name: 't', description: null,
    format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(SCHEMA),
    partitionColumns: ['part'], configuration: { 'delta.checkpointPolicy': 'v2', ...configuration }, createdTime: 1700000000000,
  }
}

function add(path: string, part = 'a', extra: Partial<AddAction> = {}): AddAction {
  const id = path.length
  return {
    kind: 'add', path, partitionValues: { part }, size: 1000, modificationTime: NOW - DAY, dataChange: true,
    stats: JSON.stringify({ numRecords: 10, minValues: { id }, maxValues: { id: id + 9 }, nullCount: { id: 0 } }), ...extra,
  }
}

function remove(path: string, deletionTimestamp: number | null): RemoveAction {
  return { kind: 'remove', path, deletionTimestamp, dataChange: true, extendedFileMetadata: true, partitionValues: { part: 'a' }, size: 1000 }
}

async function commit(storage: MemoryStorage, version: number, actions: Action[]): Promise<void> {
  const info: Action = { kind: 'commitInfo', info: { timestamp: NOW, operation: 'WRITE' } }
  await storage.put(commitPath(version), enc.encode(formatCommit([info, ...actions])))
}

/** A log with every kind of action a checkpoint holds: 6 live files, txns, a domain, tombstones old and new. */
async function buildLog(p: ProtocolAction = protocol(), m: MetadataAction = metadata()): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await commit(storage, 0, [p, m])
  await commit(storage, 1, ['a/1', 'a/2', 'b/3', 'b/4', 'c/5', 'c/6', 'c/7'].map((f) => add(`${f}.parquet`, f[0])))
  await commit(storage, 2, [
    { kind: 'txn', appId: 'app-1', version: 7, lastUpdated: NOW },
    { kind: 'domainMetadata', domain: 'delta.rowTracking', configuration: '{"rowIdHighWaterMark":3}', removed: false },
  ])
  await commit(storage, 3, [remove('c/7.parquet', NOW - DAY), remove('old.parquet', NOW - 30 * DAY), remove('no-time.parquet', null)])
  return storage
}

function expectSameState(a: Snapshot, b: Snapshot): void {
  expect(b.version).toBe(a.version)
  expect(b.protocol).toEqual(a.protocol)
  expect(b.metadata).toEqual(a.metadata)
  expect(byPath(b.files).map(essence)).toEqual(byPath(a.files).map(essence))
  expect([...b.txns.entries()].sort()).toEqual([...a.txns.entries()].sort())
  expect([...b.domains.entries()].sort()).toEqual([...a.domains.entries()].sort())
}

function lastCheckpoint(storage: MemoryStorage | NodeFsStorage): Promise<Record<string, unknown>> {
  return storage.read(LAST_CHECKPOINT_PATH).then((b) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>)
}

const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })))
})

describe('writeV2Checkpoint', () => {
  it('splits the file actions over sidecars, and the table reads the same from them', async () => {
    const storage = await buildLog()
    const engine = await engineOf(storage)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    const result = await writeV2Checkpoint(engine, before, { sidecars: 4, now: NOW })
    expect(result.path).toMatch(V2_NAME)
    // 6 adds + c/7's tombstone in 4 sidecars; protocol, metaData, txn, domain, checkpointMetadata and 4 sidecar actions on top.
    expect(result).toMatchObject({ version: 3, numOfAddFiles: 6, size: 7 + 9 })
    const sidecars = (await storage.list(SIDECAR_DIR)).map((f) => f.path)
    expect(sidecars).toHaveLength(4)
    const sizes = await Promise.all(sidecars.map(async (p) => (await storage.head(p))!.size))
    expect(result.sizeInBytes).toBe((await storage.head(result.path))!.size + sizes.reduce((x, y) => x + y, 0))

    const hint = await lastCheckpoint(storage)
    expect(hint).toMatchObject({ version: 3, size: result.size, sizeInBytes: result.sizeInBytes, numOfAddFiles: 6 })
    const v2 = hint.v2Checkpoint as Record<string, unknown>
    expect(v2).toMatchObject({ path: result.path.slice('_delta_log/'.length), sizeInBytes: (await storage.head(result.path))!.size })
    expect((v2.nonFileActions as object[]).map((a) => Object.keys(a)[0])).toEqual(['protocol', 'metaData', 'txn', 'domainMetadata', 'checkpointMetadata'])
    expect((v2.sidecarFiles as { path: string }[]).map((s) => `${SIDECAR_DIR}/${s.path}`).sort()).toEqual([...sidecars].sort())

    const counting = new CountingStorage(storage)
    const after = await loadSnapshot(await engineOf(counting), undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: 3, format: 'uuid' })
    expect(counting.calls.filter((c) => c.op === 'read' && c.path.endsWith('.json'))).toEqual([])
    expectSameState(before, after)
    expect(byPath(after.tombstones ?? []).map((r) => r.path)).toEqual(['c/7.parquet'])
  })

  it('keeps and expires tombstones as the classic writer does', async () => {
    const tombstonesAfter = async (policy: string, write: (e: Engine, s: Snapshot) => Promise<unknown>): Promise<string[]> => {
      const m = metadata({ 'delta.deletedFileRetentionDuration': 'interval 40 days', 'delta.checkpointPolicy': policy })
      const engine = await engineOf(await buildLog(protocol(), m))
      await write(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
      const after = await loadSnapshot(engine, undefined, { tombstones: true })
      expect(after.segment.checkpoint?.format).toBe(policy === 'v2' ? 'uuid' : 'classic')
      return byPath(after.tombstones ?? []).map((r) => r.path)
    }
    const v2 = await tombstonesAfter('v2', (e, s) => writeV2Checkpoint(e, s, { sidecars: 2, now: NOW }))
    const classic = await tombstonesAfter('classic', (e, s) => writeCheckpoint(e, s, { now: NOW }))
    // no-time.parquet has no deletion time, so it has expired; the 30-day-old one has not.
    expect(v2).toEqual(['c/7.parquet', 'old.parquet'])
    expect(v2).toEqual(classic)
  })

  it('writes no sidecar for a table without files, and never more sidecars than file actions', async () => {
    const storage = new MemoryStorage()
    await commit(storage, 0, [protocol(), metadata()])
    await commit(storage, 1, [add('a/1.parquet'), add('a/2.parquet')])
    const engine = await engineOf(storage)
    const two = await writeV2Checkpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { sidecars: 5 })
    expect(await storage.list(SIDECAR_DIR)).toHaveLength(2)
    expect(two.numOfAddFiles).toBe(2)
    const empty = await writeV2Checkpoint(engine, await loadSnapshot(engine, 0, { tombstones: true }))
    expect(empty).toMatchObject({ version: 0, numOfAddFiles: 0, size: 3 })
    expect(await storage.list(SIDECAR_DIR)).toHaveLength(2)
    expect((await loadSnapshot(engine, 0)).segment.checkpoint?.files[0]?.path).toBe(empty.path)
    await expect(writeV2Checkpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { sidecars: 0 }))
      .rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('sidecars') })
  })

  it('refuses a table without the v2Checkpoint feature, naming it', async () => {
    const storage = await buildLog(protocol(['deletionVectors']))
    const engine = await engineOf(storage)
    const snapshot = await loadSnapshot(engine, undefined, { tombstones: true })
    const refused = { code: 'InvalidArgument', message: expect.stringContaining('v2Checkpoint') }
    await expect(writeV2Checkpoint(engine, snapshot)).rejects.toMatchObject(refused)
    await expect(writeSidecar(engine, snapshot, snapshot.files)).rejects.toMatchObject(refused)
    await expect(writeV2CheckpointFile(engine, snapshot, [])).rejects.toMatchObject(refused)
    expect(await storage.list(SIDECAR_DIR)).toEqual([])
    // writeCheckpoint writes a classic one there, policy or not.
    expect(usesV2Checkpoints(snapshot)).toBe(false)
    expect((await writeCheckpoint(engine, snapshot, { now: NOW })).path).toBe(classicCheckpointPath(3))
  })
})

describe('writeCheckpoint on v2Checkpoint tables', () => {
  it('writes a v2 checkpoint when delta.checkpointPolicy is v2, a classic one otherwise', async () => {
    const v2 = await buildLog()
    const v2Engine = await engineOf(v2)
    expect((await writeCheckpoint(v2Engine, await loadSnapshot(v2Engine, undefined, { tombstones: true }), { now: NOW })).path).toMatch(V2_NAME)
    expect(await v2.list(SIDECAR_DIR)).toHaveLength(1)
    for (const policy of ['classic', undefined]) {
      const m = metadata()
      if (policy) m.configuration['delta.checkpointPolicy'] = policy
      else delete m.configuration['delta.checkpointPolicy']
      const storage = await buildLog(protocol(), m)
      const engine = await engineOf(storage)
      expect((await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { now: NOW })).path).toBe(classicCheckpointPath(3))
    }
  })
})

/** Rows of a table partitioned by region, `n` from `offset`. */
function rows(offset: number, n = 20): Table {
  const ids = Int32Array.from({ length: n }, (_, i) => offset + i)
  const schema = new Schema([new Field('id', new Int32(), false), new Field('region', new Utf8(), true), new Field('amount', new Float64(), true)])
  return new Table(schema, {
    id: makeVector(ids),
    region: vectorFromArray(Array.from(ids, (i) => ['EU', 'US', 'APAC', 'LATAM'][i % 4]!), new Utf8()),
    amount: makeVector(Float64Array.from(ids, (i) => i * 1.5)),
  })
}

describe('v2 checkpoints of a table our writer wrote', () => {
  it('reads the same from 5 sidecars, and follows PROTOCOL.md', async () => {
    const root = await mkdtemp(join(tmpdir(), 'delta-v2cp-'))
    temps.push(root)
    for (let v = 0; v < 6; v++) {
      await writeDeltaLake(root, rows(v * 20), {
        mode: 'append', partitionBy: ['region'], configuration: { 'delta.checkpointPolicy': 'v2' },
        commitProperties: { appTransactions: [{ appId: `app-${v % 2}`, version: v }] },
      })
    }
    await (await DeltaTable.open(root)).delete('id < 10 OR id >= 110')
    const storage = new NodeFsStorage(root)
    const engine = await engineOf(storage)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(before.protocol.readerFeatures).toContain('v2Checkpoint')
    expect(before.files.length).toBeGreaterThanOrEqual(20)
    expect(before.tombstones?.length).toBeGreaterThan(0)
    const read = async (): Promise<string[]> => (await (await DeltaTable.open(root)).toArrow()).toArray().map((r) => JSON.stringify(r.toJSON())).sort()
    const expected = await read()

    const result = await writeV2Checkpoint(engine, before, { sidecars: 5 })
    expect(await readdir(join(root, SIDECAR_DIR))).toHaveLength(5)
    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: before.version, format: 'uuid' })
    expectSameState(before, after)
    // A checkpoint's tombstones are for VACUUM: without stats and tags (PROTOCOL.md).
    const tombstone = (r: RemoveAction): Record<string, unknown> => essence({ ...r, stats: undefined, tags: undefined })
    expect(byPath(after.tombstones ?? []).map(tombstone)).toEqual(byPath(before.tombstones ?? []).map(tombstone))
    expect(result.numOfAddFiles).toBe(before.files.length)
    expect(await read()).toEqual(expected)
    expect(await checkTableProtocol(root)).toEqual([])
    // The check does read the v2 checkpoint: a wrong count in _last_checkpoint is caught.
    const hint = await lastCheckpoint(storage)
    // Without the checksum, which would no longer match (the check reads it too).
    await storage.put(LAST_CHECKPOINT_PATH, enc.encode(JSON.stringify({ ...hint, numOfAddFiles: 1, checksum: undefined })))
    expect(await checkTableProtocol(root)).toEqual([`_last_checkpoint numOfAddFiles 1, the checkpoint adds ${before.files.length} files`])
  })

  it('gets v2 checkpoints after commits when the table asks for them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'delta-v2cp-'))
    temps.push(root)
    for (let v = 0; v < 5; v++) {
      await writeDeltaLake(root, rows(v * 20), { mode: 'append', partitionBy: ['region'], configuration: { 'delta.checkpointPolicy': 'v2', 'delta.checkpointInterval': '2' } })
    }
    const hint = JSON.parse(await readFile(join(root, LAST_CHECKPOINT_PATH), 'utf8')) as { version: number; v2Checkpoint?: { path: string } }
    expect(hint.version).toBe(4)
    expect(hint.v2Checkpoint?.path).toMatch(/^00000000000000000004\.checkpoint\.[0-9a-f-]{36}\.parquet$/)
    const table = await DeltaTable.open(root)
    expect(table.checkpointVersion()).toBe(4)
    expect((await table.toArrow()).numRows).toBe(100)
    expect(await checkTableProtocol(root)).toEqual([])
  })
})

describe('writing a v2 checkpoint piece by piece', () => {
  it('writes sidecars from a stream of adds, in bounded row groups, and names them in one top-level file', async () => {
    const storage = new MemoryStorage()
    await commit(storage, 0, [protocol(), metadata()])
    const engine = await engineOf(storage)
    const state: CheckpointState = {
      version: 0, protocol: protocol(), metadata: metadata(), schema: JSON.parse(JSON.stringify(SCHEMA)) as CheckpointState['schema'],
      columnMapping: 'none', txns: new Map(), domains: new Map(),
    }
    const perSidecar = CHECKPOINT_ROW_GROUP_ROWS + 10
    function* adds(from: number, n: number): Generator<AddAction> {
      for (let i = from; i < from + n; i++) yield { kind: 'add', path: `f-${i}.parquet`, partitionValues: { part: `p${i % 3}` }, size: i, modificationTime: NOW, dataChange: true }
    }
    const sidecars = [await writeSidecar(engine, state, adds(0, perSidecar)), await writeSidecar(engine, state, adds(perSidecar, 5))]
    expect(sidecars.map((s) => [s.actions, s.numOfAddFiles])).toEqual([[perSidecar, perSidecar], [5, 5]])
    const bytes = await storage.read(`${SIDECAR_DIR}/${sidecars[0]!.action.path}`)
    const groups = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).row_groups
    expect(groups.map((g) => Number(g.num_rows))).toEqual([CHECKPOINT_ROW_GROUP_ROWS, 10])

    const result = await writeV2CheckpointFile(engine, state, sidecars)
    expect(result).toMatchObject({ version: 0, numOfAddFiles: perSidecar + 5, size: perSidecar + 5 + 5 })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.files.length).toBe(perSidecar + 5)
    expect(Array.from(snapshot.files).find((f) => f.path === `f-${perSidecar + 4}.parquet`)).toMatchObject({ size: perSidecar + 4, partitionValues: { part: `p${(perSidecar + 4) % 3}` } })
  })

  it('defaults to one sidecar per 50,000 file actions', async () => {
    expect(DEFAULT_SIDECAR_ACTIONS).toBe(50_000)
    const storage = new MemoryStorage()
    const engine = await engineOf(storage)
    const files = Array.from({ length: 2 * DEFAULT_SIDECAR_ACTIONS + 1 }, (_, i): AddAction => ({ kind: 'add', path: `f-${i}`, partitionValues: { part: 'a' }, size: 1, modificationTime: 0, dataChange: true }))
    await commit(storage, 0, [protocol(), metadata()])
    const snapshot = { ...(await loadSnapshot(engine, 0, { tombstones: true })), files }
    const result = await writeV2Checkpoint(engine, snapshot)
    expect(result.numOfAddFiles).toBe(files.length)
    expect(await storage.list(SIDECAR_DIR)).toHaveLength(3)
    expect((await loadSnapshot(engine)).files.length).toBe(files.length)
  })
})
