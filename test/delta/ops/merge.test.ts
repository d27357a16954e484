// The semantics of MERGE, as Spark defines them: which clause takes which row, how NULL keys and
// repeated keys behave, and how names resolve. Each case states its expected rows through the
// reference merge of merge-reference.ts (plain JS over the same rows), never through the library.
import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import type { MergeBuilder } from '../../../src/delta/ops/merge/builder.js'
import type { MergeResult } from '../../../src/delta/ops/merge/clauses.js'
import { commitInfo, plainRowsOf, reopen, rejection, rowsOf, tableOf } from './merge-helpers.js'
import { eq, referenceMerge, sortRows, type RefClause, type RefResult, type Row } from './merge-reference.js'

// A type, not an interface, so that it is a Row (an interface has no index signature).
type Person = {
  id: number | null
  v: string | null
  n: number | null
}

/** Rows of (id long, v string, n long). */
function people(rows: readonly Person[]): Table {
  return new Table({
    id: vectorFromArray(rows.map((r) => (r.id === null ? null : BigInt(r.id))), new Int64()),
    v: vectorFromArray(rows.map((r) => r.v), new Utf8()),
    n: vectorFromArray(rows.map((r) => (r.n === null ? null : BigInt(r.n))), new Int64()),
  })
}

const TARGET: Person[] = [
  { id: 1, v: 'a', n: 10 },
  { id: 2, v: 'b', n: 20 },
  { id: 3, v: 'c', n: 30 },
  { id: 4, v: 'd', n: 40 },
  { id: 5, v: 'e', n: 50 },
  { id: 6, v: 'f', n: 60 },
]

const SOURCE: Person[] = [
  { id: 2, v: 'B', n: 5 },
  { id: 4, v: 'D', n: -7 },
  { id: 5, v: 'E', n: 100 },
  { id: 7, v: 'G', n: 70 },
  { id: 8, v: 'H', n: -80 },
]

const byId = (t: Row, s: Row) => eq(t.id, s.id)

/** The target of one file (so that copied rows are every untouched row of it, copy-on-write). */
async function target(rows: readonly Person[] = TARGET) {
  return tableOf([people(rows)])
}

/**
 * The result's counts against the reference's, for a target held in one file without deletion
 * vectors: the file is rewritten when any of its rows changes, its other rows copied.
 */
function expectCounts(result: MergeResult, ref: RefResult, targetRows: number, sourceRows: number): void {
  const updated = ref.matchedUpdated + ref.bySourceUpdated
  const copied = ref.touched.size > 0 ? targetRows - ref.touched.size : 0
  expect(result).toMatchObject({
    numSourceRows: sourceRows,
    numTargetRowsInserted: ref.inserted,
    numTargetRowsUpdated: updated,
    numTargetRowsDeleted: ref.matchedDeleted + ref.bySourceDeleted,
    numTargetRowsCopied: copied,
    numOutputRows: ref.inserted + updated + copied,
    numTargetFilesRemoved: ref.touched.size > 0 ? 1 : 0,
  })
}

