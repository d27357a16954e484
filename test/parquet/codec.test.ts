import { tableFromArrays, type Table } from 'apache-arrow'
import { parquetMetadata } from 'hyparquet'
import { wasmMemory } from 'parquet-wasm/esm'
import { beforeAll, describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { allTypesTable, rawValues } from './arrow-fixtures.js'

function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) }
}

function rows(table: Table): unknown[] {
  return table.toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v))))
}

let codec: ParquetCodec
beforeAll(async () => {
  codec = await nodeParquetCodec()
})

describe('nodeParquetCodec', () => {
  it('is created once and shared', async () => {
    expect(await nodeParquetCodec()).toBe(codec)
  })
})

describe('write then read', () => {
  it('round-trips every Delta type, nulls included', async () => {
    const table = allTypesTable()
    const back = await codec.read(bytesSource(await codec.write(table)))
    expect(back.numRows).toBe(3)
    expect(back.schema.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name))
    for (const name of ['bool', 'int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'date', 'ts', 'tsUtc', 'dec', 'dec38']) {
      expect(String(back.getChild(name)!.type), name).toBe(String(table.getChild(name)!.type))
      expect(rawValues(back, name), name).toEqual(rawValues(table, name))
    }
    expect(String(back.getChild('tsUtc')!.type)).toContain('UTC')
    const strings = ['string', 'binary', 'struct', 'list', 'map'] as const
    const pick = (t: Table) => rows(t.select([...strings]))
    expect(pick(back)).toEqual(pick(table))
  })

  it('writes snappy with statistics by default and honours compression and row group size', async () => {
    const table = tableFromArrays({ id: Int32Array.from({ length: 1000 }, (_, i) => i) })
    const snappy = parquetMetadata(await codec.write(table))
    const chunk = snappy.row_groups[0]!.columns[0]!.meta_data!
    expect(chunk.codec).toBe('SNAPPY')
    expect(chunk.statistics?.min_value).toBe(0)
    expect(chunk.statistics?.max_value).toBe(999)
    const zstd = parquetMetadata(await codec.write(table, { compression: 'zstd', rowGroupSize: 300 }))
    expect(zstd.row_groups.map((g) => Number(g.num_rows))).toEqual([300, 300, 300, 100])
    expect(zstd.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('ZSTD')
    for (const compression of ['uncompressed', 'gzip', 'lz4', 'brotli'] as const) {
      const bytes = await codec.write(table, { compression })
      const back = await codec.read(bytesSource(bytes))
      expect(back.getChild('id')!.get(999), compression).toBe(999)
    }
  })

  it('round-trips a table without rows', async () => {
    const empty = tableFromArrays({ id: new Int32Array(0) })
    const back = await codec.read(bytesSource(await codec.write(empty)))
    expect(back.numRows).toBe(0)
    expect(back.schema.fields.map(String)).toEqual(['id: Int32'])
  })

  it('refuses bad write options with InvalidArgument', async () => {
    const table = tableFromArrays({ id: Int32Array.from([1]) })
    await expect(codec.write(table, { rowGroupSize: 0 })).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidArgument'))
    await expect(codec.write(table, { compression: 'lzo' as never })).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidArgument'))
  })
})

describe('read options', () => {
  let bytes: Uint8Array
  beforeAll(async () => {
    const n = 1000
    const table = tableFromArrays({
      a: Int32Array.from({ length: n }, (_, i) => i),
      b: Float64Array.from({ length: n }, (_, i) => i / 2),
      c: Array.from({ length: n }, (_, i) => `s${i}`),
    })
    bytes = await codec.write(table, { rowGroupSize: 250 })
  })

  it('projects columns, in file order, skipping names the file lacks', async () => {
    const t = await codec.read(bytesSource(bytes), { columns: ['c', 'missing', 'a'] })
    expect(t.schema.fields.map((f) => f.name)).toEqual(['a', 'c'])
    expect(t.numRows).toBe(1000)
    expect(t.getChild('c')!.get(999)).toBe('s999')
  })

  it('reads only the chosen row groups, in file order', async () => {
    const t = await codec.read(bytesSource(bytes), { rowGroups: [3, 1, 3] })
    expect(t.numRows).toBe(500)
    expect(t.getChild('a')!.get(0)).toBe(250)
    expect(t.getChild('a')!.get(250)).toBe(750)
    expect((await codec.read(bytesSource(bytes), { rowGroups: [] })).numRows).toBe(0)
  })

  it('keeps the row count when no column is chosen', async () => {
    const t = await codec.read(bytesSource(bytes), { columns: [], rowGroups: [0, 2] })
    expect(t.numCols).toBe(0)
    expect(t.numRows).toBe(500)
  })

  it('refuses a row group the file does not have, and stays usable', async () => {
    await expect(codec.read(bytesSource(bytes), { rowGroups: [4] })).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidArgument'))
    await expect(codec.read(bytesSource(bytes), { rowGroups: [-1] })).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidArgument'))
    expect((await codec.read(bytesSource(bytes), { rowGroups: [0] })).numRows).toBe(250)
  })

  it('reports a file that is not Parquet as InvalidData', async () => {
    const junk = new TextEncoder().encode('{"this is":"json, not parquet"}')
    await expect(codec.read(bytesSource(junk))).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidData'))
    const truncated = bytes.slice(0, bytes.length - 100)
    await expect(codec.read(bytesSource(truncated))).rejects.toSatisfy((e) => isDeltaError(e, 'InvalidData'))
  })

  it('decodes concurrent reads of one file independently', async () => {
    const reads = [0, 1, 2, 3].flatMap((g) => [codec.read(bytesSource(bytes), { rowGroups: [g], columns: ['a'] }), codec.read(bytesSource(bytes), { rowGroups: [g], columns: ['c'] })])
    const tables = await Promise.all(reads)
    tables.forEach((t, i) => {
      const g = Math.floor(i / 2)
      expect(t.numRows).toBe(250)
      expect(t.getChildAt(0)!.get(0)).toBe(i % 2 === 0 ? g * 250 : `s${g * 250}`)
    })
  })

  it('frees wasm memory: repeated reads and writes do not grow the wasm heap', async () => {
    const big = await codec.write(tableFromArrays({ x: Float64Array.from({ length: 200_000 }, (_, i) => Math.sqrt(i)) }))
    const cycle = async () => {
      const t = await codec.read(bytesSource(big))
      await codec.write(t)
    }
    for (let i = 0; i < 3; i++) await cycle()
    const before = wasmMemory().buffer.byteLength
    for (let i = 0; i < 20; i++) await cycle()
    expect(wasmMemory().buffer.byteLength).toBe(before)
  })

  it('passes a storage failure through unchanged', async () => {
    const { DeltaError } = await import('../../src/delta/engine/errors.js')
    const failing: ByteSource = { size: bytes.length, read: async () => Promise.reject(new DeltaError('NotFound', 'gone')) }
    await expect(codec.read(failing)).rejects.toSatisfy((e) => isDeltaError(e, 'NotFound'))
  })
})
