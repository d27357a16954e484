import { byPath, engineOf, essence } from '../../helpers/file-essence.js'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { type Action, type AddAction, type MetadataAction, type ProtocolAction, type RemoveAction } from '../../../src/delta/model/actions.js'
import { formatCommit } from '../../../src/delta/model/action-json.js'
import { checkpointInterval, shouldCheckpoint, writeCheckpoint, DEFAULT_CHECKPOINT_INTERVAL } from '../../../src/delta/checkpoint/write.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { plainRows } from '../../../src/delta/arrow/index.js'
import { fileStats } from '../../../src/delta/stats/file-stats.js'
import type { DeltaType, StructType } from '../../../src/delta/model/schema.js'
import { classicCheckpointPath, commitPath, LAST_CHECKPOINT_PATH } from '../../../src/delta/log/log-path.js'
import { replayActions } from '../../../src/delta/log/replay.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { DeltaTable } from '../../../src/index.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { corpusDir, hasCorpus } from '../../conformance/corpus.js'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 10, 15, 12)
const enc = new TextEncoder()

const SCHEMA = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'price', type: 'decimal(10,2)', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'ntz', type: 'timestamp_ntz', nullable: true, metadata: {} },
    { name: 'f', type: 'float', nullable: true, metadata: {} },
    { name: 'flag', type: 'boolean', nullable: true, metadata: {} },
    { name: 's', type: { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }] }, nullable: true, metadata: {} },
    { name: 'part', type: 'string', nullable: true, metadata: {} },
  ],
}

function protocol(extra: Partial<ProtocolAction> = {}): ProtocolAction {
  return { kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'timestampNtz'], writerFeatures: ['deletionVectors', 'timestampNtz', 'domainMetadata'], ...extra }
}

function metadata(configuration: Record<string, string> = {}): MetadataAction {
  return {
    kind: 'metaData', id: 'table-id', name: 'things', description: 'a test table',
    format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(SCHEMA),
    partitionColumns: ['part'], configuration, createdTime: 1700000000000,
  }
}

function stats(lo: number, hi: number): string {
  return JSON.stringify({
    numRecords: hi - lo + 1,
    minValues: { id: lo, name: `n${lo}`, price: lo + 0.25, day: '2024-01-02', ts: '2024-01-02T03:04:05.123Z', ntz: '2024-01-02T03:04:05.123', f: 0.1, flag: false, s: { x: lo } },
    maxValues: { id: hi, name: `n${hi}`, price: hi + 0.75, day: '2024-03-04', ts: '2024-03-04T05:06:07.456Z', ntz: '2024-03-04T05:06:07.456', f: 2.5, flag: true, s: { x: hi } },
    nullCount: { id: 0, name: 1, price: 0, day: 0, ts: 0, ntz: 0, f: 0, flag: 0, s: { x: 2 } },
  })
}

function add(path: string, extra: Partial<AddAction> = {}): AddAction {
  return { kind: 'add', path, partitionValues: { part: 'a' }, size: 1000, modificationTime: NOW - DAY, dataChange: true, ...extra }
}

function remove(path: string, deletionTimestamp: number | null, extra: Partial<RemoveAction> = {}): RemoveAction {
  return { kind: 'remove', path, deletionTimestamp, dataChange: true, extendedFileMetadata: true, partitionValues: { part: 'a' }, size: 1000, ...extra }
}

async function commit(storage: MemoryStorage, version: number, actions: Action[]): Promise<void> {
  const info: Action = { kind: 'commitInfo', info: { timestamp: NOW, operation: 'WRITE' } }
  await storage.put(commitPath(version), enc.encode(formatCommit([info, ...actions])))
}

