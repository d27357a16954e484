import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareScalars } from '../../../src/delta/expr/index.js'
import type { Scalar } from '../../../src/delta/model/scalar.js'
import { parseSchema, type DeltaType, type StructType } from '../../../src/delta/model/schema.js'
import { parsedStatsFromStruct, parseStats, statBound } from '../../../src/delta/stats/parse.js'
import { corpusTablesDir, hasCorpus } from '../../conformance/corpus.js'

describe('parseStats', () => {
  const json = JSON.stringify({
    numRecords: 3,
    minValues: { a: 1, s: 'abc', nested: { b: -5 }, d: '2000-01-01', ts: '2000-01-01T00:00:00.000-08:00' },
    maxValues: { a: 9, s: 'abd', nested: { b: 7 }, d: '2000-01-03', ts: '2000-01-01T08:00:00.123Z' },
    nullCount: { a: 0, s: 1, nested: { b: 3 }, d: 0, ts: 0 },
  })

  it('returns undefined without stats and parses nothing until asked', () => {
    expect(parseStats(null)).toBeUndefined()
    expect(parseStats(undefined)).toBeUndefined()
    expect(parseStats('  ')).toBeUndefined()
    const broken = parseStats('{not json')
    expect(broken).toBeDefined()
    expect(broken!.numRecords).toBeUndefined()
    expect(broken!.min(['a'], 'integer')).toBeUndefined()
  })

  it('reads numRecords, min, max and nullCount by column path', () => {
    const s = parseStats(json)!
    expect(s.numRecords).toBe(3)
    expect(s.tightBounds).toBe(true)
    expect(s.min(['a'], 'integer')).toBe(1)
    expect(s.max(['a'], 'long')).toBe(9n)
    expect(s.min(['nested', 'b'], 'long')).toBe(-5n)
    expect(s.nullCount(['nested', 'b'])).toBe(3)
    expect(s.nullCount(['nested'])).toBeUndefined()
    expect(s.min(['s'], 'string')).toBe('abc')
    expect(s.max(['s'], 'string')).toBe('abd')
    expect(s.min(['d'], 'date')).toBe(10957)
    expect(s.max(['missing'], 'integer')).toBeUndefined()
    expect(s.nullCount(['missing'])).toBeUndefined()
  })

  it('converts timestamps with zones to UTC microseconds and widens a millisecond max by 999', () => {
    const s = parseStats(json)!
    expect(s.min(['ts'], 'timestamp')).toBe(946713600000000n)
    expect(s.max(['ts'], 'timestamp')).toBe(946713600123999n)
  })

  it('maps logical paths to physical ones for column mapping', () => {
    const s = parseStats(JSON.stringify({ numRecords: 1, minValues: { 'col-1': { 'col-2': 4 } }, nullCount: { 'col-1': { 'col-2': 0 } } }), {
      physicalPath: (p) => (p.join('.') === 'a.b' ? ['col-1', 'col-2'] : undefined),
    })!
    expect(s.min(['a', 'b'], 'integer')).toBe(4)
    expect(s.nullCount(['a', 'b'])).toBe(0)
    expect(s.min(['x'], 'integer')).toBeUndefined()
  })

  it('reads tightBounds and the nullCounts spelling', () => {
    const s = parseStats('{"numRecords":2,"tightBounds":false,"nullCounts":{"a":2}}')!
    expect(s.tightBounds).toBe(false)
    expect(s.nullCount(['a'])).toBe(2)
  })
})

describe('statBound', () => {
  it('keeps decimals of up to 15 digits exact and widens longer ones by a double step', () => {
    expect(statBound(JSON.parse('1.23'), 'decimal(5,2)', 'lower')).toBe(123n)
    expect(statBound(JSON.parse('-99999.99999'), 'decimal(10,5)', 'upper')).toBe(-9999999999n)
    expect(statBound(JSON.parse('0E-10'), 'decimal(20,10)', 'lower')).toBeLessThanOrEqual(0n)
    const truth = 99999999999999999999999n // 9999999999999.9999999999 in decimal(23,10)
    const n = JSON.parse('9999999999999.9999999999') as number
    const lo = statBound(n, 'decimal(23,10)', 'lower') as bigint
    const hi = statBound(n, 'decimal(23,10)', 'upper') as bigint
    expect(lo <= truth && truth <= hi).toBe(true)
    expect(hi - lo < 10n ** 8n).toBe(true)
  })

  it('bounds longs beyond 2^53 that JSON rounded, and keeps safe ones exact', () => {
    const n = JSON.parse('9007199254740993') as number
    const lo = statBound(n, 'long', 'lower') as bigint
    const hi = statBound(n, 'long', 'upper') as bigint
    expect(lo <= 9007199254740993n && 9007199254740993n <= hi).toBe(true)
    expect(statBound(123, 'long', 'upper')).toBe(123n)
    expect(statBound(12345678901234567890n, 'long', 'upper')).toBe(12345678901234567890n)
    expect(statBound('42', 'long', 'lower')).toBe(42n)
  })

  it('widens float stats by a float step, leaves doubles, and drops NaN', () => {
    const f = Math.fround(0.1) // 0.100000001490116..., written by the writer as "0.1"
    expect((statBound(0.1, 'float', 'upper') as number) >= f).toBe(true)
    expect((statBound(0.1, 'float', 'lower') as number) <= f).toBe(true)
    expect(statBound(0.1, 'double', 'upper')).toBe(0.1)
    expect(statBound('NaN', 'double', 'upper')).toBeUndefined()
    expect(statBound(NaN, 'double', 'upper')).toBeUndefined()
    expect(statBound('-Infinity', 'double', 'lower')).toBe(-Infinity)
  })

  it('trusts a string max only when it cannot have been cut carelessly', () => {
    const long = 'z'.repeat(32)
    expect(statBound('short', 'string', 'upper')).toBe('short')
    expect(statBound(long, 'string', 'upper')).toBeUndefined()
    expect(statBound(long, 'string', 'lower')).toBe(long)
    expect(statBound(`${long}\u007f`, 'string', 'upper')).toBe(`${long}\u007f`)
    expect(statBound(`${long}\u{10FFFF}`, 'string', 'upper')).toBe(`${long}\u{10FFFF}`)
  })

  it('reads timestamps exactly when they carry microseconds, and timestamp_ntz without a zone', () => {
    expect(statBound('2021-09-08T11:11:11.123456Z', 'timestamp', 'upper')).toBe(1631099471123456n)
    expect(statBound('2021-09-08T11:11:11.123Z', 'timestamp', 'lower')).toBe(1631099471123000n)
    expect(statBound('2021-11-18T02:30:00.123', 'timestamp_ntz', 'upper')).toBe(1637202600123999n)
    expect(statBound('2021-11-18T02:30:00.123Z', 'timestamp_ntz', 'upper')).toBeUndefined()
    expect(statBound(12, 'timestamp', 'upper')).toBeUndefined()
  })

  it('refuses values of the wrong shape', () => {
    expect(statBound('abc', 'integer', 'lower')).toBeUndefined()
    expect(statBound(1.5, 'integer', 'lower')).toBeUndefined()
    expect(statBound(1, 'string', 'lower')).toBeUndefined()
    expect(statBound('2020-13-01', 'date', 'lower')).toBeUndefined()
    expect(statBound({ a: 1 }, 'long', 'lower')).toBeUndefined()
    expect(statBound(1, { type: 'struct', fields: [] }, 'lower')).toBeUndefined()
  })
})

