// One merge (update, delete, insert, one update moving a row to another partition) on every
// combination of deletion vectors, change data feed, column mapping and partitioning, in a local
// folder. Checked against answers worked out here: the rows read back (before and after a
// checkpoint), the change rows, and the commit's raw log actions, whose files are told apart by
// the stats and partition values the earlier commits wrote. The folder is also checked against
// PROTOCOL.md by the independent checker.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../../src/api/delta-table.js'
import { nodeEngine } from '../../../src/api/node-engine.js'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { checkTableProtocol } from '../../helpers/protocol-check.js'
import { logActions, plainRowsOf, rejection, rowsOf } from './merge-helpers.js'
import { eq, referenceMerge, sortRows, type RefClause, type Row } from './merge-reference.js'

const temps: string[] = []
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

interface Combo {
  dv: boolean
  cdf: boolean
  mapping: boolean
  partitioned: boolean
}

const COMBOS: Combo[] = []
for (const dv of [true, false]) for (const cdf of [true, false]) for (const mapping of [true, false]) for (const partitioned of [true, false]) COMBOS.push({ dv, cdf, mapping, partitioned })

const label = (c: Combo) => `DVs ${c.dv ? 'on' : 'off'}, CDF ${c.cdf ? 'on' : 'off'}, column mapping ${c.mapping ? 'name' : 'none'}, ${c.partitioned ? 'partitioned' : 'not partitioned'}`

const pOf = (id: number) => (id % 2 === 0 ? 'x' : 'y')
const targetRow = (id: number): Row => ({ id, p: pOf(id), v: `v${id}`, n: id * 10 })
const APPENDS = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
const TARGET = APPENDS.flat().map(targetRow)

const SOURCE: Row[] = [
  { id: 2, p: 'x', v: 'V2', op: 'update' },
  { id: 3, p: 'y', v: 'V3', op: 'delete' },
  // Moves from partition x to y.
  { id: 6, p: 'y', v: 'V6', op: 'update' },
  { id: 13, p: 'y', v: 'V13', op: 'insert' },
  { id: 14, p: 'x', v: 'V14', op: 'insert' },
]

const REF: RefClause[] = [
  { group: 'matched', action: 'delete', when: (_t, s) => s!.op === 'delete' },
  { group: 'matched', action: 'update', set: (t, s) => ({ v: s!.v, n: (t!.n as number) + 1, p: s!.p }) },
  { group: 'notMatched', action: 'insert', set: (_t, s) => ({ id: s!.id, p: s!.p, v: s!.v, n: 0 }) },
]

function arrow(rows: readonly Row[], columns: string[]): Table {
  return new Table(Object.fromEntries(columns.map((c) => [c, c === 'id' || c === 'n'
    ? vectorFromArray(rows.map((r) => BigInt(r[c] as number)), new Int64())
    : vectorFromArray(rows.map((r) => r[c] as string), new Utf8())])))
}

/** The table of a combination in a new folder: three appends (versions 0 to 2). */
async function build(c: Combo): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'delta-merge-matrix-'))
  temps.push(root)
  const configuration: Record<string, string> = {
    ...(c.dv && { 'delta.enableDeletionVectors': 'true' }),
    ...(c.cdf && { 'delta.enableChangeDataFeed': 'true' }),
    ...(c.mapping && { 'delta.columnMapping.mode': 'name' }),
  }
  for (const [i, ids] of APPENDS.entries()) {
    await writeDeltaLake(root, arrow(ids.map(targetRow), ['id', 'p', 'v', 'n']), i === 0
      ? { configuration, ...(c.partitioned && { partitionBy: ['p'] }) }
      : { mode: 'append' })
  }
  return root
}

/** A data file of the table before the merge and the ids it holds, told by its stats and partition value. */
interface FileOfIds {
  path: string
  ids: number[]
  /** The id range its stats give. */
  lo: number
  hi: number
}