/** A log of 6 commits exercising every action kind the checkpoint holds. */
async function buildLog(configuration: Record<string, string> = {}): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await commit(storage, 0, [protocol(), metadata(configuration)])
  await commit(storage, 1, [
    add('part=a/f1.parquet', { stats: stats(1, 100), tags: { origin: 'test', empty: null } }),
    add('part=a/f2.parquet', { stats: stats(101, 200), baseRowId: 100, defaultRowCommitVersion: 1, clusteringProvider: 'liquid' }),
    add('part=b/f3.parquet', { partitionValues: { part: 'b' }, stats: stats(201, 300) }),
    add('part=c/f4.parquet', { partitionValues: { part: '' }, stats: null }),
  ])
  await commit(storage, 2, [
    { kind: 'txn', appId: 'app-1', version: 7, lastUpdated: NOW },
    { kind: 'domainMetadata', domain: 'delta.rowTracking', configuration: '{"rowIdHighWaterMark":300}', removed: false },
    { kind: 'domainMetadata', domain: 'gone', configuration: '{}', removed: false },
  ])
  await commit(storage, 3, [
    remove('part=a/f1.parquet', NOW - 2 * DAY),
    add('part=a/f1.parquet', {
      stats: stats(1, 100),
      deletionVector: { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 3, maxRowIndex: 99 },
    }),
    { kind: 'txn', appId: 'app-1', version: 8, lastUpdated: NOW },
  ])
  await commit(storage, 4, [
    remove('old.parquet', NOW - 30 * DAY),
    remove('no-time.parquet', null),
    { kind: 'domainMetadata', domain: 'gone', configuration: '{}', removed: true },
  ])
  await commit(storage, 5, [remove('part=b/f3.parquet', NOW - DAY, { partitionValues: { part: 'b' } }), { kind: 'txn', appId: 'app-2', version: 1 }])
  return storage
}

/** Same version, protocol, metadata, files, txns and domains; `stats` only where the checkpoint keeps JSON stats. */
function expectSameState(a: Snapshot, b: Snapshot): void {
  expect(b.version).toBe(a.version)
  expect(b.protocol).toEqual(a.protocol)
  expect(b.metadata).toEqual(a.metadata)
  const statsAsJson = a.metadata.configuration['delta.checkpoint.writeStatsAsJson'] !== 'false'
  const strip = (f: AddAction): Record<string, unknown> => {
    const { stats: _s, ...rest } = essence(f)
    return statsAsJson ? essence(f) : rest
  }
  expect(byPath(b.files.toArray()).map(strip)).toEqual(byPath(a.files.toArray()).map(strip))
  if (!statsAsJson) expect(b.files.filter((f) => !!f.statsParsed).length).toBe(a.files.filter((f) => !!(f.stats || f.statsParsed)).length)
  expect([...b.txns.entries()].sort()).toEqual([...a.txns.entries()].sort())
  expect([...b.domains.entries()].sort()).toEqual([...a.domains.entries()].sort())
}

describe('checkpoint interval', () => {
  it('defaults to 100 and reads delta.checkpointInterval', () => {
    expect(DEFAULT_CHECKPOINT_INTERVAL).toBe(100)
    expect(checkpointInterval(metadata())).toBe(100)
    expect(checkpointInterval(metadata({ 'delta.checkpointInterval': '10' }))).toBe(10)
    expect(checkpointInterval(metadata({ 'delta.checkpointInterval': 'often' }))).toBe(100)
    expect(checkpointInterval(metadata({ 'delta.checkpointInterval': '0' }))).toBe(100)
  })

  it('checkpoints every interval, never at version 0', () => {
    const m = metadata({ 'delta.checkpointInterval': '10' })
    expect([0, 1, 9, 10, 11, 20, 25].filter((v) => shouldCheckpoint(v, m))).toEqual([10, 20])
    expect(shouldCheckpoint(100, metadata())).toBe(true)
    expect(shouldCheckpoint(50, metadata())).toBe(false)
  })
})

describe('replay with tombstones', () => {
  it('keeps removes that are the newest action for their file, only when asked', () => {
    const cp: Action[] = [remove('cp-gone', 5), add('cp-live')]
    const commits = [
      { version: 1, actions: [remove('a', 1) as Action, add('b')] },
      { version: 2, actions: [add('a') as Action, remove('b', 2), remove('c', 3)] },
    ]
    const state = replayActions(cp, commits, { tombstones: true })
    expect(state.tombstones?.map((r) => r.path).sort()).toEqual(['b', 'c', 'cp-gone'])
    expect(state.files.map((f) => f.path).sort()).toEqual(['a', 'cp-live'])
    expect(replayActions(cp, commits).tombstones).toBeUndefined()
  })
})

