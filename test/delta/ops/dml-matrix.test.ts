// Delete and update over every combination of table settings that changes how rows are
// rewritten: deletion vectors on or off, change data feed on or off, column mapping 'name' or
// none, partitioned by a string column or not. Each table is written in three appends of a few
// rows, so an operation meets files it empties, files it changes in part and files it leaves
// alone. The expected rows, change rows, log actions and metrics are worked out here from a
// plain model of the rows and of the files they were written to, not by the code under test.
import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../../src/api/delta-table.js'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import type { TableApi } from '../../../src/api/table-api.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import type { StructField, StructType } from '../../../src/delta/model/schema.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import type { MemoryStorage } from '../../../src/storage/memory.js'
import { WorkerDeltaTable } from '../../../src/worker/client.js'
import { objectStorageDescriptor } from '../../../src/worker/descriptors.js'
import { createInProcessPool } from '../../../src/worker/in-process.js'
import type { DeltaPool } from '../../../src/worker/pool.js'
import { commitActions, memoryEngine } from './fixture.js'

type MemoryEngine = Engine & { storage: MemoryStorage }
type Json = Record<string, any>

const URI = 'memory://dml'

let pool: DeltaPool | undefined
afterAll(() => pool?.terminate())

/** A row as the model holds it (and as read back, numbers made plain). */
interface Row { id: number; p: string; x: number | null; name: string }
interface ChangeRow extends Row { type: string }

const row = (id: number, p: string): Row => ({ id, p, x: id * 10, name: `n${id}` })
/** Three appends: 4 rows (a, a, b, b), 4 rows (a, b, a, b), 2 rows (b, b). */
const APPENDS: Row[][] = [
  [row(1, 'a'), row(2, 'a'), row(3, 'b'), row(4, 'b')],
  [row(5, 'a'), row(6, 'b'), row(7, 'a'), row(8, 'b')],
  [row(9, 'b'), row(10, 'b')],
]

interface Combo { dv: boolean; cdf: boolean; cm: boolean; part: boolean }

const COMBOS: Combo[] = [false, true].flatMap((dv) => [false, true].flatMap((cdf) =>
  [false, true].flatMap((cm) => [false, true].map((part) => ({ dv, cdf, cm, part })))))

const label = (c: Combo) => `dv ${c.dv ? 'on' : 'off'}, cdf ${c.cdf ? 'on' : 'off'}, mapping ${c.cm ? 'name' : 'none'}, ${c.part ? 'partitioned' : 'unpartitioned'}`

const field = (name: string, type: StructField['type'], nullable = true, metadata: Record<string, unknown> = {}): StructField => ({ name, type, nullable, metadata })
const SCHEMA: StructType = { type: 'struct', fields: [field('id', 'long'), field('p', 'string'), field('x', 'integer'), field('name', 'string')] }

function configurationOf(c: Combo): Record<string, string> {
  return {
    ...(c.dv ? { 'delta.enableDeletionVectors': 'true' } : {}),
    ...(c.cdf ? { 'delta.enableChangeDataFeed': 'true' } : {}),
    ...(c.cm ? { 'delta.columnMapping.mode': 'name' } : {}),
  }
}

function arrowOf(rows: Row[]): Table {
  return new Table({
    id: vectorFromArray(rows.map((r) => BigInt(r.id)), new Int64()),
    p: vectorFromArray(rows.map((r) => r.p), new Utf8()),
    x: vectorFromArray(rows.map((r) => r.x), new Int32()),
    name: vectorFromArray(rows.map((r) => r.name), new Utf8()),
  })
}

/** The files the appends write, by the model: one per append, or one per append and partition. */
function modelFiles(c: Combo): Row[][] {
  if (!c.part) return APPENDS
  return APPENDS.flatMap((rows) => [...new Set(rows.map((r) => r.p))].map((p) => rows.filter((r) => r.p === p)))
}

function plainRows(t: Table): Row[] {
  return t.toArray().map((r) => ({ id: Number(r.id), p: r.p, x: r.x ?? null, name: r.name })).sort(byId)
}

