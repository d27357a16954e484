// A merge's new and changed rows keep every table rule (CHECK constraints, NOT NULL, generated
// and identity columns), a refused merge leaves no file behind, and the source's schema is
// taken in (mergeSchema) or refused (errorOnTypeMismatch) as asked. Expected rows are written
// out by hand from the rows each case writes.
import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import type { StructField, StructType } from '../../../src/delta/model/schema.js'
import { DeltaTable } from '../../../src/api/delta-table.js'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import { FailingStorage } from '../../../src/storage/failing.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { createdTable, parquetCodec, rejection, reopen, rowsOf, tableOf, URI } from './merge-helpers.js'
import { sortRows } from './merge-reference.js'

const longs = (xs: readonly (number | null)[]) => vectorFromArray(xs.map((x) => (x === null ? null : BigInt(x))), new Int64())
const strings = (xs: readonly (string | null)[]) => vectorFromArray(xs, new Utf8())
const field = (name: string, type: StructField['type'], nullable = true, metadata: Record<string, unknown> = {}): StructField => ({ name, type, nullable, metadata })
const struct = (...fields: StructField[]): StructType => ({ type: 'struct', fields })

/** Everything stored under the table folder, listed through the storage (the log folder too). */
async function listing(storage: MemoryStorage): Promise<string[]> {
  const top = (await storage.list('')).map((f) => f.path)
  const log = (await storage.list('_delta_log')).map((f) => f.path)
  return [...top, ...log, ...storage.paths()].sort()
}

