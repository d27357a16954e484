import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RecordBatch, Schema, Struct, Table, makeData, type Data } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { conformTable } from '../../../src/delta/arrow/conform.js'
import { toArrowSchema } from '../../../src/delta/arrow/types.js'
import { vectorFromScalars } from '../../../src/delta/arrow/build-vector.js'
import { compareScalars } from '../../../src/delta/values/compare.js'
import type { Scalar } from '../../../src/delta/model/scalar.js'
import { parseSchema, type PrimitiveType, type StructField, type StructType } from '../../../src/delta/model/schema.js'
import { parseStats } from '../../../src/delta/stats/parse.js'
import { inferTable } from '../../../src/delta/write/infer.js'
import { parseColumnPath } from '../../../src/delta/stats/collect-columns.js'
import { formatJavaDecimal, truncateMaxString, truncateMinString } from '../../../src/delta/stats/collect-format.js'
import { collectStats } from '../../../src/delta/stats/collect.js'
import { collectLeafStats } from '../../../src/delta/stats/collect-values.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { corpusDir, hasCorpus } from '../../conformance/corpus.js'

const CORPUS = corpusDir()
const HAVE_CORPUS = hasCorpus(CORPUS)

function field(name: string, type: StructField['type'], metadata: Record<string, unknown> = {}): StructField {
  return { name, type, nullable: true, metadata }
}

/** A one-batch table of primitive columns from JS-form values (scalar.ts). */
function tableOf(columns: Array<{ name: string; type: PrimitiveType; values: Array<Scalar | null> }>): { table: Table; schema: StructType } {
  const schema: StructType = { type: 'struct', fields: columns.map((c) => field(c.name, c.type)) }
  const arrow = toArrowSchema(schema)
  const length = columns[0]?.values.length ?? 0
  const children = columns.map((c) => vectorFromScalars(c.values, c.type).data[0]! as Data)
  const batch = new RecordBatch(arrow, makeData({ type: new Struct(arrow.fields), length, nullCount: 0, children }))
  return { table: new Table(arrow, [batch]), schema }
}