async function filesBefore(storage: Storage, c: Combo): Promise<FileOfIds[]> {
  const metadata = (await logActions(storage, 0)).find((a) => a.metaData)!.metaData
  const fields = JSON.parse(metadata.schemaString).fields as { name: string; metadata: Record<string, unknown> }[]
  const physical = (name: string) => String(fields.find((f) => f.name === name)!.metadata['delta.columnMapping.physicalName'] ?? name)
  if (c.mapping) expect(physical('id')).not.toBe('id')
  const out: FileOfIds[] = []
  for (let v = 0; v < APPENDS.length; v++) {
    for (const a of (await logActions(storage, v)).filter((x) => x.add).map((x) => x.add)) {
      const stats = JSON.parse(a.stats)
      const [lo, hi] = [stats.minValues[physical('id')] as number, stats.maxValues[physical('id')] as number]
      const ids = TARGET.map((r) => r.id as number).filter((id) => id >= lo && id <= hi && (!c.partitioned || a.partitionValues[physical('p')] === pOf(id)))
      expect(ids).toHaveLength(stats.numRecords)
      out.push({ path: a.path, ids, lo, hi })
    }
  }
  expect(out).toHaveLength(c.partitioned ? 6 : 3)
  return out
}

const change = (kind: string, r: Row) => `${kind}:${r.id}:${r.p}:${r.v}:${r.n}`

