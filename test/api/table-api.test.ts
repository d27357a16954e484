// One behaviour suite for the table surface, run against `DeltaTable` in this thread and against
// `WorkerDeltaTable` through a pool whose workers sit behind comlink (every value cloned or
// transferred as across a real worker boundary). Each member of `TableApi` has a case; the
// type of `cases` makes a new member without a case a compile error, and the last test fails
// when either class grows a public member that no case covers.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Table, tableFromArrays, type RecordBatch } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { folderFileUri, NodeTableStorage } from '../../src/api/node-engine.js'
import type { TableApi } from '../../src/api/table-api.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import type { DeltaPool } from '../../src/worker/pool.js'
import type { StorageDescriptor } from '../../src/worker/protocol.js'

type Mode = 'in-process' | 'worker'
const MODES: Mode[] = ['in-process', 'worker']

let parquet: ParquetCodec | undefined
let pool: DeltaPool | undefined

afterAll(() => pool?.terminate())

/**
 * A table of three versions: v0 creates it (partitioned by `p`, change data feed on, app
 * transaction `app` at 7), v1 appends, v2 appends again. Five rows in three files.
 */
async function fixture(): Promise<MemoryStorage> {
  parquet ??= await nodeParquetCodec()
  const storage = new MemoryStorage()
  await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([1n, 2n]), p: ['a', 'b'] }), {
    storage, parquet, partitionBy: ['p'], configuration: { 'delta.enableChangeDataFeed': 'true' },
    commitProperties: { appTransactions: [{ appId: 'app', version: 7 }] },
  })
  await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([3n, 4n]), p: ['a', 'a'] }), { storage, parquet, mode: 'append' })
  await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([5n]), p: ['b'] }), { storage, parquet, mode: 'append' })
  return storage
}

/** The one thing that differs between the two runs: how a table over a storage is opened. */
async function open(mode: Mode, storage: MemoryStorage): Promise<TableApi> {
  parquet ??= await nodeParquetCodec()
  if (mode === 'in-process') return DeltaTable.open('memory://t', { storage, parquet })
  pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
  return WorkerDeltaTable.open(pool, objectStorageDescriptor(storage, undefined, { uri: 'memory://t' }))
}

function ids(table: Table): number[] {
  return Array.from(table.getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b)
}

type Case = (t: TableApi, storage: MemoryStorage) => Promise<void>