describe('collectStats: shape and values', () => {
  it('writes numRecords, then min, max and null counts in schema order', () => {
    const { table, schema } = tableOf([
      { name: 'i', type: 'integer', values: [3, null, -7] },
      { name: 'l', type: 'long', values: [9223372036854775807n, -9223372036854775808n, null] },
      { name: 's', type: 'string', values: ['b', 'a"\\', null] },
      { name: 'b', type: 'boolean', values: [true, false, null] },
      { name: 'bin', type: 'binary', values: [new Uint8Array([1]), null, null] },
    ])
    expect(collectStats(table, schema, { columnMapping: 'none' })).toBe(
      '{"numRecords":3,"minValues":{"i":-7,"l":-9223372036854775808,"s":"a\\"\\\\"},' +
      '"maxValues":{"i":3,"l":9223372036854775807,"s":"b"},"nullCount":{"i":1,"l":1,"s":1,"b":1,"bin":2}}',
    )
  })

  it('leaves out min and max of a column with no value, and adds tightBounds when asked', () => {
    const { table, schema } = tableOf([
      { name: 'a', type: 'double', values: [null, null] },
      { name: 'b', type: 'long', values: [1n, 2n] },
    ])
    expect(collectStats(table, schema, { columnMapping: 'none', tightBounds: true })).toBe(
      '{"numRecords":2,"minValues":{"b":1},"maxValues":{"b":2},"nullCount":{"a":2,"b":0},"tightBounds":true}',
    )
  })

  it('writes floats as Java does and follows Spark on NaN (greatest: max NaN, min NaN only when all are)', () => {
    const { table, schema } = tableOf([
      { name: 'f', type: 'float', values: [0.1, NaN, -2.5] },
      { name: 'd', type: 'double', values: [46612611.77, 1e-5, -Infinity] },
      { name: 'n', type: 'double', values: [NaN, NaN, null] },
      { name: 'z', type: 'double', values: [0, 0, 0] },
    ])
    expect(collectStats(table, schema, { columnMapping: 'none' })).toBe(
      '{"numRecords":3,"minValues":{"f":-2.5,"d":"-Infinity","n":"NaN","z":0.0},' +
      '"maxValues":{"f":"NaN","d":4.661261177E7,"n":"NaN","z":0.0},"nullCount":{"f":0,"d":0,"n":1,"z":0}}',
    )
  })

  it('writes decimals exactly as Java BigDecimal.toString, dates and millisecond timestamps (floored)', () => {
    const { table, schema } = tableOf([
      { name: 'dec', type: 'decimal(38,18)', values: [-136744000n, 99999999999999999999999999999999999999n] },
      { name: 'date', type: 'date', values: [-1, 18_000] },
      { name: 'ts', type: 'timestamp', values: [-1n, 1_631_099_471_123_999n] },
      { name: 'ntz', type: 'timestamp_ntz', values: [1_500n, 1_631_099_471_123_456n] },
    ])
    expect(collectStats(table, schema, { columnMapping: 'none' })).toBe(
      '{"numRecords":2,"minValues":{"dec":-1.36744000E-10,"date":"1969-12-31","ts":"1969-12-31T23:59:59.999Z","ntz":"1970-01-01T00:00:00.001"},' +
      '"maxValues":{"dec":99999999999999999999.999999999999999999,"date":"2019-04-14","ts":"2021-09-08T11:11:11.123Z","ntz":"2021-09-08T11:11:11.123"},' +
      '"nullCount":{"dec":0,"date":0,"ts":0,"ntz":0}}',
    )
  })

  it('recurses into structs, counts nulls of a null parent, and gives arrays and maps null counts only', () => {
    const schema: StructType = {
      type: 'struct',
      fields: [
        field('s', { type: 'struct', fields: [field('x', 'integer'), field('flag', 'boolean'), field('t', { type: 'struct', fields: [field('y', 'string')] })] }),
        field('arr', { type: 'array', elementType: 'integer', containsNull: true }),
        field('m', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }),
        field('e', { type: 'struct', fields: [field('z', 'long')] }),
      ],
    }
    const table = inferTable([
      { s: { x: 1, flag: true, t: { y: 'q' } }, arr: [1, 2], m: new Map([['k', 1n]]), e: null },
      { s: null, arr: null, m: null, e: { z: null } },
      { s: { x: 5, flag: null, t: null }, arr: [], m: null, e: null },
    ], schema)
    expect(collectStats(table, schema, { columnMapping: 'none' })).toBe(
      '{"numRecords":3,"minValues":{"s":{"x":1,"t":{"y":"q"}},"e":{}},"maxValues":{"s":{"x":5,"t":{"y":"q"}},"e":{}},' +
      '"nullCount":{"s":{"x":1,"flag":2,"t":{"y":2}},"arr":1,"m":2,"e":{"z":3}}}',
    )
  })

  it('keys stats by physical names under column mapping, nested ones too', () => {
    const schema: StructType = {
      type: 'struct',
      fields: [field('a', { type: 'struct', fields: [field('b', 'long', { 'delta.columnMapping.physicalName': 'col-b' })] }, { 'delta.columnMapping.physicalName': 'col-a' })],
    }
    const table = inferTable([{ a: { b: 4n } }], schema)
    const expected = '{"numRecords":1,"minValues":{"col-a":{"col-b":4}},"maxValues":{"col-a":{"col-b":4}},"nullCount":{"col-a":{"col-b":0}}}'
    expect(collectStats(table, schema, { columnMapping: 'name' })).toBe(expected)
    expect(collectStats(table, schema, { columnMapping: 'none' })).toBe(expected.replaceAll('col-', ''))
  })
})

describe('collectStats: which columns', () => {
  const schema: StructType = {
    type: 'struct',
    fields: [
      field('a', 'long'),
      field('s', { type: 'struct', fields: [field('x', 'long'), field('y', 'long')] }),
      field('arr', { type: 'array', elementType: 'long', containsNull: true }),
      field('b.c', 'long'),
    ],
  }
  const table = inferTable([{ a: 1n, s: { x: 2n, y: 3n }, arr: [4n], 'b.c': 5n }], schema)
  const stats = (opts: { numIndexedCols?: number; statsColumns?: string[] }) => JSON.parse(collectStats(table, schema, { columnMapping: 'none', ...opts }))

  it('counts leaves in schema order, descending into structs (numIndexedCols)', () => {
    expect(stats({ numIndexedCols: 2 }).nullCount).toEqual({ a: 0, s: { x: 0 } })
    expect(stats({ numIndexedCols: 4 }).nullCount).toEqual({ a: 0, s: { x: 0, y: 0 }, arr: 0 })
    expect(stats({ numIndexedCols: -1 }).nullCount).toEqual({ a: 0, s: { x: 0, y: 0 }, arr: 0, 'b.c': 0 })
    expect(stats({}).nullCount).toEqual({ a: 0, s: { x: 0, y: 0 }, arr: 0, 'b.c': 0 })
    expect(stats({ numIndexedCols: 0 })).toEqual({ numRecords: 1 })
  })

  it('takes exactly the listed columns (statsColumns), case-insensitively, over numIndexedCols', () => {
    expect(stats({ statsColumns: ['S.y', '`b.c`'], numIndexedCols: 1 })).toEqual({
      numRecords: 1, minValues: { s: { y: 3 }, 'b.c': 5 }, maxValues: { s: { y: 3 }, 'b.c': 5 }, nullCount: { s: { y: 0 }, 'b.c': 0 },
    })
    expect(stats({ statsColumns: ['s'] }).nullCount).toEqual({ s: { x: 0, y: 0 } })
    expect(stats({ statsColumns: ['nope', 'a.x'] })).toEqual({ numRecords: 1 })
  })

  it('parses column paths with backquotes', () => {
    expect(parseColumnPath('a.b')).toEqual(['a', 'b'])
    expect(parseColumnPath(' `a.b`.c ')).toEqual(['a.b', 'c'])
    expect(parseColumnPath('`we``ird`')).toEqual(['we`ird'])
    expect(() => parseColumnPath('a..b')).toThrow(/not a column path/)
    expect(() => parseColumnPath('`open')).toThrow(/not a column path/)
  })
})