describe('merge: each clause alone', () => {
  const cases: { name: string; build: (b: MergeBuilder) => unknown; ref: RefClause[] }[] = [
    {
      name: 'whenMatchedUpdate',
      build: (b) => b.whenMatchedUpdate({ v: 's.v', n: 't.n + s.n' }),
      ref: [{ group: 'matched', action: 'update', set: (t, s) => ({ v: s!.v, n: (t!.n as number) + (s!.n as number) }) }],
    },
    {
      name: 'whenMatchedUpdateAll',
      build: (b) => b.whenMatchedUpdateAll(),
      ref: [{ group: 'matched', action: 'update', set: (_t, s) => ({ ...s! }) }],
    },
    {
      name: 'whenMatchedDelete',
      build: (b) => b.whenMatchedDelete(),
      ref: [{ group: 'matched', action: 'delete' }],
    },
    {
      name: 'whenNotMatchedInsert',
      build: (b) => b.whenNotMatchedInsert({ id: 's.id', v: "concat('new-', s.v)" }),
      ref: [{ group: 'notMatched', action: 'insert', set: (_t, s) => ({ id: s!.id, v: `new-${s!.v}`, n: null }) }],
    },
    {
      name: 'whenNotMatchedInsertAll',
      build: (b) => b.whenNotMatchedInsertAll(),
      ref: [{ group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) }],
    },
    {
      name: 'whenNotMatchedBySourceUpdate',
      build: (b) => b.whenNotMatchedBySourceUpdate({ v: "'orphan'", n: 't.n * 2' }),
      ref: [{ group: 'notMatchedBySource', action: 'update', set: (t) => ({ v: 'orphan', n: (t!.n as number) * 2 }) }],
    },
    {
      name: 'whenNotMatchedBySourceDelete',
      build: (b) => b.whenNotMatchedBySourceDelete(),
      ref: [{ group: 'notMatchedBySource', action: 'delete' }],
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const { table, storage } = await target()
      const ref = referenceMerge(TARGET, SOURCE, byId, c.ref)
      const builder = table.merge(people(SOURCE), { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
      c.build(builder)
      const result = await builder.execute()
      expect(result.version).toBe(1)
      expectCounts(result, ref, TARGET.length, SOURCE.length)
      expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
      expect(sortRows(await rowsOf(await reopen(storage)))).toEqual(sortRows(ref.rows))
    })
  }
})

describe('merge: clause order and groups', () => {
  it('gives a matched row to the first clause whose condition holds, the later ones only what is left', async () => {
    const { table } = await target()
    // n > 0 holds for ids 2 and 5, n > 50 only for 5: the first clause takes both; the
    // unconditional third clause takes id 4 (n -7), which neither condition holds for.
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'update', when: (_t, s) => (s!.n as number) > 0, set: () => ({ v: 'first' }) },
      { group: 'matched', action: 'update', when: (_t, s) => (s!.n as number) > 50, set: () => ({ v: 'second' }) },
      { group: 'matched', action: 'update', set: () => ({ v: 'third' }) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: "'first'" }, { predicate: 'source.n > 0' })
      .whenMatchedUpdate({ v: "'second'" }, { predicate: 'source.n > 50' })
      .whenMatchedUpdate({ v: "'third'" })
      .execute()
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    const rows = await rowsOf(table)
    expect(sortRows(rows)).toEqual(sortRows(ref.rows))
    expect(rows.filter((r) => r.v === 'second')).toEqual([])
    expect(rows.filter((r) => r.v === 'first').map((r) => r.id).sort()).toEqual([2, 5])
  })

  it('a delete before an update takes the rows its condition holds for', async () => {
    const { table } = await target()
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'delete', when: (_t, s) => (s!.n as number) < 10 },
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 'target.id = source.id' })
      .whenMatchedDelete({ predicate: 'source.n < 10' })
      .whenMatchedUpdate({ v: 'source.v' })
      .execute()
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
  })

  it('runs delete, update, insert, by-source update and by-source delete in one merge', async () => {
    const { table, storage } = await target()
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'delete', when: (_t, s) => (s!.n as number) < 0 },
      { group: 'matched', action: 'update', set: (t, s) => ({ v: s!.v, n: (t!.n as number) + (s!.n as number) }) },
      { group: 'notMatched', action: 'insert', when: (_t, s) => (s!.n as number) > 0, set: (_t, s) => ({ id: s!.id, v: s!.v, n: s!.n }) },
      { group: 'notMatchedBySource', action: 'delete', when: (t) => (t!.id as number) <= 1 },
      { group: 'notMatchedBySource', action: 'update', when: (t) => (t!.id as number) >= 6, set: (t) => ({ v: `${t!.v}-stale` }) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 't.id = s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedDelete({ predicate: 's.n < 0' })
      .whenMatchedUpdate({ v: 's.v', n: 't.n + s.n' })
      .whenNotMatchedInsertAll({ predicate: 's.n > 0' })
      .whenNotMatchedBySourceDelete({ predicate: 't.id <= 1' })
      .whenNotMatchedBySourceUpdate({ v: "concat(t.v, '-stale')" }, { predicate: 't.id >= 6' })
      .execute()
    // Worked out by hand too: 4 deleted (s.n -7), 2 and 5 updated, 7 inserted (8 has n < 0),
    // 1 deleted (no source row), 6 marked stale, 3 untouched.
    expect(sortRows(ref.rows)).toEqual(sortRows([
      { id: 2, v: 'B', n: 25 }, { id: 3, v: 'c', n: 30 }, { id: 5, v: 'E', n: 150 }, { id: 6, v: 'f-stale', n: 60 }, { id: 7, v: 'G', n: 70 },
    ]))
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    const info = await commitInfo(storage, result.version)
    expect(info.operation).toBe('MERGE')
    expect(info.operationMetrics).toMatchObject({
      numTargetRowsMatchedUpdated: 2, numTargetRowsMatchedDeleted: 1,
      numTargetRowsNotMatchedBySourceUpdated: 1, numTargetRowsNotMatchedBySourceDeleted: 1,
      numTargetRowsInserted: 1, numSourceRows: 5,
    })
  })

  it('reads both sides in clause conditions', async () => {
    const { table } = await target()
    // Update where the source's n exceeds the target's, delete where it is below half of it.
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'update', when: (t, s) => (s!.n as number) > (t!.n as number), set: (t, s) => ({ n: s!.n, v: `${t!.v}${s!.v}` }) },
      { group: 'matched', action: 'delete', when: (t, s) => (s!.n as number) * 2 < (t!.n as number) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ n: 'source.n', v: 'target.v || source.v' }, { predicate: 'source.n > target.n' })
      .whenMatchedDelete({ predicate: 'source.n * 2 < target.n' })
      .execute()
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    expect(ref.matchedUpdated).toBe(1)
    expect(ref.matchedDeleted).toBe(2)
  })
})

