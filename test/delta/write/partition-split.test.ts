import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import type { StructField } from '../../../src/delta/model/schema.js'
import { splitByPartition } from '../../../src/delta/write/partition-split.js'

const field = (name: string, type: StructField['type']): StructField => ({ name, type, nullable: true, metadata: {} })

describe('splitByPartition', () => {
  it('groups rows by every partition column, in order of first appearance, without those columns', () => {
    const batch = tableFromArrays({
      id: Int32Array.from([0, 1, 2, 3, 4, 5]),
      region: ['eu', 'us', 'eu', 'us', 'eu', 'eu'],
      year: Int32Array.from([2024, 2024, 2025, 2024, 2024, 2025]),
    }).batches[0]!
    const slices = splitByPartition(batch, [field('region', 'string'), field('year', 'integer')])
    expect(slices.map((s) => s.values)).toEqual([{ region: 'eu', year: '2024' }, { region: 'us', year: '2024' }, { region: 'eu', year: '2025' }])
    expect(slices.map((s) => s.key)).toEqual(['["eu","2024"]', '["us","2024"]', '["eu","2025"]'])
    expect(slices.map((s) => [...s.table.getChild('id')!.toArray()])).toEqual([[0, 4], [1, 3], [2, 5]])
    expect(slices[0]!.table.schema.fields.map((f) => f.name)).toEqual(['id'])
  })

  it('puts null and the empty string in one partition (both are null in the log), and tells -0 from 0', () => {
    const batch = tableFromArrays({
      s: ['', null, 'a', ''],
      d: Float64Array.from([0, -0, 0, -0]),
    }).batches[0]!
    const byString = splitByPartition(batch, [field('s', 'string')])
    expect(byString.map((s) => [s.values, s.table.numRows])).toEqual([[{ s: null }, 3], [{ s: 'a' }, 1]])
    const byDouble = splitByPartition(batch, [field('d', 'double')])
    expect(byDouble.map((s) => s.table.numRows)).toEqual([2, 2])
    expect(byDouble[0]!.values.d).not.toBe(byDouble[1]!.values.d)
  })

  it('keeps one slice, the whole batch, for one partition', () => {
    const batch = tableFromArrays({ id: Int32Array.from([1, 2]), p: ['x', 'x'] }).batches[0]!
    const [only, ...rest] = splitByPartition(batch, [field('p', 'string')])
    expect(rest).toEqual([])
    expect(only!.table.numRows).toBe(2)
  })
})
