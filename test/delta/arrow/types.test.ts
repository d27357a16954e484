import { DataType, DateUnit, TimeUnit, type Decimal, type Int, type List, type Map_, type Timestamp } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { toArrowSchema, toArrowType } from '../../../src/delta/arrow/index.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import type { DeltaType, StructType } from '../../../src/delta/model/schema.js'

describe('toArrowType', () => {
  const ints: [DeltaType, number][] = [['byte', 8], ['short', 16], ['integer', 32], ['long', 64]]
  for (const [t, bits] of ints) {
    it(`maps ${t} to a signed ${bits}-bit int`, () => {
      const a = toArrowType(t) as Int
      expect(DataType.isInt(a)).toBe(true)
      expect([a.bitWidth, a.isSigned]).toEqual([bits, true])
    })
  }

  it('maps floats, boolean, string, binary and date', () => {
    expect(String(toArrowType('float'))).toBe('Float32')
    expect(String(toArrowType('double'))).toBe('Float64')
    expect(DataType.isBool(toArrowType('boolean'))).toBe(true)
    expect(DataType.isUtf8(toArrowType('string'))).toBe(true)
    expect(DataType.isBinary(toArrowType('binary'))).toBe(true)
    const date = toArrowType('date')
    expect(DataType.isDate(date) && date.unit).toBe(DateUnit.DAY)
  })

  it('maps timestamps to microseconds, UTC for timestamp and no zone for timestamp_ntz', () => {
    const ts = toArrowType('timestamp') as Timestamp
    const ntz = toArrowType('timestamp_ntz') as Timestamp
    expect(DataType.isTimestamp(ts)).toBe(true)
    expect([ts.unit, ts.timezone]).toEqual([TimeUnit.MICROSECOND, 'UTC'])
    expect([ntz.unit, ntz.timezone ?? null]).toEqual([TimeUnit.MICROSECOND, null])
  })

  it('maps decimal(p,s) to Decimal128 with that precision and scale', () => {
    const d = toArrowType('decimal(38,10)') as Decimal
    expect(DataType.isDecimal(d)).toBe(true)
    expect([d.precision, d.scale, d.bitWidth]).toEqual([38, 10, 128])
  })

  it('maps arrays to List with an element field carrying containsNull', () => {
    const l = toArrowType({ type: 'array', elementType: 'long', containsNull: false }) as List
    expect(DataType.isList(l)).toBe(true)
    expect(l.children[0]!.name).toBe('element')
    expect(l.children[0]!.nullable).toBe(false)
    expect(String(l.children[0]!.type)).toBe('Int64')
  })

  it('maps maps to Map with entries{key not null, value}', () => {
    const m = toArrowType({ type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true }) as Map_
    expect(DataType.isMap(m)).toBe(true)
    const entries = m.children[0]!
    expect(entries.name).toBe('entries')
    expect(entries.nullable).toBe(false)
    const [key, value] = entries.type.children
    expect([key!.name, key!.nullable, String(key!.type)]).toEqual(['key', false, 'Utf8'])
    expect([value!.name, value!.nullable, String(value!.type)]).toEqual(['value', true, 'Int32'])
  })

  it('maps structs field by field, recursively', () => {
    const t = toArrowType({
      type: 'struct',
      fields: [{ name: 'inner', type: { type: 'struct', fields: [{ name: 'x', type: 'date', nullable: false, metadata: {} }] }, nullable: true, metadata: {} }],
    })
    expect(DataType.isStruct(t)).toBe(true)
    const inner = t.children[0]!
    expect([inner.name, inner.nullable]).toEqual(['inner', true])
    expect([inner.type.children[0]!.name, inner.type.children[0]!.nullable]).toEqual(['x', false])
  })

  it('refuses a type it does not know', () => {
    let err: unknown
    try {
      toArrowType('interval' as DeltaType)
    } catch (e) {
      err = e
    }
    expect(isDeltaError(err, 'UnsupportedFeature')).toBe(true)
  })
})

describe('toArrowSchema', () => {
  it('keeps field order, logical names and nullability', () => {
    const schema: StructType = {
      type: 'struct',
      fields: [
        { name: 'id', type: 'long', nullable: false, metadata: { 'delta.columnMapping.physicalName': 'col-1' } },
        { name: 'Name', type: 'string', nullable: true, metadata: {} },
      ],
    }
    const s = toArrowSchema(schema)
    expect(s.fields.map((f) => [f.name, f.nullable, String(f.type)])).toEqual([['id', false, 'Int64'], ['Name', true, 'Utf8']])
  })
})
