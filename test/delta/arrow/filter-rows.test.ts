import {
  Binary, BinaryView, Bool, DateDay, Decimal, Dictionary, Field, FixedSizeBinary, FixedSizeList, Float64, Int32, Int64,
  LargeList, LargeUtf8, List, Map_, Null, RecordBatch, Schema, Struct, Table, TimestampMicrosecond, Utf8, Utf8View,
  Vector, makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Data, type DataType,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { filterData, filterTable, takeRows } from '../../../src/delta/arrow/index.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'

/** A value as Arrow JS's own getters see it, made comparable: the oracle for the kernels. */
function norm(x: unknown): unknown {
  if (x === null || x === undefined) return null
  if (x instanceof Vector) return Array.from({ length: x.length }, (_, i) => norm(x.get(i)))
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number | bigint>)
  if (typeof x === 'object' && 'toJSON' in x) {
    const json = (x as { toJSON(): unknown }).toJSON()
    if (json instanceof Map) return [...json].map(([k, v]) => [norm(k), norm(v)])
    if (Array.isArray(json)) return json.map(norm)
    return Object.fromEntries(Object.entries(json as object).map(([k, v]) => [k, norm(v)]))
  }
  return x
}

function valuesOf(data: Data): unknown[] {
  return norm(makeVector(data)) as unknown[]
}

/** Keep pattern over n rows: drops the first row, the last, and a run in the middle. */
function mask(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 || (i >= 3 && i < 6) || i % 7 === 4 ? 0 : 1))
}

const mapType = new Map_(new Field('entries', new Struct<{ key: DataType; value: DataType }>([new Field('key', new Utf8(), false), new Field('value', new Int32())]), false))
const structType = new Struct([new Field('a', new Int32()), new Field('b', new Utf8()), new Field('c', new Struct([new Field('d', new Bool())]))])
const N = 23
const pick = <T>(f: (i: number) => T): (T | null)[] => Array.from({ length: N }, (_, i) => (i % 5 === 2 ? null : f(i)))

const columns: [string, DataType, unknown[]][] = [
  ['int32', new Int32(), pick((i) => i - 10)],
  ['int64', new Int64(), pick((i) => (i % 2 ? -(2n ** 63n) : 2n ** 63n - 1n) + BigInt(i % 2 ? i : -i))],
  ['float64', new Float64(), pick((i) => i / 3)],
  ['bool', new Bool(), pick((i) => i % 3 === 0)],
  ['utf8', new Utf8(), pick((i) => 'x'.repeat(i) + 'é')],
  ['large-utf8', new LargeUtf8(), pick((i) => `v${i}`)],
  ['utf8-view', new Utf8View(), pick((i) => (i % 2 ? `short${i}` : `a value longer than twelve bytes ${i}`))],
  ['binary', new Binary(), pick((i) => Uint8Array.from({ length: i % 4 }, (_, k) => k + i))],
  ['binary-view', new BinaryView(), pick((i) => Uint8Array.from({ length: i }, (_, k) => k))],
  ['fixed-binary', new FixedSizeBinary(3), pick((i) => Uint8Array.from([i, i + 1, i + 2]))],
  ['date', new DateDay(), pick((i) => new Date(Date.UTC(1969, 11, 20 + i)))],
  ['timestamp', new TimestampMicrosecond('UTC'), pick((i) => (i - 10) * 1000)],
  ['list', new List(new Field('item', new Int32())), pick((i) => Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : k * i)))],
  ['large-list', new LargeList(new Field('item', new Utf8())), pick((i) => [`a${i}`, null])],
  ['list-of-lists', new List(new Field('item', new List(new Field('item', new Int32())))), pick((i) => [[i], [], null])],
  ['fixed-list', new FixedSizeList(2, new Field('item', new Int32())), pick((i) => [i, null])],
  ['map', mapType, pick((i) => new Map(Array.from({ length: i % 3 }, (_, k) => [`k${k}`, i * k])))],
  ['struct', structType, pick((i) => ({ a: i % 4 === 0 ? null : i, b: `s${i}`, c: i % 6 === 0 ? null : { d: i % 2 === 0 } }))],
  ['dictionary', new Dictionary(new Utf8(), new Int32()), pick((i) => ['red', 'green', 'blue'][i % 3]!)],
]