describe('string truncation (delta-spark StatisticsCollection)', () => {
  const a32 = 'a'.repeat(32)
  it('keeps strings of up to 32 UTF-16 units whole', () => {
    expect(truncateMaxString(a32)).toBe(a32)
    expect(truncateMinString(a32)).toBe(a32)
  })

  it('cuts a max to 32 units plus U+007F when the next character is below it, else U+10FFFF', () => {
    expect(truncateMaxString(`${a32}bcd`)).toBe(`${a32}\u007f`)
    expect(truncateMaxString(`${a32}\u007fz`)).toBe(`${a32}\u{10ffff}`)
    expect(truncateMaxString(`${a32}é`)).toBe(`${a32}\u{10ffff}`)
    expect(truncateMinString(`${a32}bcd`)).toBe(a32)
  })

  it('never splits a surrogate pair', () => {
    const s = `${'a'.repeat(31)}😀xyz`
    expect(truncateMaxString(s)).toBe(`${'a'.repeat(31)}😀\u007f`)
    expect(truncateMinString(s)).toBe(`${'a'.repeat(31)}😀`)
    const emoji = '😀'.repeat(20)
    expect(truncateMinString(emoji)).toBe(emoji)
    expect(truncateMaxString(emoji)).toBe(`${'😀'.repeat(16)}\u{10ffff}`)
  })

  it('moves past U+10FFFF characters, and gives up beyond twice the prefix', () => {
    const max = '\u{10ffff}'
    expect(truncateMaxString(`${a32}${max}${max}b`)).toBe(`${a32}${max}${max}\u007f`)
    expect(truncateMaxString(`${a32}${max}`)).toBe(`${a32}${max}`)
    expect(truncateMaxString(`${a32}${max.repeat(17)}b`)).toBeUndefined()
  })

  it('formats decimals as Java BigDecimal.toString', () => {
    expect(formatJavaDecimal(0n, 8)).toBe('0E-8')
    expect(formatJavaDecimal(0n, 6)).toBe('0.000000')
    expect(formatJavaDecimal(-98n, 6)).toBe('-0.000098')
    expect(formatJavaDecimal(-31661n, 12)).toBe('-3.1661E-8')
    expect(formatJavaDecimal(5n, 9)).toBe('5E-9')
    expect(formatJavaDecimal(12345n, 0)).toBe('12345')
    expect(formatJavaDecimal(-3346000n, 6)).toBe('-3.346000')
  })
})

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PIECES = ['a', 'z', '~', '\u007f', 'é', '中', '\uffff', '😀', '\u{10ffff}', ' ', '0']

function randomValue(type: PrimitiveType, next: () => number): Scalar {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
  const int = (bits: number) => Math.floor(next() * 2 ** bits) - 2 ** (bits - 1)
  const big = () => BigInt.asIntN(64, (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32)))
  switch (type) {
    case 'byte': return int(8)
    case 'short': return int(16)
    case 'integer': return int(32)
    case 'long': return pick([big(), big(), 2n ** 63n - 1n, -(2n ** 63n), 0n])
    case 'float': return Math.fround(pick([NaN, Infinity, -Infinity, -0, 1e-40, (next() - 0.5) * 1e6, (next() - 0.5) * 1e-3]))
    case 'double': return pick([NaN, Infinity, -0, 5e-324, (next() - 0.5) * 1e300, (next() - 0.5) * 100])
    case 'string': return Array.from({ length: Math.floor(next() * 40) }, () => pick(PIECES)).join('')
    case 'date': return int(20)
    case 'timestamp': case 'timestamp_ntz': return BigInt(int(52)) * 1000n + BigInt(Math.floor(next() * 1000))
  }
  return (big() * big()) % 10n ** 30n // decimal(38,6) and decimal(30,0)
}