describe('writeCheckpoint', () => {
  it('round-trips the table state, and readers start from it', async () => {
    const storage = await buildLog()
    const engine = await engineOf(storage)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    const result = await writeCheckpoint(engine, before, { now: NOW })
    expect(result).toMatchObject({ path: classicCheckpointPath(5), version: 5, numOfAddFiles: 3 })
    // protocol + metaData + 2 txns + 1 domain + 3 adds + 2 live tombstones (f1 with its old DV id, f3)
    expect(result.size).toBe(10)
    const hint = JSON.parse(new TextDecoder().decode(await storage.read(LAST_CHECKPOINT_PATH))) as Record<string, number>
    // The checksum is the MD5 of PROTOCOL.md's canonical form, here of four numeric fields.
    const canonical = `"numOfAddFiles"=3,"size"=10,"sizeInBytes"=${result.sizeInBytes},"version"=5`
    expect(hint).toEqual({ version: 5, size: 10, sizeInBytes: result.sizeInBytes, numOfAddFiles: 3, checksum: createHash('md5').update(canonical).digest('hex') })
    expect((await storage.head(result.path))?.size).toBe(result.sizeInBytes)

    const counting = new CountingStorage(storage)
    const after = await loadSnapshot(await engineOf(counting))
    expect(after.segment.checkpoint?.version).toBe(5)
    expect(counting.calls.filter((c) => c.op === 'read' && c.path.endsWith('.json'))).toEqual([])
    expectSameState(before, after)
    expect(after.files.every((f) => !f.dataChange)).toBe(true)
    const f2 = after.files.find((f) => f.path === 'part=a/f2.parquet')!
    expect(f2).toMatchObject({ baseRowId: 100, defaultRowCommitVersion: 1, clusteringProvider: 'liquid' })
    expect(after.files.find((f) => f.path === 'part=c/f4.parquet')?.partitionValues).toEqual({ part: '' })
  })

  it('keeps unexpired tombstones and drops expired ones', async () => {
    const storage = await buildLog({ 'delta.deletedFileRetentionDuration': 'interval 3 days' })
    const engine = await engineOf(storage)
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { now: NOW })
    const reloaded = await loadSnapshot(engine, undefined, { tombstones: true })
    const tombstones = byPath(reloaded.tombstones ?? [])
    // old.parquet (30 days) and no-time.parquet (no deletion time) have expired.
    expect(tombstones.map((r) => r.path)).toEqual(['part=a/f1.parquet', 'part=b/f3.parquet'])
    expect(tombstones[1]).toMatchObject({ deletionTimestamp: NOW - DAY, dataChange: false, extendedFileMetadata: true, partitionValues: { part: 'b' }, size: 1000 })
    // A shorter retention expires the two-day-old one too.
    const storage2 = await buildLog({ 'delta.deletedFileRetentionDuration': 'interval 36 hours' })
    const engine2 = await engineOf(storage2)
    await writeCheckpoint(engine2, await loadSnapshot(engine2, undefined, { tombstones: true }), { now: NOW })
    expect((await loadSnapshot(engine2, undefined, { tombstones: true })).tombstones?.map((r) => r.path)).toEqual(['part=b/f3.parquet'])
  })

  it('refuses a snapshot loaded without tombstones, and a bad retention property', async () => {
    const storage = await buildLog()
    const engine = await engineOf(storage)
    await expect(writeCheckpoint(engine, await loadSnapshot(engine))).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('tombstones: true') })
    const bad = await buildLog({ 'delta.deletedFileRetentionDuration': 'a week' })
    const badEngine = await engineOf(bad)
    await expect(writeCheckpoint(badEngine, await loadSnapshot(badEngine, undefined, { tombstones: true })))
      .rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('delta.deletedFileRetentionDuration') })
  })

  it('never moves _last_checkpoint back to an older version', async () => {
    const storage = await buildLog()
    const engine = await engineOf(storage)
    await writeCheckpoint(engine, await loadSnapshot(engine, 5, { tombstones: true }), { now: NOW })
    const older = await writeCheckpoint(engine, await loadSnapshot(engine, 3, { tombstones: true }), { now: NOW })
    expect(older.path).toBe(classicCheckpointPath(3))
    expect(JSON.parse(new TextDecoder().decode(await storage.read(LAST_CHECKPOINT_PATH)))).toMatchObject({ version: 5 })
    // Time travel to 4 now starts from the checkpoint at 3.
    const at4 = await loadSnapshot(engine, 4)
    expect(at4.segment.checkpoint?.version).toBe(3)
    expect(at4.files.map((f) => f.path).sort()).toEqual(['part=a/f1.parquet', 'part=a/f2.parquet', 'part=b/f3.parquet', 'part=c/f4.parquet'])
  })

  it('writes stats as structs only, and file skipping still works from them', async () => {
    const config = { 'delta.checkpoint.writeStatsAsJson': 'false', 'delta.checkpoint.writeStatsAsStruct': 'true' }
    const storage = await buildLog(config)
    const engine = await engineOf(storage)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    await writeCheckpoint(engine, before, { now: NOW })
    const raw = await engine.parquet.read({ size: (await storage.head(classicCheckpointPath(5)))!.size, read: (o, l) => storage.read(classicCheckpointPath(5), { offset: o, length: l }) }, { columns: ['add'] })
    const addType = raw.schema.fields[0]!.type
    const names = addType.children.map((f: { name: string }) => f.name)
    expect(names).not.toContain('stats')
    expect(names).toContain('stats_parsed')
    expect(names).toContain('partitionValues_parsed')
    const parsedParts = [...plainRows(raw)].flatMap((r) => {
      const a = r.add as { path: string; partitionValues_parsed: unknown } | null
      return a ? [[a.path, a.partitionValues_parsed]] : []
    }).sort()
    expect(parsedParts).toEqual([
      ['part=a/f1.parquet', { part: 'a' }], ['part=a/f2.parquet', { part: 'a' }], ['part=c/f4.parquet', { part: null }],
    ])

    const after = await loadSnapshot(engine)
    expect(after.files.every((f) => !f.stats)).toBe(true)
    const f1 = after.files.find((f) => f.path === 'part=a/f1.parquet')!
    expect(f1.statsParsed).toMatchObject({
      numRecords: 100,
      minValues: { id: 1, name: 'n1', price: '1.25', day: '2024-01-02', ts: '2024-01-02T03:04:05.123000Z', ntz: '2024-01-02T03:04:05.123000', flag: false, s: { x: 1 } },
      maxValues: { id: 100, price: '100.75', ts: '2024-03-04T05:06:07.456000Z' },
      nullCount: { id: 0, name: 1, s: { x: 2 } },
    })
    const skipped = (filter: string, snap: Snapshot): string[] => planScan(snap, { filter }).files.map((f) => f.path).sort()
    for (const filter of ['id > 150', 'price < 50', "name = 'n250'", "ts > TIMESTAMP '2024-03-04T05:06:07.456Z'", 'part = \'b\'']) {
      expect(skipped(filter, after), filter).toEqual(skipped(filter, before))
    }
    expect(skipped('id > 150', after)).toEqual(['part=a/f2.parquet', 'part=c/f4.parquet'])
  })

  it('writes stats both as JSON and as structs when asked', async () => {
    const storage = await buildLog({ 'delta.checkpoint.writeStatsAsStruct': 'true' })
    const engine = await engineOf(storage)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    await writeCheckpoint(engine, before, { now: NOW })
    const after = await loadSnapshot(engine)
    expectSameState(before, after)
    expect(after.files.find((f) => f.path === 'part=a/f2.parquet')?.statsParsed).toMatchObject({ minValues: { id: 101 } })
  })

  it('writes and reads back 100k files', async () => {
    const storage = new MemoryStorage()
    await commit(storage, 0, [protocol(), metadata()])
    const n = 100_000
    const adds: Action[] = Array.from({ length: n }, (_, i) => add(`part=a/file-${String(i).padStart(6, '0')}.parquet`, { stats: stats(i, i + 9), size: i }))
    await commit(storage, 1, adds)
    const engine = await engineOf(storage)
    const snapshot = await loadSnapshot(engine, undefined, { tombstones: true })
    const t0 = performance.now()
    const result = await writeCheckpoint(engine, snapshot, { now: NOW })
    const t1 = performance.now()
    const reloaded = await loadSnapshot(engine)
    const t2 = performance.now()
    console.log(`100k-file checkpoint: written in ${Math.round(t1 - t0)} ms (${(result.sizeInBytes / 1e6).toFixed(1)} MB), read back in ${Math.round(t2 - t1)} ms`)
    expect(result.numOfAddFiles).toBe(n)
    expect(reloaded.files).toHaveLength(n)
    expect(reloaded.segment.checkpoint?.version).toBe(1)
    const last = reloaded.files.find((f) => f.path === 'part=a/file-099999.parquet')
    expect(last).toMatchObject({ size: 99_999, stats: stats(99_999, 100_008) })
  })
})