const cases: Record<keyof TableApi, Case> = {
  uri: async (t) => expect(t.uri).toBe('memory://t'),
  version: async (t) => expect(t.version).toBe(2),
  numFiles: async (t) => expect(t.numFiles).toBe(4),
  withoutFiles: async (t) => expect(t.withoutFiles).toBe(false),
  schema: async (t) => expect(t.schema().fields.map((f) => [f.name, f.type])).toEqual([['id', 'long'], ['p', 'string']]),
  arrowSchema: async (t) => expect(t.arrowSchema().fields.map((f) => String(f.type))).toEqual(['Int64', 'Utf8']),
  metadata: async (t) => {
    const m = t.metadata()
    expect(m.partitionColumns).toEqual(['p'])
    expect(m.configuration['delta.enableChangeDataFeed']).toBe('true')
  },
  protocol: async (t) => expect(t.protocol().minReaderVersion).toBeGreaterThanOrEqual(1),
  appTransactions: async (t) => expect(t.appTransactions()).toEqual({ app: 7 }),
  transactionVersion: async (t) => {
    expect(t.transactionVersion('app')).toBe(7)
    expect(t.transactionVersion('nobody')).toBeUndefined()
    expect(t.transactionVersion('toString')).toBeUndefined()
  },
  checkpointVersion: async (t) => expect(t.checkpointVersion()).toBeUndefined(),
  files: async (t) => {
    const files = await t.files()
    expect(files).toHaveLength(4)
    expect(files.every((f) => f.stats !== null && f.size > 0)).toBe(true)
  },
  countFiles: async (t) => {
    expect(await t.countFiles()).toBe(4)
    expect(await t.countFiles({ filter: "p = 'a'" })).toBe(2)
    expect((await t.files({ filter: "p = 'b'" })).map((f) => f.partitionValues['p'])).toEqual(['b', 'b'])
  },
  filesTable: async (t) => {
    const table = await t.filesTable()
    expect(table.schema.fields.map((f) => f.name)).toEqual(['path', 'size_bytes', 'modification_time', 'data_change', 'partition_values', 'num_records', 'null_count', 'min', 'max'])
    const files = await t.files()
    expect(table.getChild('path')!.toArray()).toEqual(files.map((f) => f.path))
    expect(Array.from(table.getChild('size_bytes')!.toArray() as BigInt64Array, Number)).toEqual(files.map((f) => f.size))
    expect(table.getChild('partition_values')!.toArray().map((r: { p: string }) => r.p).sort()).toEqual(['a', 'a', 'b', 'b'])
    expect(Array.from(table.getChild('num_records')!.toArray() as BigInt64Array, Number).reduce((a, b) => a + b, 0)).toBe(5)
    const min = table.getChild('min')!.toArray().map((r: { id: bigint }) => Number(r.id)).sort()
    const max = table.getChild('max')!.toArray().map((r: { id: bigint }) => Number(r.id)).sort()
    expect(min).toEqual([1, 2, 3, 5])
    expect(max).toEqual([1, 2, 4, 5])
    expect(table.getChild('null_count')!.toArray().every((r: { id: bigint }) => r.id === 0n)).toBe(true)
  },
  fileUris: async (t) => {
    const uris = await t.fileUris()
    expect(uris).toHaveLength(4)
    // The table URI joined with each storage path, the same in both modes.
    expect(uris).toEqual((await t.files()).map((f) => `memory://t/${decodeURIComponent(f.path)}`))
    for (const u of uris) {
      expect(u).toMatch(/^memory:\/\/t\/p=[ab]\/part-.+\.parquet$/)
      expect(new URL(u).host).toBe('t')
    }
  },
  partitions: async (t) => {
    const parts = await t.partitions()
    expect(parts.map((p) => p['p']).sort()).toEqual(['a', 'b'])
  },
  count: async (t) => expect(await t.count()).toBe(5),
  history: async (t) => {
    const h = await t.history()
    expect(h.map((c) => c.version)).toEqual([2, 1, 0])
    expect(h[2]!.operation).toBe('CREATE TABLE')
    expect((await t.history(1)).map((c) => c.version)).toEqual([2])
  },
  changes: async (t) => {
    const c = await t.changes({ startVersion: 1, endVersion: 2, signal: new AbortController().signal })
    expect(ids(c)).toEqual([3, 4, 5])
    expect(new Set(c.getChild('_change_type')!.toArray())).toEqual(new Set(['insert']))
    await expect(t.changes({ startVersion: 1, signal: AbortSignal.abort() })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'Cancelled'))
  },
  toArrow: async (t) => {
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4, 5])
    const some = await t.toArrow({ columns: ['id'], filter: "p = 'a'" })
    expect(some.schema.fields.map((f) => f.name)).toEqual(['id'])
    expect(ids(some)).toEqual([1, 3, 4])
    const files = (await t.files()).filter((f) => f.partitionValues['p'] === 'b').map((f) => f.path)
    expect(ids(await t.toArrow({ files }))).toEqual([2, 5])
    const aborted = new AbortController()
    aborted.abort()
    await expect(t.toArrow({ signal: aborted.signal })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'Cancelled'))
  },
  toBatches: async (t) => {
    // The rows of toArrow, batch by batch (test/api/to-batches.test.ts covers the rest).
    const batches: RecordBatch[] = []
    for await (const b of t.toBatches({ columns: ['id'], filter: "p = 'a'" })) batches.push(b)
    expect(ids(new Table(batches))).toEqual([1, 3, 4])
    const stream = t.toBatches({ signal: AbortSignal.abort() })[Symbol.asyncIterator]()
    await expect(stream.next()).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'Cancelled'))
  },
  loadAsVersion: async (t) => {
    await t.loadAsVersion(0)
    expect(t.version).toBe(0)
    expect(ids(await t.toArrow())).toEqual([1, 2])
    await t.loadAsVersion(new Date(Date.now() + 60_000))
    expect(t.version).toBe(2)
    await t.loadAsVersion(new Date(Date.now() + 60_000).toISOString())
    expect(t.version).toBe(2)
  },
  updateIncremental: async (t, storage) => {
    await t.loadAsVersion(0)
    await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([6n]), p: ['c'] }), { storage, parquet, mode: 'append' })
    await t.updateIncremental()
    expect(t.version).toBe(3)
    expect(await t.count()).toBe(6)
  },
  write: async (t) => {
    const r = await t.write(tableFromArrays({ id: BigInt64Array.from([9n]), p: ['z'] }), { mode: 'append' })
    expect(r.version).toBe(3)
    expect(t.version).toBe(3)
    await t.write([{ id: 10n, p: 'z' }], { mode: 'append' })
    expect(ids(await t.toArrow({ filter: "p = 'z'" }))).toEqual([9, 10])
    const via = await writeDeltaLake(t, [{ id: 11n, p: 'z' }], { mode: 'append' })
    expect(via.version).toBe(5)
    expect(t.version).toBe(5)
    // Every form of data a write in this thread takes, checked the same way.
    const batch = (id: bigint) => tableFromArrays({ id: BigInt64Array.from([id]), p: ['y'] }).batches[0]!
    await t.write(batch(12n), { mode: 'append' })
    await t.write([batch(13n), batch(14n)], { mode: 'append' })
    await t.write((async function* () { yield batch(15n) })(), { mode: 'append' })
    await t.write([], { mode: 'append' })
    expect(ids(await t.toArrow({ filter: "p = 'y'" }))).toEqual([12, 13, 14, 15])
    const version = t.version
    const refused = (code: string) => (e: unknown) => isDeltaError(e, code as never)
    await expect(t.write(42 as never, { mode: 'append' })).rejects.toSatisfy(refused('InvalidArgument'))
    await expect(t.write([batch(16n), 'x'] as never, { mode: 'append' })).rejects.toSatisfy(refused('InvalidArgument'))
    await expect(t.write([{ id: 16n, p: 'y' }], { mode: 'apend' as never })).rejects.toSatisfy(refused('InvalidArgument'))
    await expect(t.write([{ id: 16n, p: 'y' }], { mode: 'append', partitonBy: ['p'] } as never)).rejects.toSatisfy(refused('InvalidArgument'))
    expect(t.version).toBe(version)
    expect((await t.history(1))[0]!.version).toBe(version)
  },
  delete: async (t) => {
    const r = await t.delete('id > 3')
    expect(r.numDeletedRows).toBe(2)
    expect(t.version).toBe(3)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3])
    const c = await t.changes({ startVersion: 3 })
    expect(ids(c)).toEqual([4, 5])
     // A blank predicate is refused, not taken as "every row".
    await expect(t.delete('  ')).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    expect(t.version).toBe(3)
  },
  update: async (t) => {
    const r = await t.update({ id: 'id * 10' }, { predicate: 'id > 3' })
    expect(r).toMatchObject({ version: 3, numUpdatedRows: 2 })
    expect(t.version).toBe(3)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 40, 50])
    const c = await t.changes({ startVersion: 3 })
    const kinds = [...c].map((row) => `${row._change_type}:${row.id}`).sort()
    expect(kinds).toEqual(['update_postimage:40', 'update_postimage:50', 'update_preimage:4', 'update_preimage:5'])
    expect(await t.update({ newValues: { p: 'z' } }, { predicate: 'id = 1' })).toMatchObject({ version: 4, numUpdatedRows: 1 })
    expect([...await t.toArrow({ filter: "p = 'z'" })].map((row) => row.id)).toEqual([1n])
  },
  merge: async (t) => {
    const source = [{ id: 3n, p: 'b' }, { id: 5n, p: 'gone' }, { id: 9n, p: 'c' }]
    const r = await t.merge(source, { predicate: 't.id = s.id', sourceAlias: 's', targetAlias: 't' })
      .whenMatchedDelete({ predicate: "s.p = 'gone'" })
      .whenMatchedUpdate({ p: 's.p' })
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ version: 3, numSourceRows: 3, numTargetRowsInserted: 1, numTargetRowsUpdated: 1, numTargetRowsDeleted: 1 })
    expect(t.version).toBe(3)
    const rows = [...await t.toArrow()].map((row) => `${row.id}:${row.p}`).sort()
    expect(rows).toEqual(['1:a', '2:b', '3:b', '4:a', '9:c'])
    const c = [...await t.changes({ startVersion: 3 })].map((row) => `${row._change_type}:${row.id}:${row.p}`).sort()
    expect(c).toEqual(['delete:5:b', 'insert:9:c', 'update_postimage:3:b', 'update_preimage:3:a'])
  },
  vacuum: async (t) => {
    const [removed] = (await t.files({ filter: 'id = 5' })).map((f) => decodeURIComponent(f.path))
    await t.delete('id = 5')
    const gone = { retentionHours: 0, enforceRetentionDuration: false }
    expect(await t.vacuum(gone)).toEqual([removed])
    expect(t.version).toBe(3)
    const steps: number[] = []
    expect(await t.vacuum({ ...gone, dryRun: false, onProgress: (p) => steps.push(p.done) })).toEqual([removed])
    expect(t.version).toBe(5)
    await new Promise((r) => setTimeout(r, 10))
    expect(steps).toEqual([1])
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4])
    const ac = new AbortController()
    ac.abort()
    await expect(t.vacuum({ ...gone, dryRun: false, signal: ac.signal })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'Cancelled'))
  },
  repair: async (t, storage) => {
    const [lost] = (await t.files({ filter: 'id = 5' })).map((f) => f.path)
    await storage.delete(decodeURIComponent(lost!))
    expect(await t.repair({ dryRun: true })).toEqual({ dryRun: true, filesRemoved: [lost] })
    expect(t.version).toBe(2)
    expect(await t.repair()).toEqual({ dryRun: false, filesRemoved: [lost] })
    expect(t.version).toBe(3)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4])
  },
  restore: async (t) => {
    await t.delete('id < 3')
    const r = await t.restore(1)
    expect(r).toMatchObject({ version: 4, numRestoredFile: 2, numRemovedFile: 1 })
    expect(t.version).toBe(4)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4])
    await t.loadAsVersion(3)
    expect(ids(await t.toArrow())).toEqual([3, 4, 5])
  },
  alter: async (t) => {
    await t.alter.addColumns([{ name: 'note', type: 'string', nullable: true, metadata: {} }])
    expect(t.version).toBe(3)
    expect(t.schema().fields.map((f) => f.name)).toEqual(['id', 'p', 'note'])
    await t.alter.setTableProperties({ 'delta.logRetentionDuration': 'interval 7 days' })
    expect(t.metadata().configuration['delta.logRetentionDuration']).toBe('interval 7 days')
    await t.alter.setTableName('sales')
    await t.alter.setTableDescription('all sales')
    expect(t.metadata()).toMatchObject({ name: 'sales', description: 'all sales' })
    await t.alter.setColumnMetadata('note', { comment: 'free text' })
    expect(t.schema().fields.find((f) => f.name === 'note')!.metadata).toEqual({ comment: 'free text' })
    await t.alter.addConstraint({ positive: 'id > 0' })
    await t.alter.dropConstraint('positive')
    await t.alter.addFeature('deletionVectors', { allowProtocolVersionsIncrease: true })
    expect(t.protocol().writerFeatures).toContain('deletionVectors')
    expect(t.version).toBe(10)
    await expect(t.alter.addColumns([{ name: 'ID', type: 'long', nullable: true, metadata: {} }])).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4, 5])
  },
  optimize: async (t) => {
    const steps: string[] = []
    // Partition a holds two files (ids 1; 3, 4), b two (2; 5): each pair becomes one file.
    const r = await t.optimize.compact({ onProgress: (p) => steps.push(`${p.phase}:${p.done}/${p.total}`) })
    expect(r).toMatchObject({ version: 3, numFilesAdded: 2, numFilesRemoved: 4, partitionsOptimized: 2, totalConsideredFiles: 4 })
    expect(t.version).toBe(3)
    expect(t.numFiles).toBe(2)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4, 5])
    const z = await t.optimize.zOrder(['id'])
    expect(z.version).toBe(4)
    expect(ids(await t.toArrow())).toEqual([1, 2, 3, 4, 5])
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.every((s) => s.startsWith('rewrite:'))).toBe(true)
  },
  createCheckpoint: async (t, storage) => {
    const r = await t.createCheckpoint()
    expect(r).toMatchObject({ version: 2, kind: 'classic', numOfAddFiles: 4 })
    expect(storage.paths()).toContain('_delta_log/00000000000000000002.checkpoint.parquet')
    const fresh = await open('in-process', storage)
    expect(fresh.checkpointVersion()).toBe(2)
    expect(ids(await fresh.toArrow())).toEqual([1, 2, 3, 4, 5])
  },
  cleanupMetadata: async (t, storage) => {
    await t.createCheckpoint()
    // A year on, every commit before the checkpoint has expired.
    const deleted = await t.cleanupMetadata({ now: Date.now() + 365 * 86_400_000 })
    expect(deleted).toEqual(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json'])
    expect(storage.paths().filter((p) => p.endsWith('.json'))).toEqual(['_delta_log/00000000000000000002.json'])
    expect(ids(await (await open('in-process', storage)).toArrow())).toEqual([1, 2, 3, 4, 5])
  },
  compactLogs: async (t, storage) => {
    const r = await t.compactLogs({ startVersion: 0, endVersion: 2 })
    expect(r).toMatchObject({ path: '_delta_log/00000000000000000000.00000000000000000002.compacted.json', startVersion: 0, endVersion: 2 })
    expect(storage.paths()).toContain(r.path)
    expect(ids(await (await open('in-process', storage)).toArrow())).toEqual([1, 2, 3, 4, 5])
  },
  addConstraint: async (t) => {
    await t.addConstraint({ positive: 'id > 0' })
    expect(t.version).toBe(3)
    expect(t.metadata().configuration['delta.constraints.positive']).toBe('id > 0')
    await expect(t.write([{ id: -1n, p: 'a' }], { mode: 'append' })).rejects.toSatisfy((e: unknown) => isDeltaError(e))
    expect(t.version).toBe(3)
  },
  dropConstraint: async (t) => {
    await t.addConstraint({ positive: 'id > 0' })
    await t.dropConstraint('positive')
    expect(t.version).toBe(4)
    expect(t.metadata().configuration['delta.constraints.positive']).toBeUndefined()
    await expect(t.dropConstraint('positive')).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    await t.dropConstraint('positive', { raiseIfNotExists: false })
    expect(t.version).toBe(4)
  },
  close: async (t) => {
    await t.close()
    // A worker table lets go of its snapshot; one in this thread holds nothing to release.
    if (t instanceof WorkerDeltaTable) await expect(t.files()).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    else expect(await t.files()).toHaveLength(4)
  },
}