function decimalColumn(): Data {
  const values = pick((i) => (i % 2 ? -1n : 1n) * (10n ** 38n - 1n - BigInt(i)))
  const words = new Uint32Array(N * 4)
  const bits = new Uint8Array(8)
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v ?? 0n)
    for (let k = 0; k < 4; k++, x >>= 32n) words[i * 4 + k] = Number(x & 0xffffffffn)
    if (v !== null) bits[i >> 3]! |= 1 << (i & 7)
  })
  return makeData({ type: new Decimal(3, 38, 128), data: words, nullBitmap: bits, length: N })
}

const datas: [string, Data][] = [
  ...columns.map(([name, type, values]) => [name, vectorFromArray(values, type).data[0]!] as [string, Data]),
  ['decimal', decimalColumn()],
  ['null', makeData({ type: new Null(), length: N })],
]

describe('filterData', () => {
  for (const [name, data] of datas) {
    it(`filters ${name}`, () => {
      const keep = mask(N)
      const out = filterData(data, keep)
      expect(out.length).toBe(keep.reduce((a, b) => a + b, 0))
      expect(valuesOf(out)).toEqual(valuesOf(data).filter((_, i) => keep[i]))
      expect(out.nullCount).toBe(valuesOf(out).filter((v) => v === null).length)
    })

    it(`filters sliced ${name}`, () => {
      for (const [from, len] of [[3, 17], [9, 14], [1, 1]] as const) {
        const sliced = data.slice(from, len)
        const keep = mask(len)
        expect(valuesOf(filterData(sliced, keep))).toEqual(valuesOf(sliced).filter((_, i) => keep[i]))
      }
    })
  }

  it('returns the data itself when every row is kept and refuses a wrong-length mask', () => {
    const data = datas[0]![1]
    expect(filterData(data, new Uint8Array(N).fill(1))).toBe(data)
    let err: unknown
    try {
      filterData(data, new Uint8Array(N - 1))
    } catch (e) {
      err = e
    }
    expect(isDeltaError(err, 'InvalidArgument')).toBe(true)
  })
})

describe('filterTable', () => {
  const schema = new Schema(datas.map(([name, d]) => new Field(name, d.type, true)))
  const batch = (from: number, len: number) => new RecordBatch(schema, makeData({
    type: new Struct(schema.fields), length: len, nullCount: 0, children: datas.map(([, d]) => d.slice(from, len)),
  }))
  // Three batches, two of them sliced out of the middle of the columns.
  const table = new Table(schema, [batch(0, 8), batch(8, 6), batch(14, 9)])
  const rowsOf = (t: Table) => datas.map(([name]) => norm(t.getChild(name)))

  it('keeps the right rows across batches, and the result survives IPC', () => {
    const keep = mask(N)
    const out = filterTable(table, keep)
    expect(out.numRows).toBe(keep.reduce((a, b) => a + b, 0))
    const expected = rowsOf(table).map((col) => (col as unknown[]).filter((_, i) => keep[i]))
    expect(rowsOf(out)).toEqual(expected)
    expect(rowsOf(tableFromIPC(tableToIPC(out)))).toEqual(expected)
  })

  it('returns the table itself when every row is kept', () => {
    expect(filterTable(table, new Uint8Array(N).fill(1))).toBe(table)
  })

  it('drops whole batches and keeps the schema when nothing is kept', () => {
    const keep = new Uint8Array(N)
    keep.fill(1, 8, 14)
    const some = filterTable(table, keep)
    expect(some.batches).toHaveLength(1)
    expect(some.batches[0]).toBe(table.batches[1])
    const none = filterTable(table, new Uint8Array(N))
    expect(none.numRows).toBe(0)
    expect(none.schema).toBe(table.schema)
  })

  it('refuses a mask of the wrong length', () => {
    expect(() => filterTable(table, new Uint8Array(3))).toThrow(/3 entries/)
  })

  it('takes rows in any order across batches, with repeats', () => {
    const indices = Int32Array.from([22, 0, 9, 10, 10, 3, 15, 14, 13, 7])
    const out = takeRows(table, indices)
    expect(out.numRows).toBe(indices.length)
    const expected = rowsOf(table).map((col) => Array.from(indices, (i) => (col as unknown[])[i]))
    expect(rowsOf(out)).toEqual(expected)
    expect(() => takeRows(table, Int32Array.from([N]))).toThrow(/outside/)
  })
})
