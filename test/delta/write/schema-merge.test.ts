import { Field, Float16, Int32, Int64, Null, Schema, Table, Uint8, Utf8, makeVector, tableFromArrays, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { arrowToPlain } from '../../../src/delta/arrow/plain.js'
import { toArrowSchema } from '../../../src/delta/arrow/types.js'
import type { DeltaType, StructField, StructType } from '../../../src/delta/model/schema.js'
import { castToTableSchema, mergeSchemas } from '../../../src/delta/write/schema-merge.js'
import { isAutomaticWidening, isLosslessCast } from '../../../src/delta/write/schema-merge-types.js'

function field(name: string, type: DeltaType, nullable = true, metadata: Record<string, unknown> = {}): StructField {
  return { name, type, nullable, metadata }
}

function schemaOf(...fields: StructField[]): StructType {
  return { type: 'struct', fields }
}

const table = schemaOf(
  field('id', 'long', false, { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': 'col-id' }),
  field('name', 'string'),
  field('amount', 'decimal(10,2)'),
  field('s', { type: 'struct', fields: [field('x', 'integer'), field('y', 'float')] }),
)

function mismatch(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toMatchObject({ code: 'SchemaMismatch' })
    return (e as Error).message
  }
  throw new Error('expected a SchemaMismatch')
}

describe('mergeSchemas without a mode (enforcement)', () => {
  it('accepts the same columns in any order and case, and keeps the table schema', () => {
    const incoming = schemaOf(field('S', { type: 'struct', fields: [field('y', 'float'), field('X', 'integer')] }), field('NAME', 'string'), field('Id', 'long'), field('amount', 'decimal(10,2)'))
    const r = mergeSchemas(table, incoming)
    expect(r).toEqual({ schema: table, changed: false, needsTypeWidening: false, addedPaths: [] })
    expect(r.schema).toBe(table)
  })

  it('accepts types that convert exactly and missing nullable columns', () => {
    const incoming = schemaOf(field('id', 'integer'), field('amount', 'decimal(5,1)'), field('s', { type: 'struct', fields: [field('x', 'byte')] }))
    expect(mergeSchemas(table, incoming).changed).toBe(false)
  })

  it('shows every difference, one line per column', () => {
    const incoming = schemaOf(field('name', 'long'), field('extra', 'string'), field('s', { type: 'struct', fields: [field('x', 'long'), field('z', 'date')] }), field('amount', 'double'))
    expect(mismatch(() => mergeSchemas(table, incoming))).toBe(
      'the data does not match the table schema (+ not in the table, - missing from the data, ~ different type):\n' +
      '- id: long (not nullable)\n' +
      '~ name: long in data, string in table\n' +
      '~ amount: double in data, decimal(10,2) in table\n' +
      '~ s.x: long in data, integer in table (the table type would need widening)\n' +
      '+ s.z: date (not in table)\n' +
      '+ extra: string (not in table)\n' +
      "write with schemaMode 'merge' to add the new columns; write with schemaMode 'merge' on a table with delta.enableTypeWidening = 'true' to widen column types; " +
      "or replace the schema with mode 'overwrite' and schemaMode 'overwrite'",
    )
  })

  it('compares arrays and maps element by element', () => {
    const t = schemaOf(field('a', { type: 'array', elementType: 'long', containsNull: false }), field('m', { type: 'map', keyType: 'string', valueType: 'double', valueContainsNull: true }))
    expect(mergeSchemas(t, schemaOf(field('a', { type: 'array', elementType: 'integer', containsNull: true }), field('m', { type: 'map', keyType: 'string', valueType: 'float', valueContainsNull: true }))).changed).toBe(false)
    expect(mismatch(() => mergeSchemas(t, schemaOf(field('a', { type: 'array', elementType: 'string', containsNull: true }), field('m', 'string'))))).toContain(
      '~ a[]: string in data, long in table\n~ m: string in data, map<string,double> in table',
    )
  })

  it('lets identity and generated columns be left out even when NOT NULL', () => {
    const t = schemaOf(field('id', 'long', false, { 'delta.identity.start': 1, 'delta.identity.step': 1 }), field('g', 'long', false, { 'delta.generationExpression': 'v * 2' }), field('v', 'long'))
    expect(mergeSchemas(t, schemaOf(field('v', 'long'))).changed).toBe(false)
  })

  it('refuses two data columns whose names differ only in case', () => {
    expect(mismatch(() => mergeSchemas(table, schemaOf(field('name', 'string'), field('Name', 'string'))))).toMatch(/both 'name' and 'Name'.*case-insensitive/)
  })
})

describe("mergeSchemas with mode 'merge' (evolution)", () => {
  it('adds new columns at the end, inside structs too, as nullable and without mapping metadata', () => {
    const incoming = schemaOf(
      field('id', 'long'), field('tags', { type: 'array', elementType: 'string', containsNull: true }, false, { 'delta.columnMapping.id': 7 }),
      field('s', { type: 'struct', fields: [field('x', 'integer'), field('w', { type: 'struct', fields: [field('deep', 'long', false, { 'delta.columnMapping.physicalName': 'p' })] })] }),
    )
    const r = mergeSchemas(table, incoming, { mode: 'merge' })
    expect(r.changed).toBe(true)
    expect(r.needsTypeWidening).toBe(false)
    expect(r.addedPaths).toEqual([['s', 'w'], ['tags']])
    expect(r.schema).toEqual(schemaOf(
      table.fields[0]!, table.fields[1]!, table.fields[2]!,
      field('s', { type: 'struct', fields: [field('x', 'integer'), field('y', 'float'), field('w', { type: 'struct', fields: [field('deep', 'long', false)] })] }),
      field('tags', { type: 'array', elementType: 'string', containsNull: true }),
    ))
    expect(r.schema.fields[0]).toBe(table.fields[0])
  })

  it('is unchanged when nothing is new', () => {
    const r = mergeSchemas(table, schemaOf(field('id', 'integer')), { mode: 'merge' })
    expect(r.changed).toBe(false)
    expect(r.schema).toBe(table)
  })

  it('widens types Delta widens automatically, recording delta.typeChanges on the nearest field', () => {
    const t = schemaOf(
      field('i', 'integer', true, { 'delta.typeChanges': [{ fromType: 'short', toType: 'integer' }] }),
      field('d', 'decimal(5,2)'),
      field('a', { type: 'array', elementType: { type: 'map', keyType: 'string', valueType: 'float', valueContainsNull: true }, containsNull: true }),
      field('day', 'date'),
    )
    const incoming = schemaOf(
      field('i', 'long'), field('d', 'decimal(8,3)'),
      field('a', { type: 'array', elementType: { type: 'map', keyType: 'string', valueType: 'double', valueContainsNull: true }, containsNull: true }),
      field('day', 'timestamp_ntz'),
    )
    const r = mergeSchemas(t, incoming, { mode: 'merge', allowTypeWidening: true })
    expect(r.needsTypeWidening).toBe(true)
    expect(r.changed).toBe(true)
    expect(r.schema.fields.map((f) => [f.type, f.metadata['delta.typeChanges']])).toEqual([
      ['long', [{ fromType: 'short', toType: 'integer' }, { fromType: 'integer', toType: 'long' }]],
      ['decimal(8,3)', [{ fromType: 'decimal(5,2)', toType: 'decimal(8,3)' }]],
      [incoming.fields[2]!.type, [{ fromType: 'float', toType: 'double', fieldPath: 'element.value' }]],
      ['timestamp_ntz', [{ fromType: 'date', toType: 'timestamp_ntz' }]],
    ])
  })

  it('refuses widening unless the table allows it, and never widens integers to double or decimal', () => {
    const t = schemaOf(field('i', 'integer'), field('n', 'integer'))
    expect(mismatch(() => mergeSchemas(t, schemaOf(field('i', 'long')), { mode: 'merge' }))).toMatch(
      /~ i: long in data, integer in table \(the table type would need widening\)\nset the table property delta.enableTypeWidening = 'true'/,
    )
    expect(mismatch(() => mergeSchemas(t, schemaOf(field('n', 'double')), { mode: 'merge', allowTypeWidening: true }))).toContain('~ n: double in data, integer in table\n')
    expect(mismatch(() => mergeSchemas(t, schemaOf(field('n', 'decimal(12,0)')), { mode: 'merge', allowTypeWidening: true }))).toContain('~ n: decimal(12,0) in data')
  })

  it('still refuses a NOT NULL column the data lacks', () => {
    expect(mismatch(() => mergeSchemas(table, schemaOf(field('new', 'long')), { mode: 'merge' }))).toContain('- id: long (not nullable)')
  })
})

describe("mergeSchemas with mode 'overwrite'", () => {
  it('takes the incoming schema', () => {
    const incoming = schemaOf(field('other', 'string'))
    expect(mergeSchemas(table, incoming, { mode: 'overwrite' })).toEqual({ schema: incoming, changed: true, needsTypeWidening: false, addedPaths: [] })
    expect(mergeSchemas(table, table, { mode: 'overwrite' }).changed).toBe(false)
  })
})

describe('type relations', () => {
  it('knows which conversions are exact', () => {
    expect(isLosslessCast('byte', 'long')).toBe(true)
    expect(isLosslessCast('long', 'integer')).toBe(false)
    expect(isLosslessCast('integer', 'double')).toBe(true)
    expect(isLosslessCast('long', 'double')).toBe(false)
    expect(isLosslessCast('float', 'double')).toBe(true)
    expect(isLosslessCast('integer', 'decimal(10,0)')).toBe(true)
    expect(isLosslessCast('integer', 'decimal(10,1)')).toBe(false)
    expect(isLosslessCast('long', 'decimal(21,2)')).toBe(true)
    expect(isLosslessCast('decimal(5,2)', 'decimal(6,3)')).toBe(true)
    expect(isLosslessCast('decimal(5,2)', 'decimal(6,4)')).toBe(false)
    expect(isLosslessCast('date', 'timestamp_ntz')).toBe(true)
    expect(isLosslessCast('timestamp_ntz', 'timestamp')).toBe(false)
    expect(isLosslessCast('timestamp', 'timestamp_ntz')).toBe(false)
    expect(isLosslessCast('string', 'binary')).toBe(false)
  })

  it('knows which widenings Delta applies during schema evolution', () => {
    expect(isAutomaticWidening('byte', 'integer')).toBe(true)
    expect(isAutomaticWidening('float', 'double')).toBe(true)
    expect(isAutomaticWidening('date', 'timestamp_ntz')).toBe(true)
    expect(isAutomaticWidening('decimal(10,2)', 'decimal(12,4)')).toBe(true)
    expect(isAutomaticWidening('decimal(10,2)', 'decimal(11,4)')).toBe(false)
    expect(isAutomaticWidening('decimal(10,2)', 'decimal(10,2)')).toBe(false)
    expect(isAutomaticWidening('integer', 'double')).toBe(false)
    expect(isAutomaticWidening('long', 'decimal(20,0)')).toBe(false)
    expect(isAutomaticWidening('long', 'integer')).toBe(false)
  })
})

describe('castToTableSchema', () => {
  const target = schemaOf(field('id', 'long', false), field('name', 'string'), field('small', 'short'), field('f', 'float'))

  it('converts to the table types and order, names and nullability, filling missing columns with nulls', () => {
    const data = new Table({
      F: makeVector({ type: new Float16(), data: new Uint16Array([0x3c00, 0xc000]) }),
      ID: vectorFromArray([1, 2], new Int32()),
      small: vectorFromArray([255, 0], new Uint8()),
    })
    const out = castToTableSchema(data, target)
    expect(out.schema).toEqual(toArrowSchema(target))
    expect(arrowToPlain(out)).toEqual([{ id: 1, name: null, small: 255, f: 1 }, { id: 2, name: null, small: 0, f: -2 }])
  })

  it('accepts an all-null column of Arrow type Null for a nullable table column', () => {
    const data = new Table({ id: vectorFromArray([7n], new Int64()), name: makeVector({ type: new Null(), length: 1 }) })
    expect(arrowToPlain(castToTableSchema(data, target))).toEqual([{ id: 7, name: null, small: null, f: null }])
  })

  it('refuses nulls in a NOT NULL column, counting the rows', () => {
    const data = tableFromArrays({ id: [1n, null, null] as unknown as BigInt64Array })
    expect(() => castToTableSchema(new Table(new Schema([new Field('id', new Int64(), true)]), data.batches), target)).toThrow(
      expect.objectContaining({ code: 'ConstraintViolation', message: expect.stringMatching(/column 'id' is NOT NULL, but 2 of 3 rows/) }),
    )
    expect(mismatch(() => castToTableSchema(new Table({ name: vectorFromArray(['a'], new Utf8()) }), target))).toContain('- id: long (not nullable)')
  })

  it('refuses columns the table lacks and types that do not convert, showing the difference', () => {
    const data = new Table({ id: vectorFromArray([1n], new Int64()), name: vectorFromArray([1], new Int32()), extra: vectorFromArray(['x'], new Utf8()) })
    expect(mismatch(() => castToTableSchema(data, target))).toContain('~ name: integer in data, string in table\n+ extra: string (not in table)')
  })

  it('leaves identity and generated columns to the writer', () => {
    const t = schemaOf(field('id', 'long', false, { 'delta.identity.start': 1 }), field('v', 'long'))
    const out = castToTableSchema(new Table({ v: vectorFromArray([1n, 2n], new Int64()) }), t)
    expect(out.numRows).toBe(2)
    expect(arrowToPlain(out)).toEqual([{ id: null, v: 1 }, { id: null, v: 2 }])
  })
})
