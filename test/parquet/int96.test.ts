import { tableFromIPC, tableToIPC } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { rawValues } from './arrow-fixtures.js'
import { writeInt96File } from './int96-fixture.js'

function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) }
}

const YEAR_9999 = 253402214400000000n // 9999-12-31T00:00:00Z in microseconds
const YEAR_1 = -62135596800000000n // 0001-01-01T00:00:00Z
const BEFORE_1970 = -1n // 1969-12-31T23:59:59.999999Z

let codec: ParquetCodec
beforeAll(async () => {
  codec = await nodeParquetCodec()
})

describe('INT96 timestamps', () => {
  const file = writeInt96File({
    rowGroups: [
      { id: [1, 2, 3], ts: [YEAR_9999, null, YEAR_1] },
      { id: [4, 5], ts: [BEFORE_1970, null] },
      { id: [6], ts: [1_640_995_200_000_000n] },
    ],
  })

  it('come back as Timestamp(MICROSECOND) with their true values and nulls', async () => {
    const table = await codec.read(bytesSource(file))
    expect(table.schema.fields.map(String)).toEqual(['id: Int32', 'ts: Timestamp<MICROSECOND>'])
    expect(table.schema.fields[1]!.nullable).toBe(true)
    expect(rawValues(table, 'id')).toEqual([1, 2, 3, 4, 5, 6])
    expect(rawValues(table, 'ts')).toEqual([YEAR_9999, null, YEAR_1, BEFORE_1970, null, 1_640_995_200_000_000n])
    expect(table.getChild('ts')!.nullCount).toBe(2)
    // results cross to the main thread as IPC: the replaced column must survive it
    expect(rawValues(tableFromIPC(tableToIPC(table)), 'ts')).toEqual(rawValues(table, 'ts'))
  })

  it('follow row group selection and projection', async () => {
    const table = await codec.read(bytesSource(file), { rowGroups: [2, 0], columns: ['ts'] })
    expect(table.schema.fields.map((f) => f.name)).toEqual(['ts'])
    expect(rawValues(table, 'ts')).toEqual([YEAR_9999, null, YEAR_1, 1_640_995_200_000_000n])
    const ids = await codec.read(bytesSource(file), { rowGroups: [1], columns: ['id'] })
    expect(rawValues(ids, 'id')).toEqual([4, 5])
  })

  it('are read through ranges like any column', async () => {
    const ranged = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 0, footerGuess: 16 })
    const table = await ranged.read(bytesSource(file), { rowGroups: [1] })
    expect(rawValues(table, 'ts')).toEqual([BEFORE_1970, null])
  })

  it('nested in a struct are refused by name when selected, and skipped otherwise', async () => {
    const nested = writeInt96File({ nested: true, rowGroups: [{ id: [1, 2], ts: [YEAR_9999, null] }] })
    const error = await codec.read(bytesSource(nested)).catch((e: unknown) => e)
    expect(isDeltaError(error, 'UnsupportedFeature')).toBe(true)
    expect(String(error)).toContain('"s.ts"')
    expect(rawValues(await codec.read(bytesSource(nested), { columns: ['id'] }), 'id')).toEqual([1, 2])
  })

  it('nested are left out of the result when asked to omit them', async () => {
    const nested = writeInt96File({ nested: true, rowGroups: [{ id: [1, 2], ts: [YEAR_9999, null] }] })
    const table = await codec.read(bytesSource(nested), { nestedInt96: 'omit' })
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id'])
    expect(rawValues(table, 'id')).toEqual([1, 2])
  })

  it('compressed with a codec the INT96 decoder lacks are refused naming INT96 and the codec', async () => {
    const zstd = writeInt96File({ codec: 'ZSTD', rowGroups: [{ id: [1], ts: [YEAR_9999] }] })
    const error = await codec.read(bytesSource(zstd)).catch((e: unknown) => e)
    expect(isDeltaError(error, 'UnsupportedFeature')).toBe(true)
    expect(String(error)).toMatch(/INT96.*"ts".*ZSTD/)
    expect(rawValues(await codec.read(bytesSource(zstd), { columns: ['id'] }), 'id')).toEqual([1])
  })
})