describe('merge: keys', () => {
  it('never matches a NULL key: a NULL-key source row is inserted, a NULL-key target row is not matched by source', async () => {
    const targetRows: Person[] = [...TARGET.slice(0, 3), { id: null, v: 'nullT', n: 0 }]
    const sourceRows: Person[] = [{ id: 1, v: 'A', n: 1 }, { id: null, v: 'nullS', n: 2 }]
    const { table } = await target(targetRows)
    const ref = referenceMerge(targetRows, sourceRows, byId, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
      { group: 'notMatchedBySource', action: 'update', set: (t) => ({ n: (t!.n as number) - 1 }) },
    ])
    const result = await table.merge(people(sourceRows), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceUpdate({ n: 'target.n - 1' })
      .execute()
    expectCounts(result, ref, targetRows.length, sourceRows.length)
    const rows = await rowsOf(table)
    expect(sortRows(rows)).toEqual(sortRows(ref.rows))
    expect(rows.filter((r) => r.id === null)).toEqual(expect.arrayContaining([{ id: null, v: 'nullS', n: 2 }, { id: null, v: 'nullT', n: -1 }]))
    expect(rows).toHaveLength(5)
  })

  it('matches NULL keys with the null-safe <=>', async () => {
    const targetRows: Person[] = [{ id: 1, v: 'a', n: 1 }, { id: null, v: 'nullT', n: 0 }]
    const sourceRows: Person[] = [{ id: null, v: 'nullS', n: 2 }, { id: 3, v: 'c', n: 3 }]
    const { table } = await target(targetRows)
    // <=> is TRUE for two NULLs, FALSE for NULL and a value.
    const same = (a: unknown, b: unknown) => (a === null && b === null) || eq(a, b)
    const ref = referenceMerge(targetRows, sourceRows, (t, s) => same(t.id, s.id), [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
    ])
    const result = await table.merge(people(sourceRows), { predicate: 'target.id <=> source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expectCounts(result, ref, targetRows.length, sourceRows.length)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    expect(ref.matchedUpdated).toBe(1)
  })

  it('may update the join key itself', async () => {
    const { table } = await target()
    const ref = referenceMerge(TARGET, SOURCE, byId, [{ group: 'matched', action: 'update', set: (t) => ({ id: (t!.id as number) * 100 }) }])
    await table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ id: 'target.id * 100' }).execute()
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
  })

  it('refuses two source rows matching one target row, and leaves the table as it was', async () => {
    const { table, storage } = await target()
    const before = storage.paths()
    const e = await rejection(table.merge(people([{ id: 3, v: 'x', n: 1 }, { id: 3, v: 'y', n: 2 }, { id: 9, v: 'z', n: 3 }]), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsertAll()
      .execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain('multiple source rows')
    expect(table.version).toBe(0)
    expect((await reopen(storage)).version).toBe(0)
    expect(storage.paths()).toEqual(before)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(TARGET))
  })

  it('inserts each of two equal source rows that match nothing', async () => {
    const { table } = await target()
    const sourceRows: Person[] = [{ id: 9, v: 'dup', n: 1 }, { id: 9, v: 'dup', n: 1 }, { id: 2, v: 'B', n: 2 }]
    const ref = referenceMerge(TARGET, sourceRows, byId, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
    ])
    const result = await table.merge(people(sourceRows), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expect(ref.inserted).toBe(2)
    expectCounts(result, ref, TARGET.length, sourceRows.length)
    const rows = await rowsOf(table)
    expect(sortRows(rows)).toEqual(sortRows(ref.rows))
    expect(rows.filter((r) => r.id === 9)).toHaveLength(2)
  })

  it('joins on a composite key', async () => {
    const t = new Table({
      a: vectorFromArray([1, 1, 2, 2], new Int32()),
      b: vectorFromArray(['x', 'y', 'x', 'y'], new Utf8()),
      v: vectorFromArray([10n, 20n, 30n, 40n], new Int64()),
    })
    const s = new Table({
      a: vectorFromArray([1, 2, 3], new Int32()),
      b: vectorFromArray(['y', 'x', 'x'], new Utf8()),
      v: vectorFromArray([200n, 300n, 500n], new Int64()),
    })
    const { table } = await tableOf([t])
    const targetRows = plainRowsOf(t)
    const sourceRows = plainRowsOf(s)
    const ref = referenceMerge(targetRows, sourceRows, (tr, sr) => eq(tr.a, sr.a) && eq(tr.b, sr.b), [
      { group: 'matched', action: 'update', set: (_t, sr) => ({ v: sr!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, sr) => ({ ...sr! }) },
    ])
    const result = await table.merge(s, { predicate: 't.a = s.a AND t.b = s.b', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedUpdate({ v: 's.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expectCounts(result, ref, 4, 3)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    // (1, x) and (2, y) keep their values: a match on one key part is no match.
    expect(ref.rows).toEqual(expect.arrayContaining([{ a: 1, b: 'x', v: 10 }, { a: 2, b: 'y', v: 40 }]))
  })

  it('takes a non-equality conjunct of the predicate as part of the match', async () => {
    const { table } = await target()
    // Source rows 4 and 8 have n <= 0: 4 matches no target row, so it is inserted beside the old 4.
    const on = (t: Row, s: Row) => eq(t.id, s.id) && (s.n as number) > 0
    const ref = referenceMerge(TARGET, SOURCE, on, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 't.id = s.id AND s.n > 0', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedUpdate({ v: 's.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    const rows = await rowsOf(table)
    expect(sortRows(rows)).toEqual(sortRows(ref.rows))
    expect(rows.filter((r) => r.id === 4)).toHaveLength(2)
  })

  it('joins on a predicate with no equality (t.id < s.id) on small data', async () => {
    const { table } = await target()
    // One source row (id 3): target rows 1 and 2 are below it, so they match it; the others not.
    const sourceRows: Person[] = [{ id: 3, v: 'lt', n: 0 }]
    const on = (t: Row, s: Row) => (t.id as number) < (s.id as number)
    const ref = referenceMerge(TARGET, sourceRows, on, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
      { group: 'notMatchedBySource', action: 'update', set: () => ({ n: 0 }) },
    ])
    const result = await table.merge(people(sourceRows), { predicate: 't.id < s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedUpdate({ v: 's.v' })
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceUpdate({ n: '0' })
      .execute()
    expect(ref.matchedUpdated).toBe(2)
    expectCounts(result, ref, TARGET.length, 1)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))

    // A source row below every target row matches nothing and is inserted.
    const again = await table.merge(people([{ id: 0, v: 'low', n: 0 }]), { predicate: 't.id < s.id', targetAlias: 't', sourceAlias: 's' })
      .whenMatchedUpdate({ v: 's.v' })
      .whenNotMatchedInsertAll()
      .execute()
    expect(again).toMatchObject({ numTargetRowsInserted: 1, numTargetRowsUpdated: 0 })
    expect((await rowsOf(table)).filter((r) => r.v === 'low')).toEqual([{ id: 0, v: 'low', n: 0 }])
  })

  it('a predicate with no equality matching one target row twice is refused', async () => {
    const { table } = await target()
    const e = await rejection(table.merge(people([{ id: 3, v: 'x', n: 0 }, { id: 4, v: 'y', n: 0 }]), { predicate: 'target.id < source.id' })
      .whenMatchedDelete()
      .execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain('multiple source rows')
    expect(table.version).toBe(0)
  })

  it('matches an int target column with a long source column', async () => {
    const t = new Table({ id: vectorFromArray([1, 2, 3], new Int32()), v: vectorFromArray(['a', 'b', 'c'], new Utf8()) })
    const s = new Table({ id: vectorFromArray([2n, 3n, 4n], new Int64()), v: vectorFromArray(['B', 'C', 'D'], new Utf8()) })
    const { table } = await tableOf([t])
    const ref = referenceMerge(plainRowsOf(t), plainRowsOf(s), byId, [
      { group: 'matched', action: 'update', set: (_t, sr) => ({ v: sr!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, sr) => ({ id: sr!.id, v: sr!.v }) },
    ])
    const result = await table.merge(s, { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .whenNotMatchedInsert({ id: 'source.id', v: 'source.v' })
      .execute()
    expect(result).toMatchObject({ numTargetRowsUpdated: 2, numTargetRowsInserted: 1 })
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    expect(table.schema().fields.find((f) => f.name === 'id')!.type).toBe('integer')
  })
})

describe('merge: updateAll and insertAll', () => {
  it('leave out the columns named in except', async () => {
    const { table } = await target()
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ id: s!.id, v: s!.v, n: null }) },
    ])
    const result = await table.merge(people(SOURCE), { predicate: 'target.id = source.id' })
      .whenMatchedUpdateAll({ except: ['n'] })
      .whenNotMatchedInsertAll({ except: ['N'] })
      .execute()
    expectCounts(result, ref, TARGET.length, SOURCE.length)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
  })

  it('refuses an except naming a column the table does not have', async () => {
    const { table } = await target()
    const e = await rejection(table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdateAll({ except: ['nope'] }).execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain('nope')
  })
})

describe('merge: names', () => {
  /** A source whose columns the target does not have, so they may be written bare. */
  const keyed = () => new Table({
    key: vectorFromArray([2n, 9n], new Int64()),
    val: vectorFromArray(['two', 'nine'], new Utf8()),
  })
  const refKeyed = (): RefResult => referenceMerge(TARGET, plainRowsOf(keyed()), (t, s) => eq(t.id, s.key), [
    { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.val }) },
    { group: 'notMatched', action: 'insert', set: (_t, s) => ({ id: s!.key, v: s!.val, n: null }) },
    { group: 'notMatchedBySource', action: 'update', when: (t) => (t!.n as number) > 50, set: (t) => ({ n: (t!.n as number) + 1 }) },
  ])

  it('resolves bare names that only one side has', async () => {
    const { table } = await target()
    const result = await table.merge(keyed(), { predicate: 'id = key' })
      .whenMatchedUpdate({ v: 'val' }, { predicate: 'key > 0 AND n > 0' })
      .whenNotMatchedInsert({ id: 'key', v: 'val' })
      .whenNotMatchedBySourceUpdate({ n: 'n + 1' }, { predicate: 'n > 50' })
      .execute()
    const ref = refKeyed()
    expectCounts(result, ref, TARGET.length, 2)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
  })

  it('gives the same result with qualified names, under the default aliases and custom ones', async () => {
    const ref = refKeyed()
    for (const [t, s, opts] of [['target', 'source', {}], ['old', 'new', { targetAlias: 'old', sourceAlias: 'new' }]] as const) {
      const { table } = await target()
      await table.merge(keyed(), { predicate: `${t}.id = ${s}.key`, ...opts })
        .whenMatchedUpdate({ v: `${s}.val` }, { predicate: `${s}.key > 0 AND ${t}.n > 0` })
        .whenNotMatchedInsert({ id: `${s}.key`, v: `${s}.val` })
        .whenNotMatchedBySourceUpdate({ n: `${t}.n + 1` }, { predicate: `${t}.n > 50` })
        .execute()
      expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
    }
  })

  it('resolves names and aliases case-insensitively', async () => {
    const { table } = await target()
    const ref = referenceMerge(TARGET, SOURCE, byId, [
      { group: 'matched', action: 'update', set: (_t, s) => ({ v: s!.v, n: s!.n }) },
      { group: 'notMatched', action: 'insert', set: (_t, s) => ({ ...s! }) },
    ])
    const upper = new Table({ N: people(SOURCE).getChild('n')!, V: people(SOURCE).getChild('v')!, ID: people(SOURCE).getChild('id')! })
    await table.merge(upper, { predicate: 'T.Id = s.ID', targetAlias: 't', sourceAlias: 'S' })
      .whenMatchedUpdate({ V: 'S.v', n: 's.N' })
      .whenNotMatchedInsertAll()
      .execute()
    expect(table.schema().fields.map((f) => f.name)).toEqual(['id', 'v', 'n'])
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(ref.rows))
  })

  it('refuses a bare name both sides have in the predicate or a condition, naming it', async () => {
    const { table } = await target()
    for (const build of [
      () => table.merge(people(SOURCE), { predicate: 'id = source.id' }).whenMatchedDelete(),
      () => table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedDelete({ predicate: 'n > 0' }),
    ]) {
      const e = await rejection(build().execute())
      expect(e.code).toBe('InvalidArgument')
      expect(e.message).toMatch(/ambiguous/)
      expect(e.message).toMatch(/'(id|n)'/)
    }
    expect(table.version).toBe(0)
  })

  it('refuses a bare name both sides have in an update value as ambiguous', async () => {
    const { table } = await target()
    const e = await rejection(table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ v: 'v' }).execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toMatch(/ambiguous/)
    expect(e.message).toContain("'v'")
  })

  it('an ambiguous bare name in an update value is at least InvalidArgument naming it', async () => {
    const { table } = await target()
    const e = await rejection(table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ v: 'v' }).execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain("'v'")
    expect(table.version).toBe(0)
  })

  it('refuses unknown columns, in the predicate, a condition, a value, or as the column set', async () => {
    const { table, storage } = await target()
    const before = storage.paths()
    const cases: [() => Promise<unknown>, string][] = [
      [() => table.merge(people(SOURCE), { predicate: 'target.id = source.nope' }).whenMatchedDelete().execute(), 'nope'],
      [() => table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedDelete({ predicate: 'target.zz > 1' }).execute(), 'zz'],
      [() => table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ v: 'source.missing' }).execute(), 'missing'],
      [() => table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ nosuch: 'source.v' }).execute(), 'nosuch'],
      [() => table.merge(people(SOURCE), { predicate: 'target.id = source.id' }).whenNotMatchedInsert({ id: 'target.id' }).execute(), 'target.id'],
    ]
    for (const [run, name] of cases) {
      const e = await rejection(run())
      expect(e.code).toBe('InvalidArgument')
      expect(e.message).toContain(name)
    }
    expect(storage.paths()).toEqual(before)
    expect(table.version).toBe(0)
  })
})
