import {
  Binary, Bool, Data, DateDay, Decimal, Dictionary, Field, FixedSizeBinary, Float32, Float64, Int32, Int64, List, Map_, Struct, Table,
  Timestamp, TimeUnit, Utf8, makeData, makeVector, vectorFromArray, type Vector,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { findField, type DeltaType } from '../../src/delta/model/schema.js'
import { canonicalizeTable } from './canonical.js'
import { serializeValue, type Canonical } from './canonical-value.js'
import {
  formatDateDays, formatDecimal, formatTimestampMicros, fromBigEndianBytes, fromLittleEndianWords, toCanonicalLong,
} from './canonical-format.js'
import { canonicalizeJsonValue, normalizeDecimal } from './canonical-json.js'
import { parseColumns, toFilterString } from './query.js'
import { diffColumnNames, diffRows } from './compare.js'
import { corpusDir, hasCorpus, loadExpectedCases, loadManifest, type ManifestEntry } from './corpus.js'
import { readExpectedParquet, readLogSchema } from './expected.js'
import { parseKnown } from './known.js'
import { isFeatureRefusal } from './outcome.js'

/** Little-endian 32-bit words of a 128-bit two's complement value (Arrow's Decimal128 layout). */
function toWords(values: bigint[]): Uint32Array {
  const words = new Uint32Array(values.length * 4)
  values.forEach((v, i) => {
    let u = BigInt.asUintN(128, v)
    for (let k = 0; k < 4; k++, u >>= 32n) words[i * 4 + k] = Number(u & 0xffffffffn)
  })
  return words
}

/** A one-column table, so each test names only the type under test. */
function one(vector: Vector | Data, type: DeltaType): Canonical[] {
  const v = vector instanceof Data ? makeVector(vector) : vector
  return canonicalizeTable(new Table({ c: v }), [{ name: 'c', type }]).map((r) => r[0]!)
}

describe('canonical text forms', () => {
  it('writes decimals with exactly scale fraction digits', () => {
    expect(formatDecimal(12345n, 2)).toBe('123.45')
    expect(formatDecimal(-5n, 3)).toBe('-0.005')
    expect(formatDecimal(0n, 2)).toBe('0.00')
    expect(formatDecimal(-42n, 0)).toBe('-42')
  })

  it('writes longs as numbers up to 2^53 and as strings beyond', () => {
    expect(toCanonicalLong(2n ** 53n)).toBe(9007199254740992)
    expect(toCanonicalLong(2n ** 53n + 1n)).toBe('9007199254740993')
    expect(toCanonicalLong(-(2n ** 63n))).toBe('-9223372036854775808')
  })

  it('writes dates across the whole calendar', () => {
    expect(formatDateDays(0)).toBe('1970-01-01')
    expect(formatDateDays(-1)).toBe('1969-12-31')
    expect(formatDateDays(2_932_896)).toBe('9999-12-31')
    expect(formatDateDays(-719_162)).toBe('0001-01-01')
    expect(formatDateDays(11_016)).toBe('2000-02-29')
  })

  it('writes timestamps as UTC micros, with Z only for timestamp', () => {
    expect(formatTimestampMicros(1_577_866_150_000_000n, true)).toBe('2020-01-01T08:09:10.000000Z')
    expect(formatTimestampMicros(-1n, false)).toBe('1969-12-31T23:59:59.999999')
    expect(formatTimestampMicros(253_402_214_400_000_000n, true)).toBe('9999-12-31T00:00:00.000000Z')
  })

  it('decodes two\'s complement integers from words and bytes', () => {
    expect(fromLittleEndianWords(toWords([-2n]), 0, 4)).toBe(-2n)
    expect(fromLittleEndianWords(toWords([10n ** 37n + 3n]), 0, 4)).toBe(10n ** 37n + 3n)
    expect(fromBigEndianBytes(Uint8Array.of(0xff, 0x85))).toBe(-123n)
    expect(fromBigEndianBytes(Uint8Array.of(0x00, 0x01, 0x00))).toBe(256n)
  })
})

describe('canonicalizeTable', () => {
  it('reads Int64 exactly and keeps null apart from the empty string', () => {
    const longs = makeData({ type: new Int64(), length: 2, data: BigInt64Array.of(2n ** 53n + 1n, -3n) })
    expect(one(longs, 'long')).toEqual(['9007199254740993', -3])
    expect(one(vectorFromArray(['', null, 'x'], new Utf8()), 'string')).toEqual(['', null, 'x'])
  })

  it('reads Decimal128 from its words and decimals stored as Int32 or fixed-length bytes', () => {
    const big = 10n ** 37n + 12_345n
    const d128 = makeData({ type: new Decimal(2, 38, 128), length: 3, data: toWords([12_345n, -1n, big]) })
    expect(one(d128, 'decimal(38,2)')).toEqual(['123.45', '-0.01', `${(big / 100n).toString()}.45`])
    expect(one(vectorFromArray([150, -7], new Int32()), 'decimal(5,2)')).toEqual(['1.50', '-0.07'])
    const fixed = makeData({ type: new FixedSizeBinary(2), length: 1, data: Uint8Array.of(0xff, 0x85) })
    expect(one(fixed, 'decimal(4,1)')).toEqual(['-12.3'])
  })

  it('widens a smaller stored decimal scale exactly', () => {
    const d = makeData({ type: new Decimal(1, 10, 128), length: 1, data: toWords([15n]) })
    expect(one(d, 'decimal(10,3)')).toEqual(['1.500'])
  })

  it('reads timestamps in any unit and dates', () => {
    const ms = makeData({ type: new Timestamp(TimeUnit.MILLISECOND, 'UTC'), length: 1, data: BigInt64Array.of(1_577_866_150_123n) })
    expect(one(ms, 'timestamp')).toEqual(['2020-01-01T08:09:10.123000Z'])
    const ns = makeData({ type: new Timestamp(TimeUnit.NANOSECOND), length: 1, data: BigInt64Array.of(1_637_202_600_123_456_000n) })
    expect(one(ns, 'timestamp_ntz')).toEqual(['2021-11-18T02:30:00.123456'])
    const days = vectorFromArray([new Date(Date.UTC(2020, 0, 1))], new DateDay())
    expect(one(days, 'date')).toEqual(['2020-01-01'])
  })

  it('rounds float through Math.fround and keeps NaN', () => {
    expect(one(vectorFromArray([0.1, Number.NaN], new Float32()), 'float')).toEqual([Math.fround(0.1), Number.NaN])
    expect(one(vectorFromArray([0.1], new Float64()), 'double')).toEqual([0.1])
  })

  it('writes binary as lowercase hex', () => {
    expect(one(vectorFromArray([Uint8Array.of(0, 171, 16)], new Binary()), 'binary')).toEqual(['00ab10'])
  })

  it('reads structs by field name, lists in order and maps as sorted pairs', () => {
    const structType = new Struct([new Field('b', new Int32()), new Field('a', new Utf8())])
    const structs = vectorFromArray([{ b: 1, a: 'x' }, null], structType)
    const delta: DeltaType = {
      type: 'struct',
      fields: [{ name: 'a', type: 'string', nullable: true, metadata: {} }, { name: 'b', type: 'integer', nullable: true, metadata: {} }],
    }
    expect(one(structs, delta)).toEqual([{ a: 'x', b: 1 }, null])
    const lists = vectorFromArray([[3, 1], [], null], new List(new Field('element', new Int32())))
    expect(one(lists, { type: 'array', elementType: 'integer', containsNull: true })).toEqual([[3, 1], [], null])
    const entries = new Struct([new Field('key', new Int32(), false), new Field('value', new Int64())])
    const maps = vectorFromArray([new Map([[2, 20n], [1, 10n]])], new Map_(new Field('entries', entries)))
    expect(one(maps, { type: 'map', keyType: 'integer', valueType: 'long', valueContainsNull: true })).toEqual([[[1, 10], [2, 20]]])
  })

  it('reads dictionary-encoded and sliced columns', () => {
    const dict = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()))
    expect(one(dict, 'string')).toEqual(['a', 'b', 'a'])
    const table = new Table({
      flag: vectorFromArray([true, false, true, false, true, true, false, false, true, false], new Bool()),
      n: makeVector(makeData({ type: new Int64(), length: 10, data: BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i)) })),
    }).slice(7)
    expect(canonicalizeTable(table, [{ name: 'flag', type: 'boolean' }, { name: 'n', type: 'long' }]))
      .toEqual([[false, 7], [true, 8], [false, 9]])
  })

  it('refuses a missing column or an Arrow type that cannot carry the Delta type', () => {
    const t = new Table({ c: vectorFromArray(['x']) })
    expect(() => canonicalizeTable(t, [{ name: 'd', type: 'string' }])).toThrow(/'d' is missing/)
    expect(() => canonicalizeTable(t, [{ name: 'c', type: 'long' }])).toThrow(/cannot read Delta type long/)
  })
})