function plainChanges(t: Table): ChangeRow[] {
  return t.toArray().map((r) => ({ id: Number(r.id), p: r.p, x: r.x ?? null, name: r.name, type: r._change_type })).sort(byChange)
}

const byId = (a: Row, b: Row) => a.id - b.id
const byChange = (a: ChangeRow, b: ChangeRow) => a.type.localeCompare(b.type) || a.id - b.id
const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i])

/**
 * A table of the combination's settings in memory, after the three appends (version 3), with
 * each data file's path mapped to the model's rows of it (checked against what the file holds).
 */
async function buildTable(c: Combo): Promise<{ engine: MemoryEngine; files: Map<string, Row[]> }> {
  const engine = await memoryEngine()
  const t = await DeltaTable.create(URI, {
    storage: engine.storage, parquet: engine.parquet, schema: SCHEMA,
    partitionBy: c.part ? ['p'] : undefined, configuration: configurationOf(c),
  })
  if (c.dv) {
    // Asking for deletion vectors in the configuration must add the table feature, or no reader knows to apply them.
    expect(t.protocol().readerFeatures ?? []).toContain('deletionVectors')
    expect(t.protocol().writerFeatures ?? []).toContain('deletionVectors')
  }
  for (const rows of APPENDS) await t.write(arrowOf(rows), { mode: 'append' })
  expect(t.version).toBe(3)
  const model = modelFiles(c)
  const files = new Map<string, Row[]>()
  for (const f of await t.files()) {
    const ids = plainRows(await t.toArrow({ files: [f.path] })).map((r) => r.id)
    const rows = model.find((m) => sameIds(m.map((r) => r.id), ids))
    expect(rows, `file ${f.path} holds ids ${ids}`).toBeDefined()
    files.set(f.path, rows!)
  }
  expect(files.size).toBe(model.length)
  return { engine, files }
}

type Opener = (engine: MemoryEngine) => Promise<TableApi>

const inProcess: Opener = (engine) => DeltaTable.open(URI, { storage: engine.storage, parquet: engine.parquet })
const throughWorker: Opener = (engine) => {
  pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
  return WorkerDeltaTable.open(pool, objectStorageDescriptor(engine.storage, undefined, { uri: URI }))
}

/** One row-level operation and what it does to the model's rows. */
type Operation =
  | { kind: 'delete'; predicate?: string; matches: (r: Row) => boolean }
  | { kind: 'update'; predicate?: string; values: Record<string, string>; matches: (r: Row) => boolean; apply: (r: Row) => Row }

const inIds = (ids: number[]) => (r: Row) => ids.includes(r.id)

const DELETE_SOME: Operation = { kind: 'delete', predicate: 'id IN (1, 2, 5, 9, 10)', matches: inIds([1, 2, 5, 9, 10]) }
const DELETE_WHOLE_FILES: Operation = { kind: 'delete', predicate: 'id >= 9', matches: (r) => r.id >= 9 }
const DELETE_ALL: Operation = { kind: 'delete', matches: () => true }
const UPDATE_ALL: Operation = { kind: 'update', values: { x: '-x' }, matches: () => true, apply: (r) => ({ ...r, x: -r.x! }) }
const UPDATE_SOME: Extract<Operation, { kind: 'update' }> = {
  kind: 'update', predicate: 'id IN (3, 5, 9, 10)', values: { x: 'x + id', name: "'u'" },
  matches: inIds([3, 5, 9, 10]), apply: (r) => ({ ...r, x: r.x! + r.id, name: 'u' }),
}