describe('merge across table features', () => {
  for (const c of COMBOS) {
    it(label(c), async () => {
      const root = await build(c)
      const engine = await nodeEngine(root, {})
      const files = await filesBefore(engine.storage, c)
      const table = await DeltaTable.open(root)
      expect(table.version).toBe(2)
      const ref = referenceMerge(TARGET, SOURCE, (t, s) => eq(t.id, s.id), REF)
      const touchedIds = new Set([...ref.touched].map((i) => TARGET[i]!.id as number))
      const touchedFiles = files.filter((f) => f.ids.some((id) => touchedIds.has(id)))
      const goneIn = (f: FileOfIds) => f.ids.filter((id) => touchedIds.has(id)).length
      const copied = c.dv ? 0 : touchedFiles.reduce((n, f) => n + f.ids.length - goneIn(f), 0)
      // The join is on id alone: a file is read when a source id is within its stats' range.
      const scanned = files.filter((f) => SOURCE.some((s) => (s.id as number) >= f.lo && (s.id as number) <= f.hi)).length
      expect(scanned).toBe(c.partitioned ? 4 : 2)

      const result = await table.merge(arrow(SOURCE, ['id', 'p', 'v', 'op']), { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
        .whenMatchedDelete({ predicate: "s.op = 'delete'" })
        .whenMatchedUpdate({ v: 's.v', n: 't.n + 1', p: 's.p' })
        .whenNotMatchedInsert({ id: 's.id', p: 's.p', v: 's.v', n: '0' })
        .execute()
      expect(result).toMatchObject({
        version: 3, numSourceRows: 5, numTargetRowsInserted: 2, numTargetRowsUpdated: 2, numTargetRowsDeleted: 1,
        numTargetRowsCopied: copied, numOutputRows: 4 + copied,
        numTargetFilesScanned: scanned, numTargetFilesSkippedDuringScan: files.length - scanned,
        numTargetFilesRemoved: c.dv ? 0 : touchedFiles.length,
      })

      // Rows.
      const expected = sortRows(ref.rows)
      expect(expected).toHaveLength(13)
      expect(sortRows(await rowsOf(table))).toEqual(expected)
      expect(sortRows(await rowsOf(await DeltaTable.open(root)))).toEqual(expected)

      // Change rows.
      const expectedChanges = ref.changes.map((ch) => change(ch.kind, ch.row)).sort()
      expect(expectedChanges).toEqual([
        'delete:3:y:v3:30', 'insert:13:y:V13:0', 'insert:14:x:V14:0',
        'update_postimage:2:x:V2:21', 'update_postimage:6:y:V6:61', 'update_preimage:2:x:v2:20', 'update_preimage:6:x:v6:60',
      ])
      const readChanges = async (t: DeltaTable) => {
        const rows = await t.changes({ startVersion: 3, endVersion: 3 })
        expect(plainRowsOf(rows, ['_commit_version']).every((r) => r._commit_version === 3)).toBe(true)
        return plainRowsOf(rows, ['_change_type', 'id', 'p', 'v', 'n']).map((r) => change(r._change_type as string, r)).sort()
      }
      if (c.cdf) {
        expect(await readChanges(table)).toEqual(expectedChanges)
      } else {
        expect((await rejection(table.changes({ startVersion: 3, endVersion: 3 }))).code).toBe('InvalidArgument')
      }

      // The commit as logged.
      const actions = await logActions(engine.storage, 3)
      const info = actions.find((a) => a.commitInfo)!.commitInfo
      expect(info.operation).toBe('MERGE')
      expect(info.operationParameters.predicate).toBe('t.id = s.id')
      expect(JSON.parse(info.operationParameters.matchedPredicates)).toEqual([{ predicate: "s.op = 'delete'", actionType: 'delete' }, { actionType: 'update' }])
      expect(JSON.parse(info.operationParameters.notMatchedPredicates)).toEqual([{ actionType: 'insert' }])
      expect(JSON.parse(info.operationParameters.notMatchedBySourcePredicates)).toEqual([])
      expect(info.operationMetrics).toMatchObject({
        numSourceRows: 5, numTargetRowsInserted: 2, numTargetRowsUpdated: 2, numTargetRowsDeleted: 1,
        numTargetRowsMatchedUpdated: 2, numTargetRowsMatchedDeleted: 1, numTargetRowsNotMatchedBySourceUpdated: 0,
        numTargetRowsNotMatchedBySourceDeleted: 0, numTargetRowsCopied: copied, numOutputRows: 4 + copied,
      })
      for (const v of Object.values(info.operationMetrics)) expect(typeof v).toBe('number')
      const adds = actions.filter((a) => a.add).map((a) => a.add)
      const removes = actions.filter((a) => a.remove).map((a) => a.remove)
      const cdcs = actions.filter((a) => a.cdc).map((a) => a.cdc)
      expect(removes.map((r) => r.path).sort()).toEqual(touchedFiles.map((f) => f.path).sort())
      expect(removes.every((r) => r.dataChange === true && !r.deletionVector)).toBe(true)
      const oldPaths = new Set(files.map((f) => f.path))
      const readded = adds.filter((a) => oldPaths.has(a.path))
      const fresh = adds.filter((a) => !oldPaths.has(a.path))
      if (c.dv) {
        expect(readded.map((a) => a.path).sort()).toEqual(touchedFiles.map((f) => f.path).sort())
        for (const a of readded) {
          const f = touchedFiles.find((t) => t.path === a.path)!
          expect(a.deletionVector).toMatchObject({ cardinality: goneIn(f) })
        }
      } else {
        expect(readded).toEqual([])
      }
      expect(fresh.every((a) => !a.deletionVector && a.dataChange === true)).toBe(true)
      // New rows: the 2 updated and 2 inserted, and copy-on-write's copies.
      expect(fresh.reduce((n, a) => n + JSON.parse(a.stats).numRecords, 0)).toBe(4 + copied)
      if (c.cdf) {
        expect(cdcs.length).toBeGreaterThan(0)
        expect(cdcs.every((x) => String(x.path).startsWith('_change_data/'))).toBe(true)
      } else {
        expect(cdcs).toEqual([])
      }
      expect(await checkTableProtocol(root)).toEqual([])

      // A checkpoint at the merge's version reads back the same.
      await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
      const reopened = await DeltaTable.open(root)
      expect(reopened.checkpointVersion()).toBe(3)
      expect(sortRows(await rowsOf(reopened))).toEqual(expected)
      if (c.cdf) expect(await readChanges(reopened)).toEqual(expectedChanges)
      expect(await checkTableProtocol(root)).toEqual([])
    })
  }
})

describe('merge on files that already have deletion vectors', () => {
  it('keeps rows a vector deleted deleted, joins the vectors, and removes a file left with no row', async () => {
    const root = await mkdtemp(join(tmpdir(), 'delta-merge-dv-'))
    temps.push(root)
    const configuration = { 'delta.enableDeletionVectors': 'true', 'delta.enableChangeDataFeed': 'true' }
    // File A: ids 1-4; file B: ids 5-6.
    await writeDeltaLake(root, arrow([1, 2, 3, 4].map(targetRow), ['id', 'p', 'v', 'n']), { configuration })
    await writeDeltaLake(root, arrow([5, 6].map(targetRow), ['id', 'p', 'v', 'n']), { mode: 'append' })
    const table = await DeltaTable.open(root)
    await table.delete('id = 1 OR id = 5')
    const engine = await nodeEngine(root, {})
    const [fileA, fileB] = await Promise.all([0, 1].map(async (v) => (await logActions(engine.storage, v)).find((a) => a.add)!.add.path as string))
    // Source: 2 updated, 6 deleted (file B has no row left), 1 and 5 (deleted before) match nothing and are
    // inserted anew; 3 and 4 are not matched by source and get v 'alone'.
    const source: Row[] = [{ id: 1, v: 'again1' }, { id: 2, v: 'two' }, { id: 5, v: 'again5' }, { id: 6, v: 'del' }]
    const r = await table.merge(arrow(source, ['id', 'v']), { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedDelete({ predicate: "s.v = 'del'" })
      .whenMatchedUpdate({ v: 's.v' })
      .whenNotMatchedInsert({ id: 's.id', v: 's.v', p: "'new'", n: '0' })
      .whenNotMatchedBySourceUpdate({ v: "'alone'" })
      .execute()
    expect(r).toMatchObject({ version: 3, numTargetRowsUpdated: 3, numTargetRowsDeleted: 1, numTargetRowsInserted: 2 })
    expect(sortRows(await rowsOf(table))).toEqual(sortRows([
      { id: 1, p: 'new', v: 'again1', n: 0 }, { id: 2, p: 'x', v: 'two', n: 20 }, { id: 3, p: 'y', v: 'alone', n: 30 },
      { id: 4, p: 'x', v: 'alone', n: 40 }, { id: 5, p: 'new', v: 'again5', n: 0 },
    ]))
    const actions = await logActions(engine.storage, 3)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove)
    // Every live row of file A changed, so it goes whole, with the vector it had; so does file B.
    expect(removes.map((x) => x.path).sort()).toEqual([fileA, fileB].sort())
    expect(removes.every((x) => x.deletionVector?.cardinality === 1)).toBe(true)
    expect(actions.filter((a) => a.add).every((a) => a.add.path !== fileA && a.add.path !== fileB)).toBe(true)
    const changes = plainRowsOf(await table.changes({ startVersion: 3, endVersion: 3 }), ['_change_type', 'id', 'v']).map((c) => `${c._change_type}:${c.id}:${c.v}`).sort()
    expect(changes).toEqual([
      'delete:6:v6', 'insert:1:again1', 'insert:5:again5',
      'update_postimage:2:two', 'update_postimage:3:alone', 'update_postimage:4:alone',
      'update_preimage:2:v2', 'update_preimage:3:v3', 'update_preimage:4:v4',
    ])
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('joins a new vector with the one a file has', async () => {
    const root = await mkdtemp(join(tmpdir(), 'delta-merge-dv-'))
    temps.push(root)
    await writeDeltaLake(root, arrow([1, 2, 3, 4, 5, 6].map(targetRow), ['id', 'p', 'v', 'n']), { configuration: { 'delta.enableDeletionVectors': 'true' } })
    const table = await DeltaTable.open(root)
    await table.delete('id = 1')
    await table.merge(arrow([{ id: 1, v: 'x' }, { id: 3, v: 'x' }], ['id', 'v']), { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedDelete()
      .execute()
    const engine = await nodeEngine(root, {})
    const add = (await logActions(engine.storage, 2)).find((a) => a.add)!.add
    expect(add.deletionVector.cardinality).toBe(2)
    expect((await rowsOf(table)).map((row) => row.id).sort()).toEqual([2, 4, 5, 6])
    expect(await checkTableProtocol(root)).toEqual([])
  })
})
