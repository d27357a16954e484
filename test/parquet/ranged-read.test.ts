import { tableFromArrays } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ByteSource } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'

/** A ByteSource over bytes in memory that records every range read. */
function countingSource(bytes: Uint8Array) {
  const reads: { offset: number; length: number }[] = []
  const source: ByteSource = {
    size: bytes.length,
    read: async (offset, length) => {
      reads.push({ offset, length })
      return bytes.slice(offset, offset + length)
    },
  }
  return { source, reads, bytesRead: () => reads.reduce((n, r) => n + r.length, 0) }
}

const COLUMNS = 24
const ROWS = 40_000
let file: Uint8Array

beforeAll(async () => {
  const codec = await nodeParquetCodec()
  const columns: Record<string, Float64Array> = {}
  for (let c = 0; c < COLUMNS; c++) {
    columns[`c${c}`] = Float64Array.from({ length: ROWS }, (_, i) => Math.sin(i * (c + 1)) * 1e6)
  }
  file = await codec.write(tableFromArrays(columns), { rowGroupSize: ROWS / 2, compression: 'uncompressed' })
})

describe('ranged reads', () => {
  it('fetches only the footer and the chunks of a 1-column projection', async () => {
    const codec = await nodeParquetCodec({ readWholeBelow: 0 })
    const { source, reads, bytesRead } = countingSource(file)
    const table = await codec.read(source, { columns: ['c7'] })
    expect(table.numRows).toBe(ROWS)
    expect(table.getChild('c7')!.get(12_345)).toBe(Math.sin(12_345 * 8) * 1e6)
    // one column of 24: the data is 1/24 of the file, plus a footer and page indexes
    expect(bytesRead()).toBeLessThan(file.length / 10)
    // the footer read, then the two column chunks in parallel: nothing fetched one by one
    expect(reads.length).toBeLessThanOrEqual(3)
  })

  it('fetches one row group of two columns and decodes the same values as a whole read', async () => {
    const ranged = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 0 })
    const { source, bytesRead } = countingSource(file)
    const part = await ranged.read(source, { columns: ['c0', 'c23'], rowGroups: [1] })
    expect(bytesRead()).toBeLessThan(file.length / 10)
    const whole = await (await nodeParquetCodec()).read(countingSource(file).source, { columns: ['c0', 'c23'] })
    expect(part.numRows).toBe(ROWS / 2)
    for (const name of ['c0', 'c23']) {
      expect(Array.from(part.getChild(name)!.toArray())).toEqual(Array.from(whole.getChild(name)!.toArray()).slice(ROWS / 2))
    }
  })

  it('reads a small file whole, in one request', async () => {
    const codec = await nodeParquetCodec({ readWholeBelow: file.length })
    const { source, reads } = countingSource(file)
    await codec.read(source, { columns: ['c1'] })
    expect(reads).toEqual([{ offset: 0, length: file.length }])
  })

  it('reads a footer larger than its first guess with one more request', async () => {
    const codec = await nodeParquetCodec({ readWholeBelow: 0, footerGuess: 64 })
    const { source, reads } = countingSource(file)
    const table = await codec.read(source, { columns: ['c3'], rowGroups: [0] })
    expect(table.getChild('c3')!.get(1)).toBe(Math.sin(4) * 1e6)
    expect(reads[0]).toEqual({ offset: file.length - 64, length: 64 })
    expect(reads[1]!.offset + reads[1]!.length).toBe(file.length - 64)
    expect(reads.length).toBeLessThanOrEqual(4)
  })
})
