import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import {
  escapePartitionPathSegment, escapePathName, formatPartitionValue, HIVE_DEFAULT_PARTITION, parsePartitionValue, partitionPath,
} from '../../../src/delta/values/partition-value.js'
import type { Scalar } from '../../../src/delta/model/scalar.js'
import { findField, parseSchema, type DeltaType } from '../../../src/delta/model/schema.js'
import { corpusTablesDir, hasCorpus } from '../../conformance/corpus.js'

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return isDeltaError(e) ? e.code : 'not a DeltaError'
  }
  return undefined
}

describe('parsePartitionValue', () => {
  it('reads null, the empty string and the Hive default as NULL for every type', () => {
    for (const type of ['string', 'integer', 'long', 'date', 'timestamp', 'decimal(5,2)', 'boolean', 'binary'] as DeltaType[]) {
      expect(parsePartitionValue(null, type)).toBeNull()
      expect(parsePartitionValue(undefined, type)).toBeNull()
      expect(parsePartitionValue('', type)).toBeNull()
      expect(parsePartitionValue(HIVE_DEFAULT_PARTITION, type)).toBeNull()
    }
  })

  it('reads strings as they are, escapes and the text "null" included', () => {
    expect(parsePartitionValue('bar+%21', 'string')).toBe('bar+%21')
    expect(parsePartitionValue('null', 'string')).toBe('null')
    expect(parsePartitionValue(' a/b=c ', 'string')).toBe(' a/b=c ')
  })

  it('reads integers in range, longs exactly as bigint', () => {
    expect(parsePartitionValue('-128', 'byte')).toBe(-128)
    expect(parsePartitionValue('32767', 'short')).toBe(32767)
    expect(parsePartitionValue('-2147483648', 'integer')).toBe(-2147483648)
    expect(parsePartitionValue('9223372036854775807', 'long')).toBe(9223372036854775807n)
    expect(parsePartitionValue('9007199254740993', 'long')).toBe(9007199254740993n)
    expect(errorCode(() => parsePartitionValue('128', 'byte'))).toBe('InvalidLog')
    expect(errorCode(() => parsePartitionValue('1.5', 'integer'))).toBe('InvalidLog')
    expect(errorCode(() => parsePartitionValue('abc', 'long'))).toBe('InvalidLog')
  })

  it('reads floats (rounded to float32), doubles and their special values', () => {
    expect(parsePartitionValue('0.1', 'float')).toBe(Math.fround(0.1))
    expect(parsePartitionValue('1.0', 'double')).toBe(1)
    expect(parsePartitionValue('-1.5E-3', 'double')).toBe(-0.0015)
    expect(parsePartitionValue('NaN', 'double')).toBeNaN()
    expect(parsePartitionValue('-Infinity', 'float')).toBe(-Infinity)
    expect(errorCode(() => parsePartitionValue('1,5', 'double'))).toBe('InvalidLog')
  })

  it('reads decimals exactly, rescaled to the type and refusing any loss', () => {
    expect(parsePartitionValue('1.5', 'decimal(5,2)')).toBe(150n)
    expect(parsePartitionValue('-2342342.23423', 'decimal(12,5)')).toBe(-234234223423n)
    expect(parsePartitionValue('0.00004', 'decimal(10,5)')).toBe(4n)
    expect(parsePartitionValue('234.00000', 'decimal(8,5)')).toBe(23400000n)
    expect(parsePartitionValue('12345678901234567890.123456789012345678', 'decimal(38,18)')).toBe(12345678901234567890123456789012345678n)
    expect(parsePartitionValue('1.50', 'decimal(5,1)')).toBe(15n)
    expect(errorCode(() => parsePartitionValue('1.234', 'decimal(5,2)'))).toBe('InvalidLog')
    expect(errorCode(() => parsePartitionValue('1234.5', 'decimal(5,2)'))).toBe('InvalidLog')
  })

  it('reads booleans, dates and binary', () => {
    expect(parsePartitionValue('true', 'boolean')).toBe(true)
    expect(parsePartitionValue('FALSE', 'boolean')).toBe(false)
    expect(errorCode(() => parsePartitionValue('1', 'boolean'))).toBe('InvalidLog')
    expect(parsePartitionValue('1970-01-01', 'date')).toBe(0)
    expect(parsePartitionValue('2021-09-08', 'date')).toBe(18878)
    expect(parsePartitionValue('1900-03-01', 'date')).toBe(-25508)
    expect(errorCode(() => parsePartitionValue('2021-02-29', 'date'))).toBe('InvalidLog')
    expect(parsePartitionValue('\u0001\u0002\u0003', 'binary')).toEqual(new Uint8Array([1, 2, 3]))
    expect(parsePartitionValue('é', 'binary')).toEqual(new Uint8Array([0xc3, 0xa9]))
  })

  it('reads timestamps in both protocol forms, zone-less as UTC, and ISO-8601 with a zone', () => {
    expect(parsePartitionValue('1970-01-01 00:00:00', 'timestamp')).toBe(0n)
    expect(parsePartitionValue('1970-01-01 00:00:00.123456', 'timestamp')).toBe(123456n)
    expect(parsePartitionValue('2021-09-08 11:11:11', 'timestamp')).toBe(1631099471000000n)
    expect(parsePartitionValue('2021-09-08T03:06:40.000000Z', 'timestamp')).toBe(1631070400000000n)
    expect(parsePartitionValue('2021-09-08T05:06:40.5+02:00', 'timestamp')).toBe(1631070400500000n)
    expect(parsePartitionValue('1969-12-31 23:59:59.999999', 'timestamp')).toBe(-1n)
    expect(parsePartitionValue('2021-11-18 02:30:00.123', 'timestamp_ntz')).toBe(1637202600123000n)
    expect(errorCode(() => parsePartitionValue('2021-11-18T02:30:00Z', 'timestamp_ntz'))).toBe('InvalidLog')
    expect(errorCode(() => parsePartitionValue('2021-09-08 25:00:00', 'timestamp'))).toBe('InvalidLog')
  })
})