describe('writeCheckpoint with data', () => {
  it('reads the same rows from a checkpoint of a table with Parquet data', async () => {
    const storage = new MemoryStorage()
    const engine = await engineOf(storage)
    const schema = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'v', type: 'string', nullable: true, metadata: {} }] }
    const meta: MetadataAction = { ...metadata({ 'delta.checkpoint.writeStatsAsStruct': 'true', 'delta.checkpoint.writeStatsAsJson': 'false' }), schemaString: JSON.stringify(schema), partitionColumns: [] }
    await commit(storage, 0, [protocol({ minReaderVersion: 1, minWriterVersion: 2, readerFeatures: undefined, writerFeatures: undefined }), meta])
    for (let v = 1; v <= 3; v++) {
      const ids = [BigInt(v * 10), BigInt(v * 10 + 1)]
      const bytes = await engine.parquet.write(tableFromArrays({ id: BigInt64Array.from(ids), v: [`a${v}`, `b${v}`] }))
      await storage.put(`d${v}.parquet`, bytes)
      const st = JSON.stringify({ numRecords: 2, minValues: { id: v * 10, v: `a${v}` }, maxValues: { id: v * 10 + 1, v: `b${v}` }, nullCount: { id: 0, v: 0 } })
      await commit(storage, v, [add(`d${v}.parquet`, { partitionValues: {}, size: bytes.length, stats: st })])
    }
    const read = async (): Promise<unknown[]> => {
      const table = await DeltaTable.open('mem', { storage, parquet: engine.parquet })
      return (await table.toArrow({ filter: 'id >= 20' })).toArray().map((r) => ({ ...r.toJSON() }))
    }
    const expected = await read()
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { now: NOW })
    const table = await DeltaTable.open('mem', { storage, parquet: engine.parquet })
    expect(table.checkpointVersion()).toBe(3)
    expect(await read()).toEqual(expected)
    expect(expected).toHaveLength(4)
    const plan = planScan(await loadSnapshot(engine), { filter: 'id >= 20' })
    expect(plan.skipped).toBe(1)
  })
})

