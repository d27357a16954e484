import { describe, expect, it } from 'vitest'
import { mayMatchFile, parseFilter } from '../../../../src/delta/expr/index.js'
import type { Scalar } from '../../../../src/delta/model/scalar.js'
import type { DeltaType, StructType } from '../../../../src/delta/model/schema.js'
import { parseStats } from '../../../../src/delta/stats/parse.js'

const field = (name: string, type: DeltaType) => ({ name, type, nullable: true, metadata: {} })
const schema: StructType = {
  type: 'struct',
  fields: [
    field('x', 'integer'),
    field('y', 'integer'),
    field('d', 'double'),
    field('s', 'string'),
    field('ts', 'timestamp'),
    field('ntz', 'timestamp_ntz'),
    field('dec', 'decimal(38,10)'),
    field('big', 'long'),
    field('p', 'string'),
    field('q', 'integer'),
    field('st', { type: 'struct', fields: [field('n', 'long')] }),
  ],
}

/** Whether a file with these partition values and JSON stats may match the filter. */
function may(filter: string, stats: object | string | undefined, partitions: Record<string, Scalar | null> = {}): boolean {
  const json = stats === undefined ? undefined : typeof stats === 'string' ? stats : JSON.stringify(stats)
  return mayMatchFile(parseFilter(filter, schema), {
    partitionValues: (name) => (name in partitions ? partitions[name]! : undefined),
    stats: parseStats(json),
  })
}

const xStats = (min: number, max: number, nulls = 0, rows = 10) => ({
  numRecords: rows,
  minValues: { x: min },
  maxValues: { x: max },
  nullCount: { x: nulls },
})

describe('mayMatchFile on partition values', () => {
  it('evaluates partition columns exactly', () => {
    expect(may("p = 'a'", undefined, { p: 'a' })).toBe(true)
    expect(may("p = 'a'", undefined, { p: 'b' })).toBe(false)
    expect(may("p IN ('b', 'c') AND q > 1", undefined, { p: 'c', q: 2 })).toBe(true)
    expect(may("p LIKE 'a%'", undefined, { p: 'ba' })).toBe(false)
    expect(may('q BETWEEN 1 AND 3', undefined, { q: 4 })).toBe(false)
  })

  it('treats a NULL partition value with three-valued logic', () => {
    expect(may('p IS NULL', undefined, { p: null })).toBe(true)
    expect(may('p IS NOT NULL', undefined, { p: null })).toBe(false)
    expect(may("p = 'a'", undefined, { p: null })).toBe(false)
    expect(may("NOT (p = 'a')", undefined, { p: null })).toBe(false)
    expect(may("p != 'a' OR q = 1", undefined, { p: null, q: 1 })).toBe(true)
    expect(may("p NOT IN ('a')", undefined, { p: null })).toBe(false)
  })

  it('compares partition columns with each other and with data columns', () => {
    const schema2 = 'q < x'
    expect(may(schema2, undefined, { q: 5 })).toBe(true)
    expect(may(schema2, xStats(0, 0, 10, 10), { q: 5 })).toBe(false)
  })
})

describe('mayMatchFile on min/max/nullCount', () => {
  it('skips on min and max for every comparison, at the edges', () => {
    const s = xStats(5, 10)
    expect(may('x > 10', s)).toBe(false)
    expect(may('x >= 10', s)).toBe(true)
    expect(may('x < 5', s)).toBe(false)
    expect(may('x <= 5', s)).toBe(true)
    expect(may('x = 4', s)).toBe(false)
    expect(may('x = 7', s)).toBe(true)
    expect(may('x != 7', s)).toBe(true)
    expect(may('x != 7', xStats(7, 7))).toBe(false)
    expect(may('x IN (1, 2, 11)', s)).toBe(false)
    expect(may('x IN (1, 10)', s)).toBe(true)
    expect(may('x BETWEEN 11 AND 20', s)).toBe(false)
    expect(may('3 > x', s)).toBe(false)
  })

  it('pushes NOT through with three-valued logic', () => {
    expect(may('NOT (x > 3)', xStats(5, 10))).toBe(false)
    expect(may('NOT (x > 3)', xStats(5, 10, 4))).toBe(false) // NULL rows are not TRUE either
    expect(may('NOT (x > 3)', xStats(3, 10))).toBe(true)
    expect(may('NOT (x NOT IN (5, 6))', xStats(7, 9))).toBe(false)
    expect(may('NOT (x < 5 OR x > 10)', xStats(11, 12))).toBe(false)
    expect(may('NOT (x < 5 AND y > 0)', xStats(5, 9))).toBe(true)
  })

  it('uses nullCount and numRecords for IS [NOT] NULL and all-NULL columns', () => {
    expect(may('x IS NULL', xStats(1, 2, 0))).toBe(false)
    expect(may('x IS NULL', xStats(1, 2, 1))).toBe(true)
    expect(may('x IS NOT NULL', { numRecords: 3, nullCount: { x: 3 } })).toBe(false)
    expect(may('x = 1 OR x != 1', { numRecords: 3, nullCount: { x: 3 } })).toBe(false)
    expect(may('x IS NOT NULL', { numRecords: 3, nullCount: { x: 2 } })).toBe(true)
    expect(may('x IS NULL', { numRecords: 3 })).toBe(true)
  })

  it('reads nullCount as only 0 or all when bounds are wide', () => {
    const wide = { ...xStats(1, 2, 0, 5), tightBounds: false }
    expect(may('x IS NULL', wide)).toBe(false)
    expect(may('x IS NULL', { ...wide, nullCount: { x: 2 } })).toBe(true)
    expect(may('x > 2', wide)).toBe(false)
  })

  it('says "may match" without stats, without a column, or on empty stats', () => {
    expect(may('x > 100', undefined)).toBe(true)
    expect(may('x > 100', { numRecords: 10 })).toBe(true)
    expect(may('x > 100', '')).toBe(true)
    expect(may('x > 100', 'not json')).toBe(true)
    expect(may('x > 100 AND y = 1', xStats(1, 2))).toBe(false)
    expect(may('x > 100 OR y = 1', xStats(1, 2))).toBe(true)
  })

  it('skips a file with no rows', () => {
    expect(may('x IS NULL OR x IS NOT NULL', { numRecords: 0 })).toBe(false)
  })

  it('never skips column-vs-column comparisons on stats', () => {
    expect(may('x < y', { numRecords: 2, minValues: { x: 10, y: 0 }, maxValues: { x: 20, y: 1 }, nullCount: { x: 0, y: 0 } })).toBe(true)
  })

  it('constant filters', () => {
    expect(may('FALSE', xStats(1, 2))).toBe(false)
    expect(may('NULL', xStats(1, 2))).toBe(false)
    expect(may('1 = 1', xStats(1, 2))).toBe(true)
    expect(may('x = 1 OR TRUE', xStats(5, 6))).toBe(true)
  })

  it('reads nested columns from nested stats', () => {
    const s = { numRecords: 2, minValues: { st: { n: 5 } }, maxValues: { st: { n: 9 } }, nullCount: { st: { n: 0 } } }
    expect(may('st.n > 9', s)).toBe(false)
    expect(may('st.n >= 9', s)).toBe(true)
    expect(may('st.n IS NULL', s)).toBe(false)
  })
})