describe('formatPartitionValue', () => {
  it('writes each type so that it parses back to the same value', () => {
    const cases: Array<[Scalar, DeltaType, string]> = [
      ['a/b', 'string', 'a/b'],
      [-5, 'integer', '-5'],
      [9223372036854775807n, 'long', '9223372036854775807'],
      [1.5, 'double', '1.5'],
      [-0, 'double', '-0.0'],
      [NaN, 'double', 'NaN'],
      [150n, 'decimal(5,2)', '1.50'],
      [-4n, 'decimal(10,5)', '-0.00004'],
      [true, 'boolean', 'true'],
      [18878, 'date', '2021-09-08'],
      [1631099471000001n, 'timestamp', '2021-09-08T11:11:11.000001Z'],
      [-1n, 'timestamp_ntz', '1969-12-31 23:59:59.999999'],
      [new Uint8Array([104, 105]), 'binary', 'hi'],
    ]
    for (const [value, type, text] of cases) {
      expect(formatPartitionValue(value, type), String(type)).toBe(text)
      expect(parsePartitionValue(text, type), String(type)).toEqual(value)
    }
  })

  it('round-trips timestamps in the ISO-8601 UTC form it writes and the zone-less form, across the years', () => {
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const min = -62135596800000000n // 0001-01-01
    const span = 253402300799999999n - min // to 9999-12-31 23:59:59.999999
    for (let i = 0; i < 500; i++) {
      const micros = min + (span * BigInt(Math.floor(next() * 2 ** 30))) / 2n ** 30n + BigInt(Math.floor(next() * 1e6))
      const iso = formatPartitionValue(micros, 'timestamp')!
      expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
      expect(parsePartitionValue(iso, 'timestamp')).toBe(micros)
      const spaced = formatPartitionValue(micros, 'timestamp', { timestamp: 'space' })!
      expect(parsePartitionValue(spaced, 'timestamp')).toBe(micros)
      expect(parsePartitionValue(spaced.replace(/\.?0+$/, ''), 'timestamp')).toBe(micros)
      expect(parsePartitionValue(formatPartitionValue(micros, 'timestamp_ntz')!, 'timestamp_ntz')).toBe(micros)
    }
  })

  it('writes NULL and the empty string as null, zone-less timestamps on request', () => {
    expect(formatPartitionValue(null, 'string')).toBeNull()
    expect(formatPartitionValue('', 'string')).toBeNull()
    expect(formatPartitionValue(0n, 'timestamp', { timestamp: 'space' })).toBe('1970-01-01 00:00:00.000000')
    expect(formatPartitionValue(0n, 'timestamp_ntz', { timestamp: 'iso' })).toBe('1970-01-01 00:00:00.000000')
    expect(errorCode(() => formatPartitionValue(new Uint8Array([0xff]), 'binary'))).toBe('InvalidArgument')
  })
})