const CORPUS = corpusDir()
const CORPUS_TABLES = [
  'basic_partitioned', 'data-reader-primitives', 'table-with-dv-small', 'table_with_column_mapping',
  'app-txn-checkpoint', 'table_with_liquid_clustering', 'cdf-table', 'v2-checkpoints-parquet-without-sidecars',
  'v1-single-part-struct-stats-only', 'data-skipping-basic-stats-all-types', 'dv-partitioned-with-checkpoint',
  'v2-checkpoints-json-with-sidecars', 'multi-part-checkpoint', 'delta-2.2.0-partitioned-types', 'type-widening',
]
const STRUCT_STATS_TABLES = [
  'data-skipping-basic-stats-all-types', 'data-skipping-basic-stats-all-types-columnmapping-name', 'data-reader-primitives',
  'table_with_column_mapping', 'data-reader-nested-struct', 'delta-2.2.0-partitioned-types', 'v1-single-part-struct-stats-only',
]

/** Every primitive column path of a schema, with its type. */
function leaves(schema: StructType, prefix: string[] = []): [string[], DeltaType][] {
  return schema.fields.flatMap((f): [string[], DeltaType][] => {
    if (typeof f.type === 'string') return [[[...prefix, f.name], f.type]]
    return f.type.type === 'struct' ? leaves(f.type, [...prefix, f.name]) : []
  })
}

