import {
  Binary, BinaryView, Bool, DataType, DateDay, DateMillisecond, Decimal, DenseUnion, Dictionary, DurationSecond, Field,
  FixedSizeBinary, FixedSizeList, Float16, Float32, Float64, Int16, Int32, Int64, Int8, IntervalDayTime, LargeBinary,
  LargeList, LargeUtf8, List, Map_, Null, Schema, Struct, TimeMillisecond, TimestampMillisecond, TimestampNanosecond,
  TimestampSecond, Uint16, Uint32, Uint64, Uint8, Utf8, Utf8View,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { toArrowSchema } from '../../../src/delta/arrow/types.js'
import type { DeltaType, StructType } from '../../../src/delta/model/schema.js'
import { arrowSchemaToDelta, arrowTypeToDelta } from '../../../src/delta/write/arrow-to-delta.js'

describe('arrowTypeToDelta', () => {
  it('maps every primitive Arrow type Delta can hold', () => {
    const cases: Array<[DataType, DeltaType]> = [
      [new Int8(), 'byte'], [new Int16(), 'short'], [new Int32(), 'integer'], [new Int64(), 'long'],
      [new Uint8(), 'short'], [new Uint16(), 'integer'], [new Uint32(), 'long'],
      [new Float16(), 'float'], [new Float32(), 'float'], [new Float64(), 'double'], [new Bool(), 'boolean'],
      [new Utf8(), 'string'], [new LargeUtf8(), 'string'], [new Utf8View(), 'string'],
      [new Binary(), 'binary'], [new LargeBinary(), 'binary'], [new BinaryView(), 'binary'], [new FixedSizeBinary(16), 'binary'],
      [new DateDay(), 'date'], [new DateMillisecond(), 'date'],
      [new TimestampSecond('UTC'), 'timestamp'], [new TimestampNanosecond('Europe/Paris'), 'timestamp'],
      [new TimestampMillisecond(), 'timestamp_ntz'], [new TimestampNanosecond(null), 'timestamp_ntz'],
      [new Decimal(2, 10, 128), 'decimal(10,2)'], [new Decimal(0, 38, 256), 'decimal(38,0)'], [new Decimal(3, 9, 64), 'decimal(9,3)'],
      [new Dictionary(new Utf8(), new Int32()), 'string'],
    ]
    for (const [arrow, delta] of cases) expect(arrowTypeToDelta(arrow, 'c'), String(arrow)).toEqual(delta)
  })

  it('maps nested types, with containsNull and valueContainsNull from the child fields', () => {
    expect(arrowTypeToDelta(new List(new Field('item', new Int64(), false)), 'c')).toEqual({ type: 'array', elementType: 'long', containsNull: false })
    expect(arrowTypeToDelta(new LargeList(new Field('item', new Utf8(), true)), 'c')).toEqual({ type: 'array', elementType: 'string', containsNull: true })
    expect(arrowTypeToDelta(new FixedSizeList(3, new Field('item', new Float32(), true)), 'c')).toEqual({ type: 'array', elementType: 'float', containsNull: true })
    const map = new Map_(new Field('entries', new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), false)]), false))
    expect(arrowTypeToDelta(map, 'c')).toEqual({ type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: false })
    expect(arrowTypeToDelta(new Struct([new Field('a', new Int8(), false), new Field('b', new Dictionary(new Utf8(), new Int8()), true)]), 'c')).toEqual({
      type: 'struct',
      fields: [{ name: 'a', type: 'byte', nullable: false, metadata: {} }, { name: 'b', type: 'string', nullable: true, metadata: {} }],
    })
  })

  it('refuses types Delta cannot store, naming the column and what to do', () => {
    const refuse = (t: DataType, message: RegExp) => expect(() => arrowTypeToDelta(t, 's.x')).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(message) }))
    refuse(new Uint64(), /column 's.x' is UInt64.*cast it to Int64/)
    refuse(new Null(), /column 's.x' has Arrow type Null.*give the column a type/)
    refuse(new TimeMillisecond(), /column 's.x' has Arrow type Time.*which Delta cannot store; cast it to a string/)
    refuse(new DurationSecond(), /Duration.*cast it to a long/)
    refuse(new IntervalDayTime(), /Interval.*cast it to a string/)
    refuse(new DenseUnion([0], [new Field('a', new Int32())]), /Union.*split it/)
    refuse(new Decimal(0, 39, 256), /Decimal\(39, 0\).*precision of at most 38/)
    refuse(new List(new Field('item', new Uint64())), /column 's.x\[\]' is UInt64/)
  })
})

describe('arrowSchemaToDelta', () => {
  it('is the inverse of toArrowSchema, nullability included', () => {
    const schema: StructType = {
      type: 'struct',
      fields: [
        { name: 'id', type: 'long', nullable: false, metadata: {} },
        { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
        { name: 'ntz', type: 'timestamp_ntz', nullable: true, metadata: {} },
        { name: 'amount', type: 'decimal(12,3)', nullable: true, metadata: {} },
        { name: 's', type: { type: 'struct', fields: [{ name: 'd', type: 'date', nullable: false, metadata: {} }] }, nullable: true, metadata: {} },
        { name: 'a', type: { type: 'array', elementType: { type: 'array', elementType: 'binary', containsNull: false }, containsNull: true }, nullable: true, metadata: {} },
        { name: 'm', type: { type: 'map', keyType: 'string', valueType: { type: 'struct', fields: [{ name: 'f', type: 'float', nullable: true, metadata: {} }] }, valueContainsNull: false }, nullable: false, metadata: {} },
      ],
    }
    expect(arrowSchemaToDelta(toArrowSchema(schema))).toEqual(schema)
  })

  it('drops Arrow field metadata and names the nested column in errors', () => {
    const arrow = new Schema([new Field('x', new Int32(), true, new Map([['PARQUET:field_id', '1']])), new Field('s', new Struct([new Field('t', new TimeMillisecond())]))])
    expect(() => arrowSchemaToDelta(arrow)).toThrow(/column 's.t'/)
    expect(arrowSchemaToDelta(new Schema([arrow.fields[0]!])).fields[0]!.metadata).toEqual({})
  })
})
