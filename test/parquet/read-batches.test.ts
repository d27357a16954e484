// A streamed read decodes a file a few row groups at a time, yet fetches it in one wave and
// gives exactly what one read gives.
import { Table, tableFromArrays } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'

const ROWS = 50_000
const GROUP = 5_000
let file: Uint8Array
let codec: ParquetCodec

/** A source over bytes that records its reads and how many were in flight at once. */
function trackedSource(bytes: Uint8Array, transferable = false) {
  const reads: { offset: number; length: number }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const source: ByteSource = {
    size: bytes.length,
    transferable,
    read: async (offset, length) => {
      reads.push({ offset, length })
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      await new Promise((r) => setTimeout(r, 5))
      inFlight--
      return bytes.slice(offset, offset + length)
    },
  }
  return { source, reads, maxInFlight: () => maxInFlight }
}

beforeAll(async () => {
  // Chunks far apart: in a file this small the default gap would join every batch's chunks.
  codec = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 64 })
  file = await codec.write(tableFromArrays({
    id: Float64Array.from({ length: ROWS }, (_, i) => i),
    name: Array.from({ length: ROWS }, (_, i) => `row-${i}-${'x'.repeat(i % 17)}`),
  }), { rowGroupSize: GROUP })
})

const all = async (it: AsyncIterable<Table>): Promise<Table[]> => {
  const out: Table[] = []
  for await (const t of it) out.push(t)
  return out
}

describe('readBatches', () => {
  it.each([false, true])('gives the rows of one read, in batches of whole row groups (transferable %s)', async (transferable) => {
    const whole = await codec.read(trackedSource(file).source)
    const { source, reads } = trackedSource(file, transferable)
    const batches = await all(codec.readBatches!(source, { batchRows: 12_000 }))
    // 12,000 rows a batch at least: three groups of 5,000, the last batch what is left.
    expect(batches.map((b) => b.numRows)).toEqual([15_000, 15_000, 15_000, 5_000])
    const joined = new Table(batches.flatMap((b) => b.batches))
    expect(joined.getChild('id')!.toArray()).toEqual(whole.getChild('id')!.toArray())
    expect(joined.getChild('name')!.toArray()).toEqual(whole.getChild('name')!.toArray())
    // Each byte of the data is fetched once: the batches share the footer read.
    const data = reads.reduce((n, r) => n + r.length, 0)
    expect(data).toBeLessThan(file.length * 1.3)
  })

  it('fetches no range inside another: page indexes inside the first read of the footer come from it', async () => {
    const { source, reads } = trackedSource(file)
    await all(codec.readBatches!(source, { batchRows: 5_000 }))
    const inside = (a: { offset: number; length: number }, b: { offset: number; length: number }) => a !== b && a.offset >= b.offset && a.offset + a.length <= b.offset + b.length
    expect(reads.filter((r) => reads.some((o) => inside(r, o)))).toEqual([])
  })

  it('fetches every batch in one wave, not one after another', async () => {
    const { source, maxInFlight } = trackedSource(file)
    await all(codec.readBatches!(source, { batchRows: 5_000 }))
    expect(maxInFlight()).toBeGreaterThanOrEqual(5)
  })

  it('reads a footer longer than its guess twice at most, not again for every batch', async () => {
    const small = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 64, footerGuess: 64 })
    const footerStart = file.length - 8 - new DataView(file.buffer, file.byteOffset + file.length - 8, 4).getUint32(0, true)
    const { source, reads } = trackedSource(file)
    const batches = await all(small.readBatches!(source, { batchRows: 5_000 }))
    expect(batches).toHaveLength(10)
    expect(reads.filter((r) => r.offset + r.length > footerStart).length).toBeLessThanOrEqual(3)
  })

  it('projects columns and picks row groups as read does', async () => {
    const batches = await all(codec.readBatches!(trackedSource(file).source, { columns: ['name'], rowGroups: [1, 3, 8], batchRows: 1 }))
    expect(batches.map((b) => b.numRows)).toEqual([GROUP, GROUP, GROUP])
    expect(batches.every((b) => b.schema.fields.map((f) => f.name).join() === 'name')).toBe(true)
    expect(batches[2]!.getChild('name')!.get(0)).toMatch(/^row-40000-/)
  })

  it('a consumer that stops early starts no read after it left', async () => {
    const { source, reads } = trackedSource(file)
    for await (const t of codec.readBatches!(source, { batchRows: 5_000 })) {
      expect(t.numRows).toBe(GROUP)
      break
    }
    const atBreak = reads.length
    await new Promise((r) => setTimeout(r, 100))
    expect(reads.length).toBe(atBreak)
  })
})
