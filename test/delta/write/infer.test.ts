import { DataType, TimeUnit, type Timestamp } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { arrowToPlain } from '../../../src/delta/arrow/plain.js'
import { toArrowSchema } from '../../../src/delta/arrow/types.js'
import type { StructField, StructType } from '../../../src/delta/model/schema.js'
import { arrowSchemaToDelta } from '../../../src/delta/write/arrow-to-delta.js'
import { inferSchema, inferTable } from '../../../src/delta/write/infer.js'

function field(name: string, type: StructField['type'], nullable = true): StructField {
  return { name, type, nullable, metadata: {} }
}

function schemaOf(...fields: StructField[]): StructType {
  return { type: 'struct', fields }
}

/** Plain rows back from a table, bigints shown as text so that toEqual compares them plainly. */
function rowsOf(rows: readonly Record<string, unknown>[], schema?: StructType): unknown[] {
  return JSON.parse(JSON.stringify(arrowToPlain(inferTable(rows, schema)), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) as unknown[]
}

describe('inferTable without a schema', () => {
  it('infers strictly: number -> double, bigint -> long, Date -> timestamp, bytes -> binary', () => {
    const t = inferTable([
      { n: 1, b: 2n, s: 'x', ok: true, at: new Date('2021-09-08T11:11:11.123Z'), raw: new Uint8Array([1, 2]) },
      { n: 2.5, b: null, s: 'y', ok: false, at: null, raw: null },
    ])
    expect(arrowSchemaToDelta(t.schema).fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['n', 'double', true], ['b', 'long', true], ['s', 'string', true], ['ok', 'boolean', true], ['at', 'timestamp', true], ['raw', 'binary', true],
    ])
    expect(t.schema).toEqual(toArrowSchema(arrowSchemaToDelta(t.schema)))
    const ts = t.getChild('at')!
    expect((ts.type as Timestamp).unit).toBe(TimeUnit.MICROSECOND)
    expect(ts.data[0]!.values[0]).toBe(1_631_099_471_123_000n)
    expect(arrowToPlain(t)[0]).toMatchObject({ n: 1, b: 2, s: 'x', ok: true, at: '2021-09-08T11:11:11.123000Z' })
  })

  it('orders columns by first appearance and makes missing keys null', () => {
    const rows = rowsOf([{ b: 1 }, { a: 'x', b: 2 }, { c: true }])
    expect(rows).toEqual([{ b: 1, a: null, c: null }, { b: 2, a: 'x', c: null }, { b: null, a: null, c: true }])
  })

  it('infers structs (keys over all rows), arrays of the element type and Maps', () => {
    const t = inferTable([
      { s: { x: 1 }, arr: [1n, null, 3n], m: new Map([['k', 'v']]) },
      { s: { y: 'q' }, arr: [], m: null },
    ])
    expect(arrowSchemaToDelta(t.schema).fields.map((f) => f.type)).toEqual([
      { type: 'struct', fields: [field('x', 'double'), field('y', 'string')] },
      { type: 'array', elementType: 'long', containsNull: true },
      { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true },
    ])
    expect(arrowToPlain(t)).toEqual([
      { s: { x: 1, y: null }, arr: [1, null, 3], m: { k: 'v' } },
      { s: { x: null, y: 'q' }, arr: [], m: null },
    ])
  })

  it('refuses a column that is null in every row, asking for a schema', () => {
    expect(() => inferTable([{ a: 1, b: null }, { a: 2 }])).toThrow(/column 'b' is null \(or missing\) in every row.*pass a schema/)
    expect(() => inferTable([{ a: [] }, { a: [null] }])).toThrow(/column 'a\[\]' is null/)
    expect(() => inferTable([{ s: { x: null } }])).toThrow(/column 's.x' is null/)
  })

  it('refuses mixed kinds, naming the column, the kinds and the first conflicting row', () => {
    expect(() => inferTable([{ a: 1 }, { a: null }, { a: 2 }, { a: 'three' }, { a: false }])).toThrow(
      /column 'a' mixes number and string and boolean values \(the first conflict is in row 3\)/,
    )
    expect(() => inferTable([{ a: 1 }, { a: 2n }])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    expect(() => inferTable([{ a: [1] }, { a: [1, 'x'] }])).toThrow(/column 'a\[\]' mixes number and string values \(the first conflict is in row 1\)/)
  })

  it('refuses values it cannot store and rows that are not objects', () => {
    class Point { x = 1 }
    expect(() => inferTable([{ p: new Point() }])).toThrow(/column 'p', row 0: a Point instance cannot be stored/)
    expect(() => inferTable([{ f: () => 1 }])).toThrow(/a function cannot be stored/)
    expect(() => inferTable([[1, 2] as unknown as Record<string, unknown>])).toThrow(/row 0 is not a plain object/)
    expect(() => inferTable([])).toThrow(/no rows to infer a schema from/)
  })
})

describe('inferTable with a schema', () => {
  const all = schemaOf(
    field('b', 'byte'), field('sh', 'short'), field('i', 'integer'), field('l', 'long'), field('f', 'float'), field('d', 'double'),
    field('dec', 'decimal(6,2)'), field('s', 'string'), field('bin', 'binary'), field('ok', 'boolean'), field('day', 'date'),
    field('ts', 'timestamp'), field('ntz', 'timestamp_ntz'),
  )

  it('builds exactly the schema types from every accepted form', () => {
    const t = inferTable([
      { b: -128, sh: 32767n, i: 7, l: 2n ** 63n - 1n, f: 0.1, d: 1e300, dec: '1234.5', s: 'x', bin: new Uint8Array([9]), ok: true, day: '2024-02-29', ts: '2021-09-08T13:11:11.123456+02:00', ntz: '2021-09-08 11:11:11.5' },
      { b: 1, sh: 2, i: 3, l: 4, f: 1, d: 2, dec: 12.5, s: '', bin: new Uint8Array([]).buffer, ok: false, day: new Date('2024-02-29T23:59:59Z'), ts: new Date(0), ntz: new Date('2021-09-08T11:11:11Z') },
      { b: null, dec: 123456n, day: -1, ts: 5n, ntz: -5n },
    ], all)
    expect(t.schema).toEqual(toArrowSchema(all))
    expect(rowsOf([
      { dec: '1234.5', day: '2024-02-29', ts: '2021-09-08T13:11:11.123456+02:00', ntz: '2021-09-08 11:11:11.5', l: 2n ** 63n - 1n },
      { dec: 12.5, day: new Date('2024-02-29T23:59:59Z'), ts: new Date(0), ntz: new Date('2021-09-08T11:11:11Z'), l: 4 },
      { dec: 1234567n, day: -1, ts: 5n, ntz: -5n, l: null },
    ], schemaOf(field('dec', 'decimal(9,2)'), field('day', 'date'), field('ts', 'timestamp'), field('ntz', 'timestamp_ntz'), field('l', 'long')))).toEqual([
      { dec: '1234.50', day: '2024-02-29', ts: '2021-09-08T11:11:11.123456Z', ntz: '2021-09-08T11:11:11.500000', l: '9223372036854775807n' },
      { dec: '12.50', day: '2024-02-29', ts: '1970-01-01T00:00:00.000000Z', ntz: '2021-09-08T11:11:11.000000', l: 4 },
      { dec: '12345.67', day: '1969-12-31', ts: '1970-01-01T00:00:00.000005Z', ntz: '1969-12-31T23:59:59.999995', l: null },
    ])
    expect(arrowToPlain(t)[0]).toMatchObject({ b: -128, sh: 32767, i: 7, f: Math.fround(0.1), d: 1e300, s: 'x', ok: true })
  })

  it('refuses values that do not fit, naming column, row and the accepted forms', () => {
    const one = (name: string, type: StructField['type'], value: unknown) => () => inferTable([{ [name]: value }], schemaOf(field(name, type)))
    expect(one('b', 'byte', 128)).toThrow(/column 'b', row 0: 128 is not a valid byte; pass a whole number between -128 and 127/)
    expect(one('i', 'integer', 1.5)).toThrow(/1.5 is not a valid integer/)
    expect(one('l', 'long', 2 ** 60)).toThrow(/pass a bigint \(or a safe integer number\)/)
    expect(one('d', 'decimal(4,2)', '1.234')).toThrow(/"1.234" is not a valid decimal\(4,2\); pass decimal text/)
    expect(one('d', 'decimal(4,2)', 123.4)).toThrow(/123.4 is not a valid decimal\(4,2\)/)
    expect(one('d', 'decimal(4,2)', 'abc')).toThrow(/not a valid decimal/)
    expect(one('t', 'timestamp', 1000)).toThrow(/pass a Date, an ISO-8601 string or a bigint of microseconds/)
    expect(one('t', 'timestamp_ntz', '2021-01-01T00:00:00Z')).toThrow(/without a zone/)
    expect(one('t', 'timestamp', new Date(NaN))).toThrow(/Date\(invalid\)/)
    expect(one('s', 'string', 5)).toThrow(/5 is not a valid string; pass a string/)
    expect(one('day', 'date', '2023-02-29')).toThrow(/is not a valid date/)
    expect(one('s', { type: 'struct', fields: [field('x', 'long')] }, [1])).toThrow(/column 's', row 0: expected a plain object/)
    expect(one('a', { type: 'array', elementType: 'long', containsNull: true }, 'x')).toThrow(/expected an array/)
    expect(one('m', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }, 3)).toThrow(/expected a Map or a plain object/)
  })

  it('refuses a null in a NOT NULL field, but not under a null parent', () => {
    const s = schemaOf(field('id', 'long', false), field('p', { type: 'struct', fields: [field('q', 'long', false)] }))
    expect(() => inferTable([{ id: 1n }, { id: null }], s)).toThrow(expect.objectContaining({ code: 'ConstraintViolation', message: expect.stringMatching(/column 'id' is NOT NULL, but row 1 has no value/) }))
    expect(() => inferTable([{ id: 1n, p: { q: null } }], s)).toThrow(/column 'p.q' is NOT NULL, but row 0/)
    expect(rowsOf([{ id: 1n, p: null }], s)).toEqual([{ id: 1, p: null }])
    const arr = schemaOf(field('a', { type: 'array', elementType: 'long', containsNull: false }))
    expect(() => inferTable([{ a: [1n] }, { a: [1n, null] }], arr)).toThrow(/column 'a\[\]' is NOT NULL, but row 1/)
  })

  it('builds nested types, maps from Maps or objects', () => {
    const s = schemaOf(
      field('s', { type: 'struct', fields: [field('x', 'integer'), field('tags', { type: 'array', elementType: 'string', containsNull: true })] }),
      field('m', { type: 'map', keyType: 'integer', valueType: 'decimal(5,1)', valueContainsNull: true }),
      field('o', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: false }),
    )
    expect(rowsOf([
      { s: { x: 1, tags: ['a', null] }, m: new Map([[1, '2.5'], [2, null]]), o: { k: 5n } },
      { s: { X: 2 }, m: null, o: {} },
    ], s)).toEqual([
      { s: { x: 1, tags: ['a', null] }, m: { 1: '2.5', 2: null }, o: { k: 5 } },
      { s: { x: 2, tags: null }, m: null, o: {} },
    ])
  })

  it('keeps schema order and spelling, matching keys case-insensitively, and leaves out columns no row has', () => {
    const s = schemaOf(field('Id', 'long'), field('name', 'string'), field('gone', 'string', false))
    const t = inferTable([{ name: 'a', id: 1n }, { ID: 2n }], s)
    expect(t.schema.fields.map((f) => f.name)).toEqual(['Id', 'name'])
    expect(arrowToPlain(t)).toEqual([{ Id: 1, name: 'a' }, { Id: 2, name: null }])
  })

  it('adds keys the schema lacks with inferred types, for schema evolution to judge', () => {
    const s = schemaOf(field('id', 'long'), field('s', { type: 'struct', fields: [field('x', 'long')] }))
    expect(inferSchema([{ id: 1n, extra: 'e', s: { x: 1n, y: true } }], s)).toEqual(schemaOf(
      field('id', 'long'), field('s', { type: 'struct', fields: [field('x', 'long'), field('y', 'boolean')] }), field('extra', 'string'),
    ))
  })

  it('gives every schema column for no rows', () => {
    const t = inferTable([], all)
    expect(t.numRows).toBe(0)
    expect(t.schema).toEqual(toArrowSchema(all))
    expect(DataType.isDecimal(t.getChild('dec')!.type)).toBe(true)
  })
})