describe('partition paths', () => {
  it('escapes what Hive escapes, as %XX upper-case', () => {
    expect(escapePathName('a/b')).toBe('a%2Fb')
    expect(escapePathName('x:y=z%')).toBe('x%3Ay%3Dz%25')
    expect(escapePathName('2021-09-08 11:11:11')).toBe('2021-09-08 11%3A11%3A11')
    expect(escapePathName('a\nb\u0001"#\'*?\\\u007f{[]^')).toBe('a%0Ab%01%22%23%27%2A%3F%5C%7F%7B%5B%5D%5E')
    expect(escapePathName('é 😀 +,;<>|}')).toBe('é 😀 +,;<>|}')
  })

  it('builds name=value folders with the Hive default for NULL', () => {
    expect(escapePartitionPathSegment('my/col', 'v=1')).toBe('my%2Fcol=v%3D1')
    expect(escapePartitionPathSegment('c', null)).toBe(`c=${HIVE_DEFAULT_PARTITION}`)
    expect(partitionPath(['year', 'city', 'n'], { year: '2024', city: 'São Paulo/Centro', n: null })).toBe(
      `year=2024/city=São Paulo%2FCentro/n=${HIVE_DEFAULT_PARTITION}`,
    )
    expect(partitionPath([], {})).toBe('')
  })
})

// Every partition value in the conformance corpus must parse with its column's type, and
// format back to text that parses to the same value.
const tablesDir = corpusTablesDir()

function commitLines(table: string): Array<Record<string, Record<string, unknown>>> {
  const log = join(tablesDir, table, '_delta_log')
  if (!existsSync(log)) return []
  return readdirSync(log)
    .filter((f) => /^\d{20}\.json$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(join(log, f), 'utf8').split('\n').filter((l) => l.trim() !== ''))
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>)
}

describe.skipIf(!hasCorpus())('partition values of the conformance corpus', () => {
  it('parse with their column types and survive a format round trip', () => {
    let checked = 0
    for (const table of readdirSync(tablesDir)) {
      const lines = commitLines(table)
      const meta = lines.filter((l) => l.metaData).at(-1)?.metaData
      if (!meta || !(meta.partitionColumns as string[]).length) continue
      const schema = parseSchema(meta.schemaString as string)
      const physical = new Map<string, DeltaType>()
      for (const name of meta.partitionColumns as string[]) {
        const f = findField(schema, name)!
        physical.set(String(f.metadata['delta.columnMapping.physicalName'] ?? f.name), f.type)
        physical.set(f.name, f.type)
      }
      for (const add of lines.filter((l) => l.add).map((l) => l.add!)) {
        for (const [key, raw] of Object.entries(add.partitionValues as Record<string, string | null>)) {
          const type = physical.get(key)
          if (!type) continue
          const value = parsePartitionValue(raw, type)
          expect(parsePartitionValue(formatPartitionValue(value, type), type), `${table} ${key}=${raw}`).toEqual(value)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('reads the known values of data-reader-partition-values and the ISO-8601 table', () => {
    const pv = commitLines('data-reader-partition-values').flatMap((l) => (l.add ? [l.add.partitionValues as Record<string, string>] : []))
    expect(pv.map((p) => parsePartitionValue(p.as_timestamp, 'timestamp'))).toContain(1631099471000000n)
    expect(pv.map((p) => parsePartitionValue(p.as_big_decimal, 'decimal(1,0)'))).toEqual(expect.arrayContaining([0n, 1n, null]))
    const iso = commitLines('kernel-timestamp-partition-col-ISO8601').flatMap((l) => (l.add ? [l.add.partitionValues as Record<string, string>] : []))
    expect(iso.map((p) => parsePartitionValue(p.ts, 'timestamp'))).toContain(1704103200000000n)
  })
})