describe('merge keeps CHECK constraints and NOT NULL', () => {
  /** id 1..9 in three files of three rows, n = 10 * id, CHECK n >= 0, change data feed on. */
  async function checked() {
    const files = [[1, 2, 3], [4, 5, 6], [7, 8, 9]].map((ids) => new Table({ id: longs(ids), n: longs(ids.map((i) => i * 10)), v: strings(ids.map((i) => `v${i}`)) }))
    const { table, storage } = await tableOf(files, { configuration: { 'delta.enableChangeDataFeed': 'true' } })
    await table.addConstraint({ nonneg: 'n >= 0' })
    return { table, storage }
  }
  const all = Array.from({ length: 9 }, (_, i) => ({ id: i + 1, n: (i + 1) * 10, v: `v${i + 1}` }))

  it('refuses an update that breaks a CHECK constraint, writing nothing', async () => {
    const { table, storage } = await checked()
    const before = await listing(storage)
    // Rows 2 and 5 are fine; row 8 (in the last file) goes negative.
    const source = new Table({ id: longs([2, 5, 8]), n: longs([1, 2, -3]) })
    const e = await rejection(table.merge(source, { predicate: 'target.id = source.id' }).whenMatchedUpdate({ n: 'source.n' }).execute())
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain('nonneg')
    expect(await listing(storage)).toEqual(before)
    expect(table.version).toBe(3)
    expect((await reopen(storage)).version).toBe(3)
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(all))
  })

  it('refuses an insert that breaks a CHECK constraint after updates were written, leaving no file behind', async () => {
    const { table, storage } = await checked()
    const before = await listing(storage)
    const source = new Table({ id: longs([1, 4, 7, 20]), n: longs([11, 41, 71, -1]) })
    const e = await rejection(table.merge(source, { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ n: 'source.n' })
      .whenNotMatchedInsert({ id: 'source.id', n: 'source.n', v: "'new'" })
      .execute())
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain('nonneg')
    expect(await listing(storage)).toEqual(before)
    expect((await reopen(storage)).version).toBe(3)
    expect(sortRows(await rowsOf(await reopen(storage)))).toEqual(sortRows(all))
  })

  it('refuses a by-source update that breaks a CHECK constraint', async () => {
    const { table, storage } = await checked()
    const before = await listing(storage)
    const e = await rejection(table.merge(new Table({ id: longs([1]), n: longs([0]) }), { predicate: 'target.id = source.id' })
      .whenMatchedDelete()
      .whenNotMatchedBySourceUpdate({ n: 'target.n - 85' })
      .execute())
    expect(e.code).toBe('ConstraintViolation')
    expect(await listing(storage)).toEqual(before)
  })

  it('deletes what it wrote when writing fails part way, leaving no file behind', async () => {
    // Updates in three partitions write three data files (and change data files) at the end;
    // the second write fails, after the first landed.
    const memory = new MemoryStorage()
    const parquet = await parquetCodec()
    const data = new Table({ id: longs([1, 2, 3, 4, 5, 6]), p: strings(['a', 'b', 'c', 'a', 'b', 'c']) })
    await writeDeltaLake(URI, data, { storage: memory, parquet, partitionBy: ['p'], configuration: { 'delta.enableChangeDataFeed': 'true' } })
    const before = await listing(memory)
    const failing = new FailingStorage(memory, { ops: ['put'], failAt: 2 })
    const table = await DeltaTable.open(URI, { storage: failing, parquet })
    const source = new Table({ id: longs([1, 2, 3]), p: strings(['a', 'b', 'c']) })
    const e = await rejection(table.merge(source, { predicate: 'target.id = source.id' }).whenMatchedUpdate({ id: 'target.id + 100' }).execute())
    expect(e.message).toContain('injected failure')
    expect(failing.failures).toBe(1)
    expect(await listing(memory)).toEqual(before)
    expect(table.version).toBe(0)
  })

  it('lets rows that keep the constraint through', async () => {
    const { table } = await checked()
    const r = await table.merge(new Table({ id: longs([3, 10]), n: longs([0, 100]) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ n: 'source.n' })
      .whenNotMatchedInsert({ id: 'source.id', n: 'source.n' })
      .execute()
    expect(r).toMatchObject({ version: 4, numTargetRowsUpdated: 1, numTargetRowsInserted: 1 })
    const expected = all.map((row) => (row.id === 3 ? { ...row, n: 0 } : row)).concat([{ id: 10, n: 100, v: null as unknown as string }])
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
  })

  /** A table of (id, v), both NOT NULL, with rows (1, a) and (2, b). */
  async function notNull() {
    const { table, storage } = await createdTable({ schema: struct(field('id', 'long', false), field('v', 'string', false)) })
    await table.write(new Table({ id: longs([1, 2]), v: strings(['a', 'b']) }), { mode: 'append' })
    return { table, storage }
  }

  it('refuses NULL in a NOT NULL column, on update and on insert', async () => {
    const { table, storage } = await notNull()
    const before = await listing(storage)
    const update = await rejection(table.merge(new Table({ id: longs([1]), v: strings([null]) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ v: 'source.v' })
      .execute())
    expect(update.code).toBe('ConstraintViolation')
    expect(update.message).toContain("'v'")
    const insert = await rejection(table.merge(new Table({ id: longs([3]), v: strings([null]) }), { predicate: 'target.id = source.id' })
      .whenNotMatchedInsertAll()
      .execute())
    expect(insert.code).toBe('ConstraintViolation')
    expect(insert.message).toContain("'v'")
    const bySource = await rejection(table.merge(new Table({ id: longs([1]), v: strings(['x']) }), { predicate: 'target.id = source.id' })
      .whenNotMatchedBySourceUpdate({ v: 'NULL' })
      .execute())
    expect(bySource.code).toBe('ConstraintViolation')
    expect(await listing(storage)).toEqual(before)
    expect(sortRows(await rowsOf(table))).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }])
  })

  it('refuses an insert clause that leaves a NOT NULL column unset, writing nothing', async () => {
    const { table, storage } = await notNull()
    const before = await listing(storage)
    const e = await rejection(table.merge(new Table({ id: longs([3]), v: strings(['c']) }), { predicate: 'target.id = source.id' })
      .whenNotMatchedInsert({ id: 'source.id' })
      .execute())
    expect(e.message).toContain('v')
    expect(await listing(storage)).toEqual(before)
    expect(table.version).toBe(1)
  })

  // Spark fills an unset column with NULL, so a NOT NULL one left unset is a constraint violation.
  it('refuses an insert clause that leaves a NOT NULL column unset as ConstraintViolation', async () => {
    const { table } = await notNull()
    const e = await rejection(table.merge(new Table({ id: longs([3]), v: strings(['c']) }), { predicate: 'target.id = source.id' })
      .whenNotMatchedInsert({ id: 'source.id' })
      .execute())
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("'v'")
  })
})

