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
})
