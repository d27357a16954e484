import { describe, expect, it } from 'vitest'
import { civilFromDays, formatDate, formatTimestamp } from '../../../src/delta/arrow/temporal.js'
import * as exprTemporal from '../../../src/delta/values/temporal.js'
import { formatPartitionValue } from '../../../src/delta/values/partition-value.js'

// 10000-01-01 and -0001-12-31 in days since 1970-01-01 (proleptic Gregorian).
const YEAR_10000 = 2_932_897
const YEAR_MINUS_1 = -719_529

describe('arrow/temporal: the one date and timestamp formatter', () => {
  it('splits day counts into civil dates across eras and leap days', () => {
    expect(civilFromDays(0)).toEqual([1970, 1, 1])
    expect(civilFromDays(11_016)).toEqual([2000, 2, 29])
    expect(civilFromDays(-719_162)).toEqual([1, 1, 1])
    expect(civilFromDays(YEAR_10000)).toEqual([10000, 1, 1])
    expect(civilFromDays(YEAR_MINUS_1)).toEqual([-1, 12, 31])
  })

  it('writes years outside 0000-9999 in ISO expanded form by default, Java form on request', () => {
    expect(formatDate(YEAR_10000)).toBe('+010000-01-01')
    expect(formatDate(YEAR_MINUS_1)).toBe('-000001-12-31')
    expect(formatDate(YEAR_10000, 'java')).toBe('+10000-01-01')
    expect(formatDate(YEAR_MINUS_1, 'java')).toBe('-0001-12-31')
    expect(formatDate(2_932_896, 'java')).toBe(formatDate(2_932_896))
  })

  it('formats timestamps with either separator, zone only when UTC', () => {
    const micros = BigInt(YEAR_10000) * 86_400_000_000n + 3_723_000_004n
    expect(formatTimestamp(micros, true)).toBe('+010000-01-01T01:02:03.000004Z')
    expect(formatTimestamp(micros, false, { separator: ' ', years: 'java' })).toBe('+10000-01-01 01:02:03.000004')
    expect(formatTimestamp(-1n, false, { separator: ' ' })).toBe('1969-12-31 23:59:59.999999')
  })

  it('gives SQL text and partition values the Java years, as before the formatters were merged', () => {
    expect(exprTemporal.formatDate(YEAR_MINUS_1)).toBe('-0001-12-31')
    expect(exprTemporal.formatTimestamp(BigInt(YEAR_10000) * 86_400_000_000n, ' ')).toBe('+10000-01-01 00:00:00.000000')
    expect(formatPartitionValue(YEAR_10000, 'date')).toBe('+10000-01-01')
    expect(formatPartitionValue(0n, 'timestamp', { timestamp: 'iso' })).toBe('1970-01-01T00:00:00.000000Z')
  })
})
