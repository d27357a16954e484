// The source of a merge in each form a write takes (an Arrow table, record batches one by one or
// as an iterable, plain objects), and a merge run through `WorkerDeltaTable` over an in-process
// pool whose workers sit behind a message channel: each gives the rows the reference merge
// works out, and the worker gives what the same merge gives in this thread.
import { Int64, Table, Utf8, vectorFromArray, type RecordBatch } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import type { TableApi } from '../../../src/api/table-api.js'
import type { MergeResult } from '../../../src/delta/ops/merge/clauses.js'
import type { WriteData } from '../../../src/delta/write/input.js'
import type { MemoryStorage } from '../../../src/storage/memory.js'
import { WorkerDeltaTable } from '../../../src/worker/client.js'
import { objectStorageDescriptor } from '../../../src/worker/descriptors.js'
import { createInProcessPool } from '../../../src/worker/in-process.js'
import type { DeltaPool } from '../../../src/worker/pool.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { rejection, reopen, rowsOf, tableOf, URI } from './merge-helpers.js'
import { eq, referenceMerge, sortRows, type RefClause, type Row } from './merge-reference.js'

let pool: DeltaPool | undefined
afterAll(() => pool?.terminate())

const TARGET: Row[] = [1, 2, 3, 4, 5, 6].map((id) => ({ id, v: `v${id}`, n: id * 10 }))
const SOURCE: Row[] = [
  { id: 2, v: 'B', n: 1 },
  { id: 3, v: 'C', n: -1 },
  { id: 7, v: 'G', n: 7 },
  { id: 8, v: 'H', n: -8 },
]

function arrow(rows: readonly Row[]): Table {
  return new Table({
    id: vectorFromArray(rows.map((r) => BigInt(r.id as number)), new Int64()),
    v: vectorFromArray(rows.map((r) => r.v as string), new Utf8()),
    n: vectorFromArray(rows.map((r) => BigInt(r.n as number)), new Int64()),
  })
}

/** The target in two files (ids 1-3 and 4-6). */
async function target() {
  return tableOf([arrow(TARGET.slice(0, 3)), arrow(TARGET.slice(3))])
}

/** One batch per source row, so an iterable source has several. */
function batches(): RecordBatch[] {
  return SOURCE.map((r) => arrow([r]).batches[0]!)
}

const SIMPLE: RefClause[] = [
  { group: 'matched', action: 'update', set: (t, s) => ({ v: s!.v, n: (t!.n as number) + (s!.n as number) }) },
  { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
]

function simpleMerge(t: TableApi, source: WriteData): Promise<MergeResult> {
  return t.merge(source, { predicate: 'target.id = source.id' })
    .whenMatchedUpdate({ v: 'source.v', n: 'target.n + source.n' })
    .whenNotMatchedInsertAll()
    .execute()
}

describe('merge source forms', () => {
  // The matched rows of one target file may come from several source batches: every value copied
  // from a source column must survive, whatever the chunking.
  const forms: [string, () => WriteData, boolean][] = [
    ['an Arrow table', () => arrow(SOURCE), true],
    ['an Arrow table of several batches', () => new Table(batches()), true],
    ['one record batch', () => arrow(SOURCE).batches[0]!, true],
    ['an array of record batches', () => batches(), true],
    ['an iterable of record batches', () => (function* () { yield* batches() })(), true],
    ['an async iterable of record batches', () => (async function* () { for (const b of batches()) yield b })(), true],
    ['plain objects with bigints', () => SOURCE.map((r) => ({ ...r, id: BigInt(r.id as number), n: BigInt(r.n as number) })), true],
    ['plain objects with numbers', () => SOURCE.map((r) => ({ ...r })), true],
  ]
  const ref = referenceMerge(TARGET, SOURCE, (t, s) => eq(t.id, s.id), SIMPLE)

  for (const [name, source, works] of forms) {
    ;(works ? it : it.fails)(`takes ${name}`, async () => {
      const { table } = await target()
      const r = await simpleMerge(table, source())
      expect(r).toMatchObject({ version: 2, numSourceRows: 4, numTargetRowsUpdated: 2, numTargetRowsInserted: 2 })
      expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    })
  }

  // Ids 2 and 3 sit in one target file and their source rows in two batches.
  it('copies every source batch\'s values into updated rows (updateAll from several batches)', async () => {
    const { table } = await tableOf([arrow(TARGET)])
    const numbers = (rows: Row[]) => new Table({ id: vectorFromArray(rows.map((r) => BigInt(r.id as number)), new Int64()), n: vectorFromArray(rows.map((r) => BigInt(r.n as number)), new Int64()) })
    const source = new Table([numbers([{ id: 2, n: 20 }]).batches[0]!, numbers([{ id: 3, n: 30 }]).batches[0]!])
    await table.merge(source, { predicate: 'target.id = source.id' }).whenMatchedUpdateAll().execute()
    const expected = TARGET.map((row) => (row.id === 2 ? { ...row, n: 20 } : row.id === 3 ? { ...row, n: 30 } : row))
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
  })

  it('takes several batches when each target file\'s matches come from one of them', async () => {
    // Target files hold ids 1-3 and 4-6; the batches hold (2, 7) and (5, 8).
    const { table } = await target()
    const source = new Table([arrow([SOURCE[0]!, SOURCE[2]!]).batches[0]!, arrow([{ id: 5, v: 'E', n: 5 }, SOURCE[3]!]).batches[0]!])
    const rows = [SOURCE[0]!, SOURCE[2]!, { id: 5, v: 'E', n: 5 }, SOURCE[3]!]
    await simpleMerge(table, source)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(referenceMerge(TARGET, rows, (t, s) => eq(t.id, s.id), SIMPLE).rows))
  })

  it('takes plain objects with a column the table lacks, for conditions', async () => {
    const { table } = await target()
    const source = [{ id: 2, v: 'B', op: 'drop' }, { id: 3, v: 'C', op: 'keep' }, { id: 9, v: 'I', op: 'keep' }]
    await table.merge(source, { predicate: 'target.id = source.id' })
      .whenMatchedDelete({ predicate: "source.op = 'drop'" })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsert({ id: 'source.id', v: 'source.v' })
      .execute()
    const expected = referenceMerge(TARGET, source, (t, s) => eq(t.id, s.id), [
      { group: 'matched', action: 'delete', when: (_t, s) => s!.op === 'drop' },
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ id: s!.id, v: s!.v, n: null }) },
    ]).rows
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
  })

  it('takes an empty Arrow table: nothing matches, by-source clauses still apply', async () => {
    const { table } = await target()
    const r = await table.merge(arrow([]), { predicate: 'target.id = source.id' })
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceUpdate({ v: "'alone'" }, { predicate: 'target.id > 4' })
      .execute()
    expect(r).toMatchObject({ numSourceRows: 0, numTargetRowsInserted: 0, numTargetRowsUpdated: 2 })
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(TARGET.map((row) => ((row.id as number) > 4 ? { ...row, v: 'alone' } : row))))
  })

  it('takes an empty array of objects (typed by the table) and commits nothing', async () => {
    const { table, storage } = await target()
    const before = storage.paths()
    const r = await simpleMerge(table, [])
    expect(r).toMatchObject({ version: 1, numSourceRows: 0, numTargetRowsInserted: 0, numTargetRowsUpdated: 0, numTargetFilesScanned: 0 })
    expect(storage.paths()).toEqual(before)
  })
})