describe('collectStats round trip through our reader', () => {
  const types: PrimitiveType[] = ['byte', 'short', 'integer', 'long', 'float', 'double', 'string', 'date', 'timestamp', 'timestamp_ntz', 'decimal(38,6)', 'decimal(30,0)']

  it('gives bounds that contain every value and exact null counts, for random data', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed)
      const rows = 1 + Math.floor(next() * 30)
      const columns = types.map((type, k) => ({
        name: `c${k}`, type,
        values: Array.from({ length: rows }, () => (next() < 0.2 ? null : randomValue(type, next))),
      }))
      const { table, schema } = tableOf(columns)
      const json = collectStats(table, schema, { columnMapping: 'none' })
      const stats = parseStats(json)!
      expect(stats.numRecords).toBe(rows)
      for (const c of columns) {
        const present = c.values.filter((v): v is Scalar => v !== null)
        expect(stats.nullCount([c.name]), `seed ${seed} ${c.type}`).toBe(rows - present.length)
        const min = stats.min([c.name], c.type)
        const max = stats.max([c.name], c.type)
        for (const v of present) {
          if (min !== undefined) expect(compareScalars(min, v, c.type), `seed ${seed} ${c.type} min ${String(min)} > ${String(v)}`).toBeLessThanOrEqual(0)
          if (max !== undefined) expect(compareScalars(max, v, c.type), `seed ${seed} ${c.type} max ${String(max)} < ${String(v)}`).toBeGreaterThanOrEqual(0)
        }
        const hasNaN = present.some((v) => typeof v === 'number' && Number.isNaN(v))
        // JSON numbers past 2^53 reach the reader as doubles, which it widens into safe bounds.
        const safe = present.every((v) => typeof v !== 'bigint' || (v <= 2n ** 53n && v >= -(2n ** 53n)))
        const exact = ['byte', 'short', 'integer', 'date'].includes(c.type) || (c.type === 'long' && safe)
        if (present.length > 0 && exact) {
          expect(min, `seed ${seed} ${c.type}`).toEqual(present.reduce((a, b) => (compareScalars(a, b, c.type) <= 0 ? a : b)))
          expect(max, `seed ${seed} ${c.type}`).toEqual(present.reduce((a, b) => (compareScalars(a, b, c.type) >= 0 ? a : b)))
        }
        if (present.length > 0 && !hasNaN && c.type !== 'string') expect(max, `seed ${seed} ${c.type}`).toBeDefined()
      }
    }
  })

  it('keeps a string max usable by the reader when the cut lands on a surrogate pair', () => {
    const values = [`${'x'.repeat(31)}😀😀`, `${'x'.repeat(31)}😀`, `${'x'.repeat(40)}`]
    const { table, schema } = tableOf([{ name: 's', type: 'string', values }])
    const stats = parseStats(collectStats(table, schema, { columnMapping: 'none' }))!
    const max = stats.max(['s'], 'string')
    expect(max).toBe(`${'x'.repeat(31)}😀\u{10ffff}`)
    for (const v of values) expect(compareScalars(max!, v, 'string')).toBeGreaterThan(0)
  })
})

/** The commits of a corpus table: each commit's actions, in version order. */
function readCommits(dir: string): Array<Array<Record<string, any>>> {
  const log = join(dir, '_delta_log')
  return readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort()
    .map((f) => readFileSync(join(log, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>))
}

/** Spark writes timestamp stats in its session zone; ours are UTC with `Z`: the same instant. */
function toUtcTimestamps(stats: string): string {
  return stats.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})([+-]\d{2}:\d{2})"/g, (_m, local: string, zone: string) => `"${new Date(`${local}${zone}`).toISOString()}"`)
}