/** Run an operation on a fresh table of the combination and check everything it left. */
async function checkOperation(c: Combo, op: Operation, open: Opener): Promise<void> {
  const { engine, files } = await buildTable(c)
  const dataFilesBefore = dataFiles(engine)
  const all = APPENDS.flat()
  const matched = all.filter(op.matches)
  const expectedRows = (op.kind === 'delete' ? all.filter((r) => !op.matches(r)) : all.map((r) => (op.matches(r) ? op.apply(r) : r))).sort(byId)

  // Per file: how many rows the operation takes from it.
  const touched = [...files].map(([path, rows]) => ({ path, size: rows.length, hit: rows.filter(op.matches).length })).filter((f) => f.hit > 0)
  const partial = touched.filter((f) => f.hit < f.size)
  const whole = touched.filter((f) => f.hit === f.size)
  const copied = c.dv ? 0 : partial.reduce((n, f) => n + f.size - f.hit, 0)
  // Data files written: updated rows and copied rows go to new files, as many as partitions they fall in.
  const written = op.kind === 'update' ? matched.map(op.apply) : []
  if (!c.dv) for (const f of partial) written.push(...files.get(f.path)!.filter((r) => !op.matches(r)))
  const newFiles = c.part ? new Set(written.map((r) => r.p)).size : written.length > 0 ? 1 : 0

  const t = await open(engine)
  try {
    const result = op.kind === 'delete' ? await t.delete(op.predicate) : await t.update(op.values, op.predicate !== undefined ? { predicate: op.predicate } : {})
    const version = 4
    expect(result.version).toBe(version)
    expect(t.version).toBe(version)
    const count = op.kind === 'delete' ? (result as { numDeletedRows: number }).numDeletedRows : (result as { numUpdatedRows: number }).numUpdatedRows
    expect(count).toBe(matched.length)
    expect(result).toMatchObject({ numCopiedRows: copied, numAddedFiles: newFiles, numRemovedFiles: c.dv ? whole.length : touched.length })

    // The rows.
    expect(plainRows(await t.toArrow())).toEqual(expectedRows)

    // The change rows, whether written as change data or derived from the adds and removes.
    if (c.cdf) {
      const changes = await t.changes({ startVersion: version })
      expect(new Set(Array.from(changes.getChild('_commit_version')!.toArray() as BigInt64Array, Number))).toEqual(new Set([version]))
      const expectedChanges: ChangeRow[] = op.kind === 'delete'
        ? matched.map((r) => ({ ...r, type: 'delete' }))
        : [...matched.map((r) => ({ ...r, type: 'update_preimage' })), ...matched.map((r) => ({ ...op.apply(r), type: 'update_postimage' }))]
      expect(plainChanges(changes)).toEqual(expectedChanges.sort(byChange))
    } else {
      await expect(t.changes({ startVersion: version })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('not enabled') })
    }

    // The log actions of the commit.
    const actions = await logOf(engine, version)
    const adds = actions.filter((a) => a.add).map((a) => a.add as Json)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove as Json)
    const cdcs = actions.filter((a) => a.cdc).map((a) => a.cdc as Json)
    const info = actions.find((a) => a.commitInfo)!.commitInfo as Json
    expect(removes.map((r) => r.path).sort()).toEqual(touched.map((f) => f.path).sort())
    expect(removes.every((r) => r.dataChange === true)).toBe(true)
    expect(adds.every((a) => a.dataChange === true)).toBe(true)
    const removedPaths = new Set(removes.map((r) => r.path))
    const reAdded = adds.filter((a) => removedPaths.has(a.path))
    const fresh = adds.filter((a) => !removedPaths.has(a.path))
    if (c.dv) {
      // Files that keep rows come back with a vector of the rows they lost; emptied files go.
      expect(reAdded.map((a) => a.path).sort()).toEqual(partial.map((f) => f.path).sort())
      for (const f of partial) {
        const dv = reAdded.find((a) => a.path === f.path)!.deletionVector as Json
        expect(['i', 'u']).toContain(dv.storageType)
        expect(dv.cardinality).toBe(f.hit)
        // Its stats still describe the whole physical file, so their bounds are no longer tight.
        expect(JSON.parse(reAdded.find((a) => a.path === f.path)!.stats).tightBounds).toBe(false)
      }
      expect(fresh.every((a) => !a.deletionVector)).toBe(true)
      if (op.kind === 'delete') expect(dataFiles(engine)).toEqual(dataFilesBefore)
    } else {
      expect(adds.every((a) => !a.deletionVector)).toBe(true)
      expect(reAdded).toEqual([])
    }
    expect(fresh).toHaveLength(newFiles)
    expect(fresh.reduce((n, a) => n + JSON.parse(a.stats).numRecords, 0)).toBe(written.length)
    // Change data is written where the reader could not derive the changes: a file changed in
    // part, or an update (whose adds and removes would read as inserts and deletes).
    const wantsCdc = c.cdf && (op.kind === 'update' || partial.length > 0)
    expect(cdcs.length > 0).toBe(wantsCdc)
    expect(info.operation).toBe(op.kind === 'delete' ? 'DELETE' : 'UPDATE')
    expect(info.operationMetrics).toMatchObject({
      [op.kind === 'delete' ? 'numDeletedRows' : 'numUpdatedRows']: matched.length,
      numCopiedRows: copied,
      numAddedChangeFiles: cdcs.length,
      ...(c.dv ? { numDeletionVectorsAdded: partial.length, numDeletionVectorsRemoved: 0, numDeletionVectorsUpdated: 0 } : {}),
    })

    // A checkpoint of the version reads the same.
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
    const reopened = await DeltaTable.open(URI, { storage: engine.storage, parquet: engine.parquet })
    expect(reopened.checkpointVersion()).toBe(version)
    expect(plainRows(await reopened.toArrow())).toEqual(expectedRows)
  } finally {
    await t.close()
  }
}