describe('merge through WorkerDeltaTable', () => {
  async function openWorker(storage: MemoryStorage): Promise<WorkerDeltaTable> {
    pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
    return WorkerDeltaTable.open(pool, objectStorageDescriptor(storage, undefined, { uri: URI }))
  }

  const ALL: RefClause[] = [
    { group: 'matched', action: 'delete', when: (_t, s) => (s!.n as number) < 0 },
    { group: 'matched', action: 'update', set: (t, s) => ({ v: `${t!.v}+${s!.v}`, n: (t!.n as number) + (s!.n as number) }) },
    { group: 'notMatched', action: 'insert', when: (_t, s) => (s!.n as number) > 0, set: (_t, s) => ({ ...s! }) },
    { group: 'notMatchedBySource', action: 'delete', when: (t) => t!.id === 1 },
    { group: 'notMatchedBySource', action: 'update', set: (t) => ({ n: -(t!.n as number) }) },
  ]

  function allClauses(t: TableApi, source: WriteData): Promise<MergeResult> {
    return t.merge(source, { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedDelete({ predicate: 's.n < 0' })
      .whenMatchedUpdate({ v: "concat(t.v, '+', s.v)", n: 't.n + s.n' })
      .whenNotMatchedInsertAll({ predicate: 's.n > 0' })
      .whenNotMatchedBySourceDelete({ predicate: 't.id = 1' })
      .whenNotMatchedBySourceUpdate({ n: '-t.n' })
      .execute()
  }

  const timeless = (r: MergeResult) => {
    const { executionTimeMs: _e, scanTimeMs: _s, rewriteTimeMs: _r, ...rest } = r
    return rest
  }

  for (const [name, source] of [['an Arrow table', () => arrow(SOURCE)], ['plain objects', () => SOURCE.map((r) => ({ ...r }))], ['record batches', () => batches()]] as const) {
    it(`runs a merge with every clause kind from ${name}, as in this thread`, async () => {
      const expected = sortRows(referenceMerge(TARGET, SOURCE, (t, s) => eq(t.id, s.id), ALL).rows)
      // Worked out by hand: 1 deleted, 2 updated, 3 deleted, 4-6 negated, 7 inserted, 8 not.
      expect(expected).toEqual(sortRows([
        { id: 2, v: 'v2+B', n: 21 }, { id: 4, v: 'v4', n: -40 }, { id: 5, v: 'v5', n: -50 }, { id: 6, v: 'v6', n: -60 }, { id: 7, v: 'G', n: 7 },
      ]))

      const local = await target()
      const here = await allClauses(local.table, source())
      expect(sortRows(await rowsOf(local.table))).toEqual(expected)

      const remote = await target()
      const worker = await openWorker(remote.storage)
      try {
        const there = await allClauses(worker, source())
        expect(worker.version).toBe(2)
        expect(timeless(there)).toEqual(timeless(here))
        expect(sortRows(await rowsOf(worker))).toEqual(expected)
        expect((await worker.history(1))[0]).toMatchObject({ version: 2, operation: 'MERGE' })
      } finally {
        await worker.close()
      }
      expect(sortRows(await rowsOf(await reopen(remote.storage)))).toEqual(sortRows(await rowsOf(await reopen(local.storage))))
    })
  }

  it('carries a refusal back from the worker with its code, leaving the table alone', async () => {
    const { storage } = await target()
    const before = storage.paths()
    const worker = await openWorker(storage)
    try {
      const e = await rejection(allClauses(worker, arrow([{ id: 2, v: 'x', n: 1 }, { id: 2, v: 'y', n: 2 }])))
      expect(e.code).toBe('InvalidArgument')
      expect(e.message).toContain('multiple source rows')
      expect(worker.version).toBe(1)
      expect(storage.paths()).toEqual(before)
    } finally {
      await worker.close()
    }
  })
})
