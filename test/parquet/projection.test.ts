import { Int32, Struct, Field, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'

let codec: ParquetCodec
beforeAll(async () => { codec = await nodeParquetCodec() })

const source = (bytes: Uint8Array): ByteSource => ({ size: bytes.length, read: async (o, n) => bytes.slice(o, o + n) })

describe('column selection', () => {
  it('selects fields inside structs by path and keeps dots in top-level names', async () => {
    const s = vectorFromArray([{ a: 1, b: 'x' }, { a: 2, b: 'y' }], new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]))
    const bytes = await codec.write(new Table({ s, 'id.num': vectorFromArray([7, 8], new Int32()), id: vectorFromArray([1, 2], new Int32()) }))
    const nested = await codec.read(source(bytes), { columns: [['s', 'b']] })
    expect(String(nested.schema.fields[0]!.type)).toBe('Struct<{b:Utf8}>')
    expect(nested.getChild('s')!.toJSON().map((r) => r?.toJSON())).toEqual([{ b: 'x' }, { b: 'y' }])
    const dotted = await codec.read(source(bytes), { columns: ['id.num'] })
    expect(dotted.schema.fields.map((f) => f.name)).toEqual(['id.num'])
    expect(dotted.getChild('id.num')!.toArray()).toEqual(Int32Array.from([7, 8]))
    const missing = await codec.read(source(bytes), { columns: [['s', 'zzz'], 'nope'] })
    expect(missing.numCols).toBe(0)
  })
})