/** The actions of one commit, loosely typed for reading fields. */
const logOf = async (engine: Engine, version: number): Promise<Json[]> => commitActions(engine, version)

/** The data files stored (not logs, change data or deletion vectors). */
function dataFiles(engine: MemoryEngine): string[] {
  return engine.storage.paths().filter((p) => p.endsWith('.parquet') && !p.startsWith('_delta_log/') && !p.startsWith('_change_data/'))
}

for (const c of COMBOS) {
  describe(`delete and update, ${label(c)}`, () => {
    it('deletes rows from some files and empties others', () => checkOperation(c, DELETE_SOME, inProcess))
    it('deletes only whole files, the changes derived by the reader', () => checkOperation(c, DELETE_WHOLE_FILES, inProcess))
    it('deletes every row without a predicate', () => checkOperation(c, DELETE_ALL, inProcess))
    it('updates rows in some files and every row of others', () => checkOperation(c, UPDATE_SOME, inProcess))
    it('updates every row without a predicate', () => checkOperation(c, UPDATE_ALL, inProcess))
  })
}

describe('row-level operations through a worker pool', () => {
  const combos: Combo[] = [{ dv: true, cdf: true, cm: true, part: true }, { dv: false, cdf: false, cm: false, part: false }, { dv: true, cdf: false, cm: false, part: false }]
  for (const c of combos) {
    it(`deletes (${label(c)})`, () => checkOperation(c, DELETE_SOME, throughWorker))
    it(`updates (${label(c)})`, () => checkOperation(c, UPDATE_SOME, throughWorker))
  }

  it('refuses an overflowing update with InvalidData and leaves the table alone', async () => {
    const { engine } = await buildTable({ dv: true, cdf: true, cm: false, part: false })
    const paths = engine.storage.paths()
    const t = await throughWorker(engine)
    try {
      await expect(t.update({ x: 'x + 2147483647' }, { predicate: 'id = 3' })).rejects.toMatchObject({ code: 'InvalidData', message: expect.stringContaining("'x'") })
      expect(t.version).toBe(3)
    } finally {
      await t.close()
    }
    expect(engine.storage.paths()).toEqual(paths)
  })
})

