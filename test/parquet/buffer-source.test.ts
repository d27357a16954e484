import { Int32, Table, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { nodeParquetCodec } from '../../src/parquet/node.js'

describe('a ByteSource that returns Node Buffer views', () => {
  it('decodes: the codec copies views out of their larger buffers', async () => {
    const codec = await nodeParquetCodec()
    const bytes = await codec.write(new Table({ x: vectorFromArray(Array.from({ length: 1000 }, (_, i) => i), new Int32()) }))
    // A pool-like Buffer holding other bytes around the file, as Node's fs and http hand out.
    const pool = Buffer.alloc(bytes.length + 64, 7)
    pool.set(bytes, 32)
    const source = { size: bytes.length, read: async (offset: number, length: number) => pool.subarray(32 + offset, 32 + offset + length) }
    const table = await codec.read(source, { columns: ['x'] })
    expect(table.numRows).toBe(1000)
    expect(table.getChild('x')!.get(999)).toBe(999)
  })

  it('leaves the caller\'s bytes intact when reads return views of them (nothing is transferred away)', async () => {
    const codec = await nodeParquetCodec()
    const bytes = await codec.write(new Table({ x: vectorFromArray([1, 2, 3], new Int32()) }))
    const source = { size: bytes.length, read: async (offset: number, length: number) => bytes.subarray(offset, offset + length) }
    expect((await codec.read(source)).numRows).toBe(3)
    expect(bytes.byteLength).toBeGreaterThan(0)
    expect((await codec.read(source)).numRows).toBe(3)
  })

  it('takes the buffers of a transferable source instead of copying them', async () => {
    const codec = await nodeParquetCodec()
    const bytes = await codec.write(new Table({ x: vectorFromArray([1, 2, 3], new Int32()) }))
    const handedOut: Uint8Array[] = []
    const source = {
      size: bytes.length,
      transferable: true,
      read: async (offset: number, length: number) => {
        handedOut.push(bytes.slice(offset, offset + length))
        return handedOut.at(-1)!
      },
    }
    expect((await codec.read(source)).numRows).toBe(3)
    expect(handedOut.some((b) => b.byteLength === 0)).toBe(true)
  })
})