describe('parsedStatsFromStruct (checkpoint stats_parsed)', () => {
  it('reads the plain-value forms of a checkpoint row', () => {
    const s = parsedStatsFromStruct({
      numRecords: 5n,
      minValues: { d: '2021-09-08', ts: '2021-09-08T11:11:11.123456Z', dec: '123.45', l: 9007199254740993n, n: 3 },
      maxValues: { d: '2021-09-09', ts: '2021-09-08T11:11:12.000000Z', dec: '99999999999999999999.99', l: 10, n: 4 },
      nullCount: { d: 0n, ts: 1, dec: 0, l: 0, n: 0 },
    })!
    expect(s.numRecords).toBe(5)
    expect(s.min(['d'], 'date')).toBe(18878)
    expect(s.min(['ts'], 'timestamp')).toBe(1631099471123456n)
    expect(s.max(['ts'], 'timestamp')).toBe(1631099472000999n)
    expect(s.min(['dec'], 'decimal(22,2)')).toBe(12345n)
    expect(s.max(['dec'], 'decimal(22,2)')).toBe(9999999999999999999999n)
    expect(s.min(['l'], 'long')).toBe(9007199254740993n)
    expect(s.nullCount(['d'])).toBe(0)
    expect(parsedStatsFromStruct(null)).toBeUndefined()
  })
})

// The stats of every file in the conformance corpus must read as sane bounds: min <= max, and
// nullCount <= numRecords.
const tablesDir = corpusTablesDir()

function leaves(struct: StructType, prefix: string[] = [], physical: string[] = []): Array<{ path: string[]; physical: string[]; type: DeltaType }> {
  return struct.fields.flatMap((f) => {
    const p = [...prefix, f.name]
    const q = [...physical, String(f.metadata['delta.columnMapping.physicalName'] ?? f.name)]
    if (typeof f.type !== 'string') return f.type.type === 'struct' ? leaves(f.type, p, q) : []
    return [{ path: p, physical: q, type: f.type }]
  })
}

/** Leaf columns of a table schema; none for the corpus's deliberately broken or exotic schemas. */
function schemaLeaves(schemaString: unknown): ReturnType<typeof leaves> {
  if (typeof schemaString !== 'string') return []
  try {
    return leaves(parseSchema(schemaString))
  } catch {
    return []
  }
}

describe.skipIf(!hasCorpus())('stats of the conformance corpus', () => {
  it('read as bounds with min <= max for every column of every file', () => {
    let bounded = 0
    for (const table of readdirSync(tablesDir)) {
      const log = join(tablesDir, table, '_delta_log')
      if (!existsSync(log)) continue
      const lines = readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f)).sort()
        .flatMap((f) => readFileSync(join(log, f), 'utf8').split('\n').filter((l) => l.trim() !== ''))
        .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>)
      let columns: ReturnType<typeof leaves> = []
      for (const line of lines) {
        if (line.metaData) columns = schemaLeaves(line.metaData.schemaString)
        const stats = line.add && typeof line.add.stats === 'string' ? line.add.stats : undefined
        if (!stats) continue
        const byPath = new Map(columns.map((c) => [c.path.join('\u0000'), c.physical]))
        const s = parseStats(stats, { physicalPath: (p) => byPath.get(p.join('\u0000')) })!
        for (const c of columns) {
          const lo: Scalar | undefined = s.min(c.path, c.type)
          const hi: Scalar | undefined = s.max(c.path, c.type)
          const nulls = s.nullCount(c.path)
          if (nulls !== undefined && s.numRecords !== undefined) expect(nulls, `${table} ${c.path}`).toBeLessThanOrEqual(s.numRecords)
          if (lo === undefined || hi === undefined) continue
          expect(compareScalars(lo, hi, c.type), `${table} ${c.path.join('.')}: ${String(lo)} > ${String(hi)}`).toBeLessThanOrEqual(0)
          bounded++
        }
      }
    }
    expect(bounded).toBeGreaterThan(100)
  })
})
