import {
  Field, FixedSizeList, Int32, Int64, LargeList, List, Map_, RecordBatch, Schema, Struct, Table, Utf8,
  makeData, tableFromIPC, tableToIPC, vectorFromArray, type Data, type DataType,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { arrowToPlain, conformTable, physicalColumns, toArrowSchema } from '../../../src/delta/arrow/index.js'
import type { ColumnMappingMode } from '../../../src/delta/features/column-mapping.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import type { DeltaType, StructField, StructType } from '../../../src/delta/model/schema.js'

interface FileColumn {
  name: string
  type: DataType
  values: unknown[]
  id?: number
}

/** A decoded file as parquet-wasm hands it over: physical names, field ids in metadata. */
function fileTable(columns: FileColumn[]): Table {
  const fields = columns.map((c) => new Field(c.name, c.type, true, c.id === undefined ? undefined : new Map([['PARQUET:field_id', String(c.id)]])))
  const children = columns.map((c) => vectorFromArray(c.values, c.type).data[0]!)
  const schema = new Schema(fields)
  const length = columns[0]?.values.length ?? 0
  return new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }))])
}

/** A Delta field, with column mapping metadata when `physical` or `id` are given. */
function field(name: string, type: DeltaType, physical?: string, id?: number): StructField {
  const metadata: Record<string, unknown> = {}
  if (physical !== undefined) metadata['delta.columnMapping.physicalName'] = physical
  if (id !== undefined) metadata['delta.columnMapping.id'] = id
  return { name, type, nullable: true, metadata }
}

function struct(...fields: StructField[]): StructType {
  return { type: 'struct', fields }
}

function conform(table: Table, target: StructType, mode: ColumnMappingMode = 'none'): Record<string, unknown>[] {
  const out = conformTable(table, target, { columnMapping: mode })
  expect(out.schema).toEqual(toArrowSchema(target))
  expect(out.numRows).toBe(table.numRows)
  // What the scan hands on must survive IPC: buffers and offsets are consistent.
  expect(arrowToPlain(tableFromIPC(tableToIPC(out)))).toEqual(arrowToPlain(out))
  return arrowToPlain(out)
}