async function copyCorpusTable(name: string): Promise<{ dir: string; engine: Engine; storage: NodeFsStorage }> {
  const dir = await mkdtemp(join(tmpdir(), 'delta-cp-'))
  temps.push(dir)
  await cp(join(CORPUS, 'tables', name), dir, { recursive: true })
  const storage = new NodeFsStorage(dir)
  return { dir, storage, engine: await engineOf(storage) }
}
const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })))
})

describe.skipIf(!hasCorpus(CORPUS))('checkpoints of corpus tables', () => {
  it.each(CORPUS_TABLES)('%s reads the same after a checkpoint', async (name) => {
    const { dir, storage, engine } = await copyCorpusTable(name)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    const open = (): Promise<DeltaTable> => DeltaTable.open(dir, { storage, parquet: engine.parquet })
    const rows = async (t: DeltaTable): Promise<string[]> => (await t.toArrow()).toArray().map((r) => JSON.stringify(r.toJSON(), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort()
    const expected = await rows(await open())
    const result = await writeCheckpoint(engine, before, { now: Date.now() })
    expect((await readdir(join(dir, '_delta_log'))).some((f) => result.path.endsWith(f))).toBe(true)
    const table = await open()
    expect(table.checkpointVersion()).toBe(before.version)
    expect(await rows(table)).toEqual(expected)
    expectSameState(before, await loadSnapshot(engine))
  })
})

describe.skipIf(!hasCorpus(CORPUS))('struct-only stats of corpus tables', () => {
  it.each(STRUCT_STATS_TABLES)('%s keeps every file\'s bounds in stats_parsed', async (name) => {
    const { engine } = await copyCorpusTable(name)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    const configuration = { ...before.metadata.configuration, 'delta.checkpoint.writeStatsAsJson': 'false', 'delta.checkpoint.writeStatsAsStruct': 'true' }
    await writeCheckpoint(engine, { ...before, metadata: { ...before.metadata, configuration } }, { now: Date.now() })
    const after = await loadSnapshot(engine)
    expect(after.segment.checkpoint?.version).toBe(before.version)
    expect(after.files.every((f) => !f.stats)).toBe(true)
    const partitions = new Set(before.metadata.partitionColumns)
    let compared = 0
    for (const old of before.files) {
      const now = after.files.find((f) => f.path === old.path && f.deletionVector?.pathOrInlineDv === old.deletionVector?.pathOrInlineDv)!
      const [a, b] = [fileStats(before, old), fileStats(after, now)]
      expect(b?.numRecords).toBe(a?.numRecords)
      for (const [path, type] of leaves(before.schema)) {
        if (partitions.has(path[0]!)) continue
        expect(b?.nullCount(path), `${old.path} ${path.join('.')} nullCount`).toBe(a?.nullCount(path))
        for (const side of ['min', 'max'] as const) {
          const [x, y] = [a?.[side](path, type), b?.[side](path, type)]
          if (x !== undefined) compared++
          if (type === 'float' && typeof x === 'number' && typeof y === 'number') expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -21 + 2 ** -140)
          else expect(y, `${old.path} ${path.join('.')} ${side}`).toEqual(x)
        }
      }
    }
    if (before.files.some((f) => !!(f.stats || f.statsParsed))) expect(compared).toBeGreaterThan(0)
  })
})
