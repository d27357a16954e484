import { Bool, Field, Int32, List, Struct, Table, Utf8, vectorFromArray, tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { concatBatches } from '../../../src/delta/arrow/concat.js'

/** A table of several batches, some of them slices, of every kind of column the function joins. */
function chunked(): { table: Table; rows: unknown[] } {
  const rows = Array.from({ length: 23 }, (_, i) => ({
    n: i % 5 === 0 ? null : i,
    s: i % 4 === 0 ? null : `v${i}`.repeat(i % 3 + 1),
    b: i % 3 === 0 ? null : i % 2 === 0,
    l: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => i * 10 + k),
    st: i % 7 === 0 ? null : { a: i, t: `t${i}` },
  }))
  const make = (part: typeof rows) => new Table({
    n: vectorFromArray(part.map((r) => r.n), new Int32()),
    s: vectorFromArray(part.map((r) => r.s), new Utf8()),
    b: vectorFromArray(part.map((r) => r.b), new Bool()),
    l: vectorFromArray(part.map((r) => r.l), new List(new Field('element', new Int32(), true))),
    st: vectorFromArray(part.map((r) => r.st), new Struct([new Field('a', new Int32(), true), new Field('t', new Utf8(), true)])),
  })
  // A slice out of a bigger batch (non-zero offsets), then whole batches.
  const big = make(rows.slice(0, 12))
  const table = new Table([...big.slice(3, 10).batches, ...make(rows.slice(10, 17)).batches, ...make(rows.slice(17)).batches])
  return { table, rows: rows.slice(3, 23) }
}

const plain = (t: Table) => t.toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_k, v) => (v && typeof v === 'object' && 'toJSON' in v ? v.toJSON() : v))))

describe('concatBatches', () => {
  it('joins batches and slices of every column kind into one batch with the same rows', () => {
    const { table, rows } = chunked()
    expect(table.batches.length).toBe(3)
    const one = concatBatches(table)
    expect(one.batches.length).toBe(1)
    expect(one.numRows).toBe(20)
    const expected = rows.map((r) => JSON.parse(JSON.stringify(r)))
    expect(plain(one)).toEqual(expected)
    expect(plain(table)).toEqual(expected)
  })

  it('returns a table of one batch as it is', () => {
    const t = tableFromArrays({ a: Int32Array.from([1, 2]) })
    expect(concatBatches(t)).toBe(t)
  })
})