describe('column matching', () => {
  it('orders columns as the target, matching names exactly then case-insensitively', () => {
    const file = fileTable([
      { name: 'B', type: new Utf8(), values: ['x', 'y'] },
      { name: 'a', type: new Int32(), values: [1, 2] },
      { name: 'extra', type: new Int32(), values: [9, 9] },
    ])
    expect(conform(file, struct(field('a', 'long'), field('b', 'string')))).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }])
  })

  it('fills columns the file lacks with nulls of the right type (schema evolution)', () => {
    const file = fileTable([{ name: 'a', type: new Int32(), values: [1, 2, 3] }])
    const target = struct(field('a', 'integer'), field('added', 'decimal(10,2)'), { ...field('nn', 'string'), nullable: false })
    const out = conformTable(file, target, { columnMapping: 'none' })
    expect(out.getChild('added')!.nullCount).toBe(3)
    expect(String(out.getChild('added')!.type)).toBe('Decimal[10e+2]')
    expect(arrowToPlain(out)).toEqual([1, 2, 3].map((a) => ({ a, added: null, nn: null })))
  })

  it('reads an empty batch made by Arrow JS defaults (no list children, no offsets)', () => {
    const schema = new Schema([new Field('l', new List(new Field('element', new Utf8())), true)])
    // What `new RecordBatch(schema, undefined)` fills in for each column of an empty batch.
    const list = makeData({ type: schema.fields[0]!.type, nullCount: 0 } as never)
    const empty = new Table([new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children: [list] }))])
    expect(empty.getChild('l')!.data[0]!.children[0]).toBeUndefined()
    const out = conformTable(empty, struct(field('l', { type: 'array', elementType: 'string', containsNull: true })), { columnMapping: 'none' })
    expect(out.numRows).toBe(0)
    expect(arrowToPlain(tableFromIPC(tableToIPC(out)))).toEqual([])
  })

  it('keeps the row count when no column is asked for', () => {
    const file = fileTable([{ name: 'a', type: new Int32(), values: [1, 2, 3] }])
    const out = conformTable(file, struct(), { columnMapping: 'none' })
    expect(out.numRows).toBe(3)
    expect(out.numCols).toBe(0)
  })

  it('matches physical names in name mode, nested fields included', () => {
    const inner = new Struct([new Field('col-x', new Int32()), new Field('col-y', new Utf8())])
    const file = fileTable([
      { name: 'col-1', type: new Int64(), values: [5n, null] },
      { name: 'col-2', type: inner, values: [{ 'col-x': 1, 'col-y': 'p' }, null] },
    ])
    const target = struct(
      field('id', 'long', 'col-1'),
      field('s', struct(field('x', 'long', 'col-x'), field('y', 'string', 'col-y'), field('z', 'integer', 'col-z')), 'col-2'),
    )
    expect(conform(file, target, 'name')).toEqual([{ id: 5, s: { x: 1, y: 'p', z: null } }, { id: null, s: null }])
  })

  it('matches Parquet field ids in id mode, whatever the names', () => {
    const inner = new Struct([new Field('renamed', new Int32(), true, new Map([['PARQUET:field_id', '3']]))])
    const file = fileTable([
      { name: 'old-b', type: new Utf8(), values: ['q'], id: 2 },
      { name: 'old-a', type: inner, values: [{ renamed: 7 }], id: 1 },
    ])
    const target = struct(
      field('a', struct(field('x', 'integer', 'col-x', 3)), 'col-a', 1),
      field('b', 'string', 'col-b', 2),
      field('c', 'string', 'old-b', 4),
    )
    // 'c' names an existing physical column, but ids decide in a file that has them.
    expect(conform(file, target, 'id')).toEqual([{ a: { x: 7 }, b: 'q', c: null }])
  })

  it('falls back to physical names in id mode when the file has no ids', () => {
    const file = fileTable([{ name: 'col-b', type: new Utf8(), values: ['q'] }])
    expect(conform(file, struct(field('b', 'string', 'col-b', 2)), 'id')).toEqual([{ b: 'q' }])
  })

  it('ignores physical names in none mode', () => {
    const file = fileTable([{ name: 'b', type: new Utf8(), values: ['q'] }])
    expect(conform(file, struct(field('b', 'string', 'col-b')), 'none')).toEqual([{ b: 'q' }])
  })
})

describe('nested types', () => {
  it('conforms list elements, large and fixed-size lists included', () => {
    const file = fileTable([
      { name: 'l', type: new List(new Field('item', new Int32())), values: [[1, 2], null, []] },
      { name: 'big', type: new LargeList(new Field('item', new Utf8())), values: [['a'], ['b', null], null] },
      { name: 'fixed', type: new FixedSizeList(2, new Field('item', new Int32())), values: [[1, 2], [3, 4], null] },
    ])
    const arr = (t: DeltaType): DeltaType => ({ type: 'array', elementType: t, containsNull: true })
    const target = struct(field('l', arr('long')), field('big', arr('string')), field('fixed', arr('integer')))
    expect(conform(file, target)).toEqual([
      { l: [1, 2], big: ['a'], fixed: [1, 2] },
      { l: null, big: ['b', null], fixed: [3, 4] },
      { l: [], big: null, fixed: null },
    ])
  })

  it('renames fields inside list elements and map values', () => {
    const elem = new Struct([new Field('p1', new Int32())])
    const mapType = new Map_(new Field('entries', new Struct<{ key: DataType; value: DataType }>([new Field('key', new Utf8(), false), new Field('value', elem)]), false))
    const file = fileTable([
      { name: 'L', type: new List(new Field('element', elem)), values: [[{ p1: 1 }, null], null] },
      { name: 'M', type: mapType, values: [new Map([['k', { p1: 2 }]]), new Map()] },
    ])
    const logical = struct(field('v', 'long', 'p1'), field('w', 'string', 'p2'))
    const target = struct(
      field('list', { type: 'array', elementType: logical, containsNull: true }, 'L'),
      field('map', { type: 'map', keyType: 'string', valueType: logical, valueContainsNull: true }, 'M'),
    )
    expect(conform(file, target, 'name')).toEqual([
      { list: [{ v: 1, w: null }, null], map: { k: { v: 2, w: null } } },
      { list: null, map: {} },
    ])
  })

  it('refuses a struct where the schema has a list, naming the nested path', () => {
    const file = fileTable([{ name: 's', type: new Struct([new Field('x', new Utf8())]), values: [{ x: 'a' }] }])
    let err: unknown
    try {
      conformTable(file, struct(field('s', struct(field('x', 'long')))), { columnMapping: 'none' })
    } catch (e) {
      err = e
    }
    expect(isDeltaError(err, 'InvalidData')).toBe(true)
    expect((err as Error).message).toContain("'s.x'")
    expect(() => conformTable(file, struct(field('s', { type: 'array', elementType: 'long', containsNull: true })), { columnMapping: 'none' }))
      .toThrow(/'s'.*array<long>/)
  })
})