describe('merge computes generated and identity columns', () => {
  it('recomputes a generated column on update and computes it on insert', async () => {
    const schema = struct(field('id', 'long'), field('n', 'long'), field('g', 'long', true, { 'delta.generationExpression': 'n * 2 + id' }))
    const { table } = await createdTable({ schema })
    await table.write(new Table({ id: longs([1, 2, 3]), n: longs([10, 20, 30]) }), { mode: 'append' })
    expect(sortRows(await rowsOf(table))).toEqual(sortRows([{ id: 1, n: 10, g: 21 }, { id: 2, n: 20, g: 42 }, { id: 3, n: 30, g: 63 }]))
    await table.merge(new Table({ id: longs([2, 4, 5]), n: longs([7, 8, 9]) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdate({ n: 'source.n + target.n' })
      .whenNotMatchedInsert({ id: 'source.id', n: 'source.n' }, { predicate: 'source.id = 4' })
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceUpdate({ n: '0' }, { predicate: 'target.id = 3' })
      .execute()
    // id 2: n 27, g 56; id 3: n 0, g 3; id 4 and 5 inserted with g = 2n + id.
    expect(sortRows(await rowsOf(table))).toEqual(sortRows([
      { id: 1, n: 10, g: 21 }, { id: 2, n: 27, g: 56 }, { id: 3, n: 0, g: 3 }, { id: 4, n: 8, g: 20 }, { id: 5, n: 9, g: 23 },
    ]))
  })

  it('refuses setting a generated column', async () => {
    const schema = struct(field('id', 'long'), field('n', 'long'), field('g', 'long', true, { 'delta.generationExpression': 'n * 2' }))
    const { table } = await createdTable({ schema })
    await table.write(new Table({ id: longs([1]), n: longs([1]) }), { mode: 'append' })
    const e = await rejection(table.merge(new Table({ id: longs([1]) }), { predicate: 'target.id = source.id' }).whenMatchedUpdate({ g: '5' }).execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain("'g'")
  })

  it('gives inserted rows fresh identity values, keeps those of updated rows, and moves the high-water mark', async () => {
    const identity = { 'delta.identity.start': 100, 'delta.identity.step': 10, 'delta.identity.allowExplicitInsert': false }
    const schema = struct(field('id', 'long', false, identity), field('k', 'string'), field('v', 'string'))
    const { table, storage } = await createdTable({ schema })
    await table.write(new Table({ k: strings(['a', 'b', 'c']), v: strings(['1', '2', '3']) }), { mode: 'append' })
    const hwm = () => Number(table.schema().fields[0]!.metadata['delta.identity.highWaterMark'])
    const initial = sortRows(await rowsOf(table))
    expect(initial.map((r) => r.id)).toEqual([100, 110, 120])
    expect(hwm()).toBe(120)
    const idOf = new Map(initial.map((r) => [r.k, r.id]))

    const r = await table.merge(new Table({ k: strings(['b', 'x', 'y']), v: strings(['B', 'X', 'Y']) }), { predicate: 'target.k = source.k' })
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ numTargetRowsUpdated: 1, numTargetRowsInserted: 2 })
    const rows = await rowsOf(table)
    expect(rows.find((row) => row.k === 'b')).toEqual({ id: idOf.get('b'), k: 'b', v: 'B' })
    const fresh = rows.filter((row) => row.k === 'x' || row.k === 'y').map((row) => row.id as number).sort((a, b) => a - b)
    expect(fresh).toEqual([130, 140])
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length)
    expect(hwm()).toBe(140)
    // The mark is in the committed schema, not only in this object.
    expect(Number((await reopen(storage)).schema().fields[0]!.metadata['delta.identity.highWaterMark'])).toBe(140)

    // A later insert continues after the mark.
    await table.merge(new Table({ k: strings(['z']), v: strings(['Z']) }), { predicate: 'target.k = source.k' }).whenNotMatchedInsertAll().execute()
    expect((await rowsOf(table)).find((row) => row.k === 'z')!.id).toBe(150)
  })

  it('refuses updating an identity column', async () => {
    const schema = struct(field('id', 'long', false, { 'delta.identity.start': 1, 'delta.identity.step': 1, 'delta.identity.allowExplicitInsert': false }), field('k', 'string'))
    const { table } = await createdTable({ schema })
    await table.write(new Table({ k: strings(['a']) }), { mode: 'append' })
    const e = await rejection(table.merge(new Table({ k: strings(['a']) }), { predicate: 'target.k = source.k' }).whenMatchedUpdate({ id: '7' }).execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain("'id'")
  })
})

describe('merge and the source schema', () => {
  const base = () => tableOf([new Table({ id: longs([1, 2, 3]), v: strings(['a', 'b', 'c']) })])
  const wider = () => new Table({ id: longs([2, 4]), v: strings(['B', 'D']), extra: strings(['x2', 'x4']) })

  it('adds a new source column with mergeSchema; old rows read NULL in it', async () => {
    const { table, storage } = await base()
    const r = await table.merge(wider(), { predicate: 'target.id = source.id', mergeSchema: true })
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute()
    expect(r).toMatchObject({ version: 1, numTargetRowsUpdated: 1, numTargetRowsInserted: 1 })
    expect(table.schema().fields.map((f) => [f.name, f.type, f.nullable])).toEqual([['id', 'long', true], ['v', 'string', true], ['extra', 'string', true]])
    const expected = [
      { id: 1, v: 'a', extra: null }, { id: 2, v: 'B', extra: 'x2' }, { id: 3, v: 'c', extra: null }, { id: 4, v: 'D', extra: 'x4' },
    ]
    expect(sortRows(await rowsOf(table))).toEqual(sortRows(expected))
    expect(sortRows(await rowsOf(await reopen(storage)))).toEqual(sortRows(expected))
  })

  it('refuses insertAll with a source column the table lacks without mergeSchema, naming it', async () => {
    const { table, storage } = await base()
    const before = storage.paths()
    const e = await rejection(table.merge(wider(), { predicate: 'target.id = source.id' }).whenNotMatchedInsertAll().execute())
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain("'extra'")
    expect(storage.paths()).toEqual(before)
    expect(table.schema().fields.map((f) => f.name)).toEqual(['id', 'v'])
  })

  describe('a string source column into a long table column by updateAll', () => {
    const numbers = () => tableOf([new Table({ id: longs([1, 2, 3]), n: longs([10, 20, 30]) })])

    it('is refused by default (SchemaMismatch)', async () => {
      const { table, storage } = await numbers()
      const before = storage.paths()
      const e = await rejection(table.merge(new Table({ id: longs([2]), n: strings(['25']) }), { predicate: 'target.id = source.id' }).whenMatchedUpdateAll().execute())
      expect(e.code).toBe('SchemaMismatch')
      expect(e.message).toContain("'n'")
      expect(storage.paths()).toEqual(before)
    })

    // errorOnTypeMismatch: false casts a string source column into a long one, as delta-rs does.
    it('is stored with errorOnTypeMismatch: false when the strings are numbers', async () => {
      const { table } = await numbers()
      await table.merge(new Table({ id: longs([2, 4]), n: strings(['25', '-4']) }), { predicate: 'target.id = source.id', errorOnTypeMismatch: false })
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
      expect(table.schema().fields.find((f) => f.name === 'n')!.type).toBe('long')
      expect(sortRows(await rowsOf(table))).toEqual(sortRows([{ id: 1, n: 10 }, { id: 2, n: 25 }, { id: 3, n: 30 }, { id: 4, n: -4 }]))
    })

    // A string that is no number fails where it is cast, naming the column.
    it('fails with InvalidData naming the column when a string is not a number', async () => {
      const { table, storage } = await numbers()
      const before = storage.paths()
      const e = await rejection(table.merge(new Table({ id: longs([1, 2]), n: strings(['5', 'five']) }), { predicate: 'target.id = source.id', errorOnTypeMismatch: false })
        .whenMatchedUpdateAll()
        .execute())
      expect(e.code).toBe('InvalidData')
      expect(e.message).toContain("'n'")
      expect(e.message).toContain('five')
      expect(storage.paths()).toEqual(before)
      expect(table.version).toBe(0)
    })

    it('is stored with errorOnTypeMismatch: false through an explicit CAST, and a non-number fails as InvalidData naming the column', async () => {
      const { table, storage } = await numbers()
      await table.merge(new Table({ id: longs([2, 4]), n: strings(['25', '-4']) }), { predicate: 'target.id = source.id', errorOnTypeMismatch: false })
        .whenMatchedUpdate({ n: 'CAST(source.n AS BIGINT)' })
        .whenNotMatchedInsert({ id: 'source.id', n: 'CAST(source.n AS BIGINT)' })
        .execute()
      expect(sortRows(await rowsOf(table))).toEqual(sortRows([{ id: 1, n: 10 }, { id: 2, n: 25 }, { id: 3, n: 30 }, { id: 4, n: -4 }]))
      const before = storage.paths()
      const e = await rejection(table.merge(new Table({ id: longs([1, 2]), n: strings(['5', 'five']) }), { predicate: 'target.id = source.id' })
        .whenMatchedUpdate({ n: 'CAST(source.n AS BIGINT)' })
        .execute())
      expect(e.code).toBe('InvalidData')
      expect(e.message).toContain("'n'")
      expect(storage.paths()).toEqual(before)
    })
  })

  it('takes an int source column into a long table column without complaint (it widens)', async () => {
    const { table } = await tableOf([new Table({ id: longs([1]), n: longs([1]) })])
    await table.merge(new Table({ id: longs([1, 2]), n: vectorFromArray([5, 6], new Int32()) }), { predicate: 'target.id = source.id' })
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute()
    expect(sortRows(await rowsOf(table))).toEqual([{ id: 1, n: 5 }, { id: 2, n: 6 }])
  })
})