describe('expected.json values', () => {
  it('normalizes spelling only, never rounding', () => {
    expect(normalizeDecimal('1.5', 2)).toBe('1.50')
    expect(normalizeDecimal('-0.100', 1)).toBe('-0.1')
    expect(normalizeDecimal('1.25', 1)).toBe('1.25')
    expect(canonicalizeJsonValue('9223372036854775807', 'long')).toBe('9223372036854775807')
    expect(canonicalizeJsonValue('5', 'long')).toBe(5)
    expect(canonicalizeJsonValue(3.4000000953674316, 'float')).toBe(Math.fround(3.4))
    expect(canonicalizeJsonValue('AB01', 'binary')).toBe('ab01')
    expect(canonicalizeJsonValue({ 'field.one': 2 }, parseColumns([{ name: 's', type: { type: 'struct', fields: [
      { name: 'field', type: 'integer', nullable: true, metadata: {} },
      { name: 'field.one', type: 'integer', nullable: true, metadata: {} },
    ] } }])[0]!.type)).toEqual({ field: null, 'field.one': 2 })
  })
})

describe('comparison helpers', () => {
  it('compares rows as multisets: order is free, duplicates count, NaN equals NaN', () => {
    expect(diffRows([[2, 'b'], [1, 'a'], [Number.NaN, null]], [[1, 'a'], [Number.NaN, null], [2, 'b']], ['n', 's'])).toBeUndefined()
    const diff = diffRows([[1, 'a'], [1, 'a']], [[1, 'a'], [2, 'b']], ['n', 's'])
    expect(diff).toContain('got 2, expected 2')
    expect(diff).toContain('[2,"b"]')
    expect(diffRows([[null]], [['']], ['s'])).toBeDefined()
    expect(serializeValue([Number.NaN])).not.toBe(serializeValue([null]))
  })

  it('compares column names as sets', () => {
    expect(diffColumnNames(['b', 'a'], ['a', 'b'])).toBeUndefined()
    expect(diffColumnNames(['a', 'x'], ['a', 'b'])).toContain('missing [b], unexpected [x]')
  })

  it('writes filters with backticked columns and quoted strings', () => {
    expect(toFilterString({ column: 'id', op: '>', value: 3 })).toBe('`id` > 3')
    expect(toFilterString({ column: 'a`b', op: '=', value: "it's" })).toBe("`a``b` = 'it''s'")
  })

  it('parses KNOWN.md lines and rejects a line without a reason', () => {
    expect([...parseKnown('# Known\n\n- table-a: reads wrong dates\n- b: x\n')]).toEqual([['table-a', 'reads wrong dates'], ['b', 'x']])
    expect(() => parseKnown('- table-a\n')).toThrow(/must read/)
  })

  it('accepts a refusal only when it is UnsupportedFeature naming a reader feature', () => {
    const entry = { readerFeatures: ['geospatial'], notes: 'catalogManaged reader feature with staged commits' } as ManifestEntry
    const refusal = (code: string, message: string): Error => Object.assign(new Error(message), { name: 'DeltaError', code })
    expect(isFeatureRefusal(refusal('UnsupportedFeature', "reader feature 'geospatial' is not supported"), entry)).toBe(true)
    expect(isFeatureRefusal(refusal('UnsupportedFeature', 'catalogManaged tables need a catalog'), entry)).toBe(true)
    expect(isFeatureRefusal(refusal('UnsupportedFeature', 'deletionVectors'), entry)).toBe(false)
    expect(isFeatureRefusal(refusal('InvalidLog', 'geospatial'), entry)).toBe(false)
    expect(isFeatureRefusal(new TypeError('geospatial'), entry)).toBe(false)
  })
})

