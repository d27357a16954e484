import { describe, expect, it } from 'vitest'
import { coalesceRanges } from '../../src/parquet/byte-ranges.js'

describe('coalesceRanges', () => {
  it('sorts, merges overlapping and near ranges, and keeps far ones apart', () => {
    const ranges = [
      { start: 500, end: 600 },
      { start: 0, end: 100 },
      { start: 90, end: 150 },
      { start: 160, end: 200 },
    ]
    expect(coalesceRanges(ranges, 10)).toEqual([
      { start: 0, end: 200 },
      { start: 500, end: 600 },
    ])
    expect(coalesceRanges(ranges, 0)).toEqual([
      { start: 0, end: 150 },
      { start: 160, end: 200 },
      { start: 500, end: 600 },
    ])
  })

  it('drops empty ranges and does not mutate its input', () => {
    const ranges = [{ start: 5, end: 5 }, { start: 1, end: 3 }]
    expect(coalesceRanges(ranges, 100)).toEqual([{ start: 1, end: 3 }])
    expect(ranges[1]).toEqual({ start: 1, end: 3 })
  })
})