describe.skipIf(!HAVE_CORPUS)('collectStats against Spark-written stats in the corpus', () => {
  it('rebuilds the stats of every data file Spark wrote, byte for byte', async () => {
    const codec = await nodeParquetCodec()
    let compared = 0
    for (const name of readdirSync(join(CORPUS, 'tables'))) {
      const dir = join(CORPUS, 'tables', name)
      if (!existsSync(join(dir, '_delta_log'))) continue
      let metadata: Record<string, any> | undefined
      for (const commit of readCommits(dir)) {
        metadata = commit.find((a) => a.metaData)?.metaData ?? metadata
        const spark = String(commit.find((a) => a.commitInfo)?.commitInfo.engineInfo ?? '').startsWith('Apache-Spark')
        for (const add of commit.filter((a) => a.add?.stats).map((a) => a.add)) {
          const path = join(dir, decodeURIComponent(add.path))
          // Stats rewritten after a delete (tightBounds false) no longer describe a fresh write.
          if (!spark || !metadata || !existsSync(path) || add.stats.includes('"tightBounds":false')) continue
          // Types this library cannot hold (variant) are out of scope.
          if (metadata.schemaString.includes('"variant"')) continue
          const schema = parseSchema(metadata.schemaString)
          const data: StructType = { type: 'struct', fields: schema.fields.filter((f) => !metadata!.partitionColumns.includes(f.name)) }
          const mode = metadata.configuration['delta.columnMapping.mode'] ?? 'none'
          const bytes = new Uint8Array(readFileSync(path))
          const raw = await codec.read({ size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) })
          const config = metadata.configuration as Record<string, string>
          const numIndexed = config['delta.dataSkippingNumIndexedCols']
          const ours = collectStats(conformTable(raw, data, { columnMapping: mode }), data, {
            columnMapping: mode, tightBounds: add.stats.includes('"tightBounds":true'),
            numIndexedCols: numIndexed === undefined ? undefined : Number(numIndexed),
            statsColumns: config['delta.dataSkippingStatsColumns']?.split(','),
          })
          expect(ours, `${name}/${add.path}`).toBe(toUtcTimestamps(add.stats))
          compared++
        }
      }
    }
    expect(compared).toBeGreaterThan(50)
  })

  it('matches the all-types example exactly (decimals, floats, nested structs, arrays, maps)', async () => {
    const codec = await nodeParquetCodec()
    for (const name of ['parquet-all-types', 'decimal-various-scale-precision']) {
      const dir = join(CORPUS, 'tables', name)
      const actions = readCommits(dir).flat()
      const schema = parseSchema(actions.find((a) => a.metaData)!.metaData.schemaString)
      const add = actions.find((a) => a.add)!.add
      const bytes = new Uint8Array(readFileSync(join(dir, add.path)))
      const raw = await codec.read({ size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) })
      expect(collectStats(conformTable(raw, schema, { columnMapping: 'none' }), schema, { columnMapping: 'none' })).toBe(add.stats)
    }
  })
})

describe('collectStats on an empty selection of fields', () => {
  it('handles a table without columns', () => {
    const arrow = new Schema([])
    const table = new Table(arrow, [new RecordBatch(arrow, makeData({ type: new Struct([]), length: 2, nullCount: 0, children: [] }))])
    expect(collectStats(table, { type: 'struct', fields: [] }, { columnMapping: 'none' })).toBe('{"numRecords":2}')
  })
})

describe('collectLeafStats on raw buffers', () => {
  it('finds the exact extremes of 64-bit, decimal and float columns', () => {
    const next = random(99)
    const longs = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? null : BigInt.asIntN(64, BigInt(Math.floor(next() * 2 ** 53)) << BigInt(i % 12))))
    const decimals = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? null : (BigInt(Math.floor(next() * 2 ** 53)) * BigInt(Math.floor(next() * 2 ** 53)) * (next() < 0.5 ? -1n : 1n)) % 10n ** 38n))
    const { table } = tableOf([
      { name: 'l', type: 'long', values: longs },
      { name: 'd', type: 'decimal(38,6)', values: decimals },
    ])
    const floats = tableOf([{ name: 'f', type: 'double', values: [2.5, -0, null, -7.25, 0, 1e300, 3] }]).table
    const extremes = (xs: Array<Scalar | null>, type: PrimitiveType) => {
      const present = xs.filter((v): v is Scalar => v !== null)
      return {
        min: present.reduce((a, b) => (compareScalars(a, b, type) <= 0 ? a : b)),
        max: present.reduce((a, b) => (compareScalars(a, b, type) >= 0 ? a : b)),
      }
    }
    expect(collectLeafStats(table, ['l'], 'long', true)).toEqual({ nullCount: 29, ...extremes(longs, 'long') })
    expect(collectLeafStats(table.slice(3, 6), ['l'], 'long', true)).toEqual({ nullCount: 0, ...extremes(longs.slice(3, 6), 'long') })
    expect(collectLeafStats(table, ['d'], 'decimal(38,6)', true)).toEqual({ nullCount: 40, ...extremes(decimals, 'decimal(38,6)') })
    expect(collectLeafStats(floats.slice(0, 6), ['f'], 'double', true)).toEqual({ nullCount: 1, min: -7.25, max: 1e300 })
  })
})