const corpus = corpusDir()
const manifest = hasCorpus(corpus) ? loadManifest(corpus) : []

describe.skipIf(manifest.length === 0)('corpus expectations canonicalize', () => {
  const byName = new Map(manifest.map((e) => [e.name, e]))

  /** Canonical rows of a parquet-dir expectation, typed by the table's own log schema. */
  async function expectedRows(entry: ManifestEntry): Promise<{ names: string[]; rows: Canonical[][] }> {
    const schema = readLogSchema(`${corpus}/${entry.table}`)
    if (!schema) throw new Error(`${entry.name}: no metaData in the JSON commits`)
    const files = await readExpectedParquet(corpus, entry.expected!)
    const names = files[0]!.table.schema.fields.map((f) => f.name)
    const specs = names.map((name) => ({ name, type: findField(schema, name)!.type }))
    return { names, rows: files.flatMap((f) => canonicalizeTable(f.table, specs)) }
  }

  for (const entry of manifest.filter((e) => e.expected?.kind === 'parquet-dir')) {
    it(`${entry.name} (parquet-dir)`, async () => {
      const { rows } = await expectedRows(entry)
      const ref = entry.expected as { rowCount?: number }
      expect(rows.length).toBe(ref.rowCount)
    })
  }

  for (const entry of manifest.filter((e) => e.expected?.kind === 'json')) {
    it(`${entry.name} (json)`, () => {
      for (const c of loadExpectedCases(corpus, entry.expected!)) {
        if (!c.rows || !c.columns) continue
        const specs = parseColumns(c.columns)
        const rows = c.rows.map((row) => specs.map((s, k) => canonicalizeJsonValue(row[k], s.type)))
        expect(rows.length).toBe(c.rowCount ?? rows.length)
      }
    })
  }

  it('reads known values exactly', async () => {
    expect((await expectedRows(byName.get('124-decimal-decode-bug')!)).rows).toEqual([['1000000']])
    const primitives = await expectedRows(byName.get('data-reader-primitives')!)
    expect(primitives.names).toEqual(['as_int', 'as_long', 'as_byte', 'as_short', 'as_boolean', 'as_float', 'as_double', 'as_string', 'as_binary', 'as_big_decimal'])
    expect(primitives.rows).toContainEqual([4, 4, 4, 4, true, 4, 4, '4', '0404', '4'])
    expect(primitives.rows).toContainEqual(Array<null>(10).fill(null))
    const utc = await expectedRows(byName.get('data-reader-date-types-utc')!)
    expect(utc.rows).toEqual([['2020-01-01T08:09:10.000000Z', '2020-01-01']])
    const ntz = await expectedRows(byName.get('data-reader-timestamp_ntz')!)
    expect(ntz.rows).toContainEqual([0, '2021-11-18T02:30:00.123456', '2021-11-18T02:30:00.123456'])
    const decimals = await expectedRows(byName.get('decimal-various-scale-precision')!)
    const k = decimals.names.indexOf('decimal_15_12')
    expect(decimals.rows.map((r) => r[k])).toContain('0.001469000000')
  })
})