describe('the change feed after a checkpoint', () => {
  // Every JSON commit of the range is still in _delta_log, though a checkpoint covers them.
  it('reads the changes of a version at or before the newest checkpoint', async () => {
    const c: Combo = { dv: true, cdf: true, cm: false, part: true }
    const { engine } = await buildTable(c)
    const t = await inProcess(engine)
    await t.update(UPDATE_SOME.values, { predicate: UPDATE_SOME.predicate })
    const before = plainChanges(await t.changes({ startVersion: 4 }))
    expect(before).toHaveLength(8)
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
    expect(engine.storage.paths()).toContain('_delta_log/00000000000000000004.json')
    const reopened = await inProcess(engine)
    expect(reopened.checkpointVersion()).toBe(4)
    expect(plainChanges(await reopened.changes({ startVersion: 4 }))).toEqual(before)
  })
})

describe('update rules', () => {
  it('creates tables whose configuration enables deletion vectors with the table feature, by writeDeltaLake too', async () => {
    const engine = await memoryEngine()
    await writeDeltaLake(URI, arrowOf(APPENDS[0]!), { storage: engine.storage, parquet: engine.parquet, configuration: { 'delta.enableDeletionVectors': 'true' } })
    const t = await inProcess(engine)
    expect(t.protocol()).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 })
    expect(t.protocol().readerFeatures).toContain('deletionVectors')
    expect(t.protocol().writerFeatures).toContain('deletionVectors')
    await t.delete('id = 1')
    expect((await t.files())[0]!.deletionVector).toMatchObject({ cardinality: 1 })
  })

  for (const dv of [false, true]) {
    const base: Combo = { dv, cdf: true, cm: false, part: true }

    it.each([false, true])(`moves rows to another partition when the partition column is set (dv ${dv}, mapping %s)`, async (cm) => {
      const { engine } = await buildTable({ ...base, cm })
      const t = await inProcess(engine)
      // Under column mapping, partition values are keyed by the column's physical name.
      const pField = t.schema().fields.find((f) => f.name === 'p')!
      const pKey = cm ? String(pField.metadata['delta.columnMapping.physicalName']) : 'p'
      expect(cm ? pKey !== 'p' : true).toBe(true)
      const result = await t.update({ p: "'c'" }, { predicate: 'id IN (1, 6)' })
      expect(result).toMatchObject({ version: 4, numUpdatedRows: 2 })
      const moved = (r: Row) => r.id === 1 || r.id === 6
      const expected = APPENDS.flat().map((r) => (moved(r) ? { ...r, p: 'c' } : r))
      expect(plainRows(await t.toArrow())).toEqual(expected)
      // Every file holds rows of its own partition only, and partition c holds 1 and 6.
      for (const f of await t.files()) {
        const rows = plainRows(await t.toArrow({ files: [f.path] }))
        expect(rows.every((r) => r.p === f.partitionValues[pKey])).toBe(true)
      }
      expect((await t.files()).filter((f) => f.partitionValues[pKey] === 'c')).toHaveLength(1)
      expect(plainRows(await t.toArrow({ filter: "p = 'c'" })).map((r) => r.id)).toEqual([1, 6])
      const changes = plainChanges(await t.changes({ startVersion: 4 }))
      const before = APPENDS.flat().filter(moved)
      expect(changes).toEqual([
        ...before.map((r) => ({ ...r, p: 'c', type: 'update_postimage' })),
        ...before.map((r) => ({ ...r, type: 'update_preimage' })),
      ])
    })

    it(`commits nothing when no row matches (dv ${dv})`, async () => {
      const { engine } = await buildTable(base)
      const paths = engine.storage.paths()
      const t = await inProcess(engine)
      expect(await t.update({ x: 'x + 1' }, { predicate: 'id > 100' })).toMatchObject({ version: 3, numUpdatedRows: 0, numAddedFiles: 0, numRemovedFiles: 0 })
      expect(await t.delete("p = 'zz'")).toMatchObject({ version: 3, numDeletedRows: 0, numAddedFiles: 0, numRemovedFiles: 0 })
      expect(t.version).toBe(3)
      expect(engine.storage.paths()).toEqual(paths)
    })

    it(`refuses an overflowing expression with InvalidData naming the column (dv ${dv})`, async () => {
      const { engine } = await buildTable(base)
      const paths = engine.storage.paths()
      const t = await inProcess(engine)
      const e = await t.update({ x: 'x + 2147483647' }, { predicate: 'id >= 3' }).catch((err: unknown) => err)
      expect(e).toMatchObject({ code: 'InvalidData', message: expect.stringContaining("'x'") })
      expect(t.version).toBe(3)
      expect((await loadSnapshot(engine)).version).toBe(3)
      expect(engine.storage.paths()).toEqual(paths)
      expect(plainRows(await t.toArrow())).toEqual(APPENDS.flat().sort(byId))
    })

    it(`refuses values that break a CHECK constraint and changes nothing (dv ${dv})`, async () => {
      const { engine } = await buildTable(base)
      const t = await inProcess(engine)
      await t.addConstraint({ small: 'x < 1000' })
      expect(t.version).toBe(4)
      const paths = engine.storage.paths()
      await expect(t.update({ x: 'x * 100' }, { predicate: 'id >= 9' })).rejects.toMatchObject({ code: 'ConstraintViolation', message: expect.stringContaining('small') })
      expect(t.version).toBe(4)
      expect((await loadSnapshot(engine)).version).toBe(4)
      expect(engine.storage.paths()).toEqual(paths)
      // Values that keep it are fine.
      expect(await t.update({ x: 'x * 9' }, { predicate: 'id >= 9' })).toMatchObject({ version: 5, numUpdatedRows: 2 })
      expect(plainRows(await t.toArrow()).map((r) => r.x)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 810, 900])
    })

    it(`refuses NULL in a NOT NULL column (dv ${dv})`, async () => {
      const engine = await memoryEngine()
      const schema: StructType = { type: 'struct', fields: [field('id', 'long'), field('name', 'string', false)] }
      const t = await DeltaTable.create(URI, { storage: engine.storage, parquet: engine.parquet, schema, configuration: dv ? { 'delta.enableDeletionVectors': 'true' } : {} })
      await t.write(new Table({ id: vectorFromArray([1n, 2n], new Int64()), name: vectorFromArray(['a', 'b'], new Utf8()) }), { mode: 'append' })
      const paths = engine.storage.paths()
      await expect(t.update({ name: 'NULL' }, { predicate: 'id = 1' })).rejects.toMatchObject({ code: 'ConstraintViolation', message: expect.stringContaining('name') })
      await expect(t.update({ newValues: { name: null } }, { predicate: 'id = 1' })).rejects.toMatchObject({ code: 'ConstraintViolation' })
      expect(t.version).toBe(1)
      expect(engine.storage.paths()).toEqual(paths)
    })

    it(`recomputes a generated column and refuses to set it (dv ${dv})`, async () => {
      const engine = await memoryEngine()
      const schema: StructType = { type: 'struct', fields: [
        field('id', 'long'), field('a', 'integer'), field('b', 'integer', true, { 'delta.generationExpression': 'a * 2' }),
      ] }
      const t = await DeltaTable.create(URI, {
        storage: engine.storage, parquet: engine.parquet, schema,
        configuration: { 'delta.enableChangeDataFeed': 'true', ...(dv ? { 'delta.enableDeletionVectors': 'true' } : {}) },
      })
      for (const ids of [[1, 2], [3]]) {
        await t.write(new Table({ id: vectorFromArray(ids.map(BigInt), new Int64()), a: vectorFromArray(ids, new Int32()) }), { mode: 'append' })
      }
      const read = async (tbl: Table) => tbl.toArray().map((r) => ({ id: Number(r.id), a: r.a, b: r.b, ...(r._change_type ? { type: r._change_type } : {}) }))
        .sort((x, y) => (x.type ?? '').localeCompare(y.type ?? '') || x.id - y.id)
      expect(await read(await t.toArrow())).toEqual([{ id: 1, a: 1, b: 2 }, { id: 2, a: 2, b: 4 }, { id: 3, a: 3, b: 6 }])
      expect(await t.update({ a: 'a + 10' }, { predicate: 'id = 2' })).toMatchObject({ version: 3, numUpdatedRows: 1 })
      expect(await read(await t.toArrow())).toEqual([{ id: 1, a: 1, b: 2 }, { id: 2, a: 12, b: 24 }, { id: 3, a: 3, b: 6 }])
      expect(await read(await t.changes({ startVersion: 3 }))).toEqual([
        { id: 2, a: 12, b: 24, type: 'update_postimage' }, { id: 2, a: 2, b: 4, type: 'update_preimage' },
      ])
      const paths = engine.storage.paths()
      await expect(t.update({ b: '0' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining("'b'") })
      await expect(t.update({ newValues: { b: 0 } })).rejects.toMatchObject({ code: 'InvalidArgument' })
      expect(t.version).toBe(3)
      expect(engine.storage.paths()).toEqual(paths)
    })
  }

  it('updates rows of a file that already has a deletion vector, twice', async () => {
    const { engine, files } = await buildTable({ dv: true, cdf: true, cm: true, part: false })
    const first = [...files].find(([, rows]) => rows[0]!.id === 1)![0]
    const t = await inProcess(engine)
    expect(await t.update({ x: 'x + 1' }, { predicate: 'id = 1' })).toMatchObject({ version: 4, numUpdatedRows: 1, numCopiedRows: 0 })
    // Row 1 now lives in a new file of its own; row 2 still in the first file, which has a vector of one row.
    const second = await t.update({ x: 'x + 1' }, { predicate: 'id IN (1, 2)' })
    expect(second).toMatchObject({ version: 5, numUpdatedRows: 2, numCopiedRows: 0 })
    const expected = APPENDS.flat().map((r) => (r.id === 1 ? { ...r, x: 12 } : r.id === 2 ? { ...r, x: 21 } : r))
    expect(plainRows(await t.toArrow())).toEqual(expected)
    const actions = await logOf(engine, 5)
    const removed = actions.filter((a) => a.remove).map((a) => a.remove as Json)
    const added = actions.filter((a) => a.add).map((a) => a.add as Json)
    const oldFirst = removed.find((r) => r.path === first)!
    const newFirst = added.find((a) => a.path === first)!
    expect(oldFirst.deletionVector.cardinality).toBe(1)
    expect(newFirst.deletionVector.cardinality).toBe(2)
    // The file of row 1 from the first update is emptied: removed, not re-added.
    expect(removed).toHaveLength(2)
    expect(added.filter((a) => a.path !== first)).toHaveLength(1)
    expect(actions.find((a) => a.commitInfo)!.commitInfo.operationMetrics).toMatchObject({
      numUpdatedRows: 2, numCopiedRows: 0, numDeletionVectorsUpdated: 1, numDeletionVectorsAdded: 0,
    })
    expect(plainChanges(await t.changes({ startVersion: 5 }))).toEqual([
      { id: 1, p: 'a', x: 12, name: 'n1', type: 'update_postimage' }, { id: 2, p: 'a', x: 21, name: 'n2', type: 'update_postimage' },
      { id: 1, p: 'a', x: 11, name: 'n1', type: 'update_preimage' }, { id: 2, p: 'a', x: 20, name: 'n2', type: 'update_preimage' },
    ])
    // And a delete over the same file merges into its vector once more.
    expect(await t.delete('id IN (2, 3)')).toMatchObject({ version: 6, numDeletedRows: 2, numCopiedRows: 0 })
    const third = await logOf(engine, 6)
    expect(third.find((a) => a.add && a.add.path === first)!.add.deletionVector.cardinality).toBe(3)
    expect(plainRows(await t.toArrow())).toEqual(expected.filter((r) => r.id !== 2 && r.id !== 3))
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
    expect(plainRows(await (await inProcess(engine)).toArrow())).toEqual(expected.filter((r) => r.id !== 2 && r.id !== 3))
  })
})