for (const mode of MODES) {
  describe(`TableApi (${mode})`, () => {
    for (const [member, run] of Object.entries(cases) as [keyof TableApi, Case][]) {
      it(member, async () => {
        const storage = await fixture()
        const table = await open(mode, storage)
        try {
          await run(table, storage)
        } finally {
          if (member !== 'close') await table.close()
        }
      })
    }
  })
}

describe('TableApi coverage', () => {
  // Members a class may have beyond the shared surface, and why.
  const extras: Record<string, string> = {
    planScan: 'DeltaTable: plans a scan for a worker pool to read in slices',
  }

  function publicMembers(proto: object): string[] {
    return Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor')
  }

  it('has a case for every public member of DeltaTable and WorkerDeltaTable', () => {
    const covered = new Set(Object.keys(cases))
    for (const cls of [DeltaTable, WorkerDeltaTable]) {
      const missing = publicMembers(cls.prototype).filter((m) => !covered.has(m) && !(m in extras))
      expect(missing, `${cls.name} members without a case`).toEqual([])
    }
  })

  it('finds every case on both classes', () => {
    for (const cls of [DeltaTable, WorkerDeltaTable]) {
      const members = new Set(publicMembers(cls.prototype))
      // `uri` is an own field of DeltaTable instances, not a prototype member.
      const absent = Object.keys(cases).filter((m) => !members.has(m) && !(cls === DeltaTable && m === 'uri'))
      expect(absent, `${cls.name} lacks`).toEqual([])
    }
  })

  it('answers isDeltaTable in both modes', async () => {
    const storage = await fixture()
    parquet ??= await nodeParquetCodec()
    expect(await DeltaTable.isDeltaTable('memory://t', { storage, parquet })).toBe(true)
    expect(await DeltaTable.isDeltaTable('memory://empty', { storage: new MemoryStorage(), parquet })).toBe(false)
    pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
    expect(await WorkerDeltaTable.isDeltaTable(pool, objectStorageDescriptor(storage))).toBe(true)
    expect(await WorkerDeltaTable.isDeltaTable(pool, objectStorageDescriptor(new MemoryStorage()))).toBe(false)
  })

  it('cancels an open in both modes', async () => {
    const storage = await fixture()
    parquet ??= await nodeParquetCodec()
    const cancelled = (e: unknown): boolean => isDeltaError(e, 'Cancelled')
    await expect(DeltaTable.open('memory://t', { storage, parquet, signal: AbortSignal.abort() })).rejects.toSatisfy(cancelled)
    pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
    const descriptor = objectStorageDescriptor(storage, undefined, { uri: 'memory://t' })
    await expect(WorkerDeltaTable.open(pool, descriptor, { signal: AbortSignal.abort() })).rejects.toSatisfy(cancelled)
    const live = await WorkerDeltaTable.open(pool, descriptor, { signal: new AbortController().signal })
    expect(live.version).toBe(2)
    await live.close()
  })
})