describe('mayMatchFile and how writers record stats', () => {
  it('widens a millisecond timestamp max by 999 microseconds', () => {
    const s = { numRecords: 1, minValues: { ts: '2021-09-08T11:11:11.000Z' }, maxValues: { ts: '2021-09-08T11:11:11.000Z' }, nullCount: { ts: 0 } }
    expect(may("ts > '2021-09-08 11:11:11.000500'", s)).toBe(true)
    expect(may("ts = '2021-09-08 11:11:11.000999'", s)).toBe(true)
    expect(may("ts > '2021-09-08 11:11:11.000999'", s)).toBe(false)
    expect(may("ts < '2021-09-08 11:11:11'", s)).toBe(false)
    expect(may("ts > '2021-09-08 19:11:10.9'", { ...s, maxValues: { ts: '2021-09-08T11:11:11.000-08:00' } })).toBe(true)
    const ntz = { numRecords: 1, minValues: { ntz: '2021-11-18T02:30:00.123' }, maxValues: { ntz: '2021-11-18T02:30:00.123' } }
    expect(may("ntz = '2021-11-18 02:30:00.123456'", ntz)).toBe(true)
    expect(may("ntz > '2021-11-18 02:30:00.124'", ntz)).toBe(false)
  })

  it('never skips on values a NaN could satisfy in float columns', () => {
    const s = { numRecords: 3, minValues: { d: 1 }, maxValues: { d: 5 }, nullCount: { d: 0 } }
    expect(may('d > 100', s)).toBe(true)
    expect(may("d = 'NaN'", s)).toBe(true)
    expect(may('d != 3', { ...s, minValues: { d: 3 }, maxValues: { d: 3 } })).toBe(true)
    expect(may('d < 0', s)).toBe(false)
    expect(may('d = 7', s)).toBe(false)
    expect(may('d < 2', { ...s, minValues: { d: 'NaN' } })).toBe(true)
  })

  it('does not trust a long string max that may have been cut without a tie-breaker', () => {
    const long = 'm'.repeat(32)
    const s = (max: string) => ({ numRecords: 1, minValues: { s: 'a' }, maxValues: { s: max }, nullCount: { s: 0 } })
    expect(may("s > 'n'", s('mm'))).toBe(false)
    expect(may("s > 'n'", s(long))).toBe(true)
    expect(may(`s > '${long}é'`, s(`${long}\u007f`))).toBe(false)
    expect(may(`s > '${long}z'`, s(`${long}\u007f`))).toBe(true)
    expect(may(`s > '${long}\u007f'`, s(`${long}\u007f`))).toBe(false)
    expect(may("s < 'a'", s('b'))).toBe(false)
  })

  it('skips LIKE prefixes outside the range and keeps those inside', () => {
    const s = { numRecords: 2, minValues: { s: 'abd' }, maxValues: { s: 'abz' }, nullCount: { s: 0 } }
    expect(may("s LIKE 'abc%'", s)).toBe(false)
    expect(may("s LIKE 'abe%'", s)).toBe(true)
    expect(may("s LIKE 'ab%'", s)).toBe(true)
    expect(may("s LIKE 'b%'", s)).toBe(false)
    expect(may("s LIKE '%c'", s)).toBe(true)
    expect(may("s NOT LIKE 'ab%'", s)).toBe(true)
  })

  it('bounds decimals and longs that lost digits in JSON numbers', () => {
    // 1234567890.1234567891 parses to a double a little off; the true value must stay inside.
    const text = '{"numRecords":1,"minValues":{"dec":1234567890.1234567891,"big":9007199254740993},"maxValues":{"dec":1234567890.1234567891,"big":9007199254740993},"nullCount":{"dec":0,"big":0}}'
    expect(may('dec = 1234567890.1234567891', text)).toBe(true)
    expect(may('dec > 1234567890.1234567890', text)).toBe(true)
    expect(may('dec < 1234567890.1234567892', text)).toBe(true)
    expect(may('dec > 1234567891', text)).toBe(false)
    expect(may('big = 9007199254740993', text)).toBe(true)
    expect(may('big > 9007199254740992', text)).toBe(true)
    expect(may('big > 9007199254741100', text)).toBe(false)
  })
})