describe('sliced and multi-batch input', () => {
  const file = fileTable([
    { name: 'i', type: new Int32(), values: [0, 1, null, 3, 4, 5, 6, null, 8, 9] },
    { name: 's', type: new Utf8(), values: ['a', 'b', 'c', null, 'e', 'f', 'g', 'h', 'i', 'j'] },
    { name: 'l', type: new List(new Field('item', new Int32())), values: [[0], [1], [2, 2], null, [4], [], [6], [7], [8], [9]] },
    { name: 'st', type: new Struct([new Field('x', new Int32())]), values: [{ x: 0 }, null, { x: 2 }, { x: 3 }, { x: 4 }, { x: 5 }, null, { x: 7 }, { x: 8 }, { x: 9 }] },
  ])
  const target = struct(field('i', 'long'), field('s', 'string'), field('l', { type: 'array', elementType: 'long', containsNull: true }), field('st', struct(field('x', 'long'))))
  const full = conform(file, target)

  it('reads slices with non-zero offsets right', () => {
    for (const [from, to] of [[1, 4], [3, 10], [7, 8], [5, 5]] as const) {
      expect(conform(file.slice(from, to), target)).toEqual(full.slice(from, to))
    }
  })

  it('conforms every batch of a multi-batch table', () => {
    const multi = new Table([...file.slice(0, 4).batches, ...file.slice(4).batches])
    expect(multi.batches).toHaveLength(2)
    const out = conformTable(multi, target, { columnMapping: 'none' })
    expect(out.batches).toHaveLength(2)
    expect(arrowToPlain(out)).toEqual(full)
  })
})

describe('physicalColumns', () => {
  const schema = struct(field('a', 'long', 'col-a', 1), field('B', 'string', 'col-b', 2), field('c', 'string'))

  it('gives logical names without mapping and physical names with it', () => {
    expect(physicalColumns(schema, 'none')).toEqual(['a', 'B', 'c'])
    expect(physicalColumns(schema, 'name')).toEqual(['col-a', 'col-b', 'c'])
    expect(physicalColumns(schema, 'id')).toEqual(['col-a', 'col-b', 'c'])
  })

  it('restricts to the asked logical columns, case-insensitively, and refuses unknown ones', () => {
    expect(physicalColumns(schema, 'name', ['b', 'a'])).toEqual(['col-b', 'col-a'])
    let err: unknown
    try {
      physicalColumns(schema, 'name', ['zzz'])
    } catch (e) {
      err = e
    }
    expect(isDeltaError(err, 'InvalidArgument')).toBe(true)
    expect((err as Error).message).toContain('zzz')
  })
})

describe('zero-copy', () => {
  it('reuses buffers of columns already in canonical form', () => {
    const file = fileTable([{ name: 's', type: new Utf8(), values: ['a', null] }, { name: 'n', type: new Int64(), values: [1n, 2n] }])
    const out = conformTable(file, struct(field('s', 'string'), field('n', 'long')), { columnMapping: 'none' })
    const src = (name: string): Data => file.getChild(name)!.data[0]!
    const dst = (name: string): Data => out.getChild(name)!.data[0]!
    expect(dst('s').values).toBe(src('s').values)
    expect(dst('s').valueOffsets).toBe(src('s').valueOffsets)
    expect(dst('s').nullBitmap).toBe(src('s').nullBitmap)
    expect(dst('n').values).toBe(src('n').values)
  })
})