describe('file URIs of a local table', () => {
  let dir: string | undefined
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('are the same in this thread and through a pool, and name the real files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'deltalake-file-uris-'))
    const folder = join(dir, 'my table 100%')
    await writeDeltaLake(folder, tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), p: ['x/y', 'a b', 'c#d'] }), { partitionBy: ['p'] })
    const local = await DeltaTable.open(folder)
    const uris = await local.fileUris()
    for (const u of uris) {
      expect(u.startsWith(`${pathToFileURL(folder).href}/p=`), u).toBe(true)
      expect((await stat(fileURLToPath(u))).isFile(), u).toBe(true)
    }
    const host = { loadCodec: () => nodeParquetCodec(), nodeFs: (d: string) => new NodeTableStorage(d), folderUri: folderFileUri }
    const localPool = createInProcessPool(host, { via: 'channel' })
    try {
      const descriptors: StorageDescriptor[] = [{ kind: 'node-fs', dir: folder }, { kind: 'node-fs', dir, root: 'my table 100%' }]
      for (const storage of descriptors) {
        const remote = await WorkerDeltaTable.open(localPool, storage)
        expect(remote.uri).toBe(pathToFileURL(folder).href)
        expect(await remote.fileUris()).toEqual(uris)
        await remote.close()
      }
    } finally {
      await localPool.terminate()
    }
  })
})
