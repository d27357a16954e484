import { tableFromArrays } from 'apache-arrow'
import { parquetMetadata, type FileMetaData } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { crc32 } from '../../src/delta/dv/crc32.js'
import { isDeltaError, type DeltaError } from '../../src/delta/engine/errors.js'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { checkMetadata } from '../../src/parquet/footer-check.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { checkChunkPages, checkOffsetIndex, PageError, type ChunkToCheck } from '../../src/parquet/page-check.js'
import { readThriftStruct, ThriftError } from '../../src/parquet/thrift-compact.js'
import { runChildBatch } from '../helpers/child-batch.js'

/** A Thrift compact-protocol writer for the structures these tests forge. */
type Field = [id: number, value: number | Uint8Array | Field[]]
function struct(fields: Field[]): number[] {
  const out: number[] = []
  let last = 0
  for (const [id, value] of fields) {
    const type = typeof value === 'number' ? 5 : value instanceof Uint8Array ? 8 : 12
    out.push(((id - last) << 4) | type)
    last = id
    if (typeof value === 'number') out.push(...varint(value >= 0 ? value * 2 : -value * 2 - 1))
    else if (value instanceof Uint8Array) out.push(...varint(value.length), ...value)
    else out.push(...struct(value))
  }
  out.push(0)
  return out
}
function varint(v: number): number[] {
  const out: number[] = []
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80)
  out.push(v)
  return out
}

const dictHeader = (size: number, values: number): Field[] => [[1, 2], [2, size], [3, size], [7, [[1, values], [2, 0]]]]
const dataHeader = (size: number, values: number, extra: Field[] = []): Field[] => [[1, 0], [2, size], [3, size], ...extra, [5, [[1, values], [2, 8], [3, 3], [4, 3]]]]
const v2Header = (size: number, values: number, levels: number): Field[] => [[1, 3], [2, size], [3, size], [8, [[1, values], [2, 0], [3, values], [4, 0], [5, levels], [6, 0]]]]

/** A chunk of pages (uncompressed), each a header then `size` bytes. */
function chunkOf(pages: { header: Field[]; body: Uint8Array }[], numValues: number, codec = 'UNCOMPRESSED'): { bytes: Uint8Array; chunk: ChunkToCheck } {
  const bytes = Uint8Array.from(pages.flatMap((p) => [...struct(p.header), ...p.body]))
  return { bytes, chunk: { start: 100, end: 100 + bytes.length, codec, numValues, numRows: numValues, repeated: false } }
}

const pageError = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    if (e instanceof PageError) return e.message
    throw e
  }
  return 'no error'
}

describe('the Thrift compact reader', () => {
  it('reads structs and refuses what cannot be one, bounded', () => {
    const { value, end } = readThriftStruct(Uint8Array.from(struct([[1, 7], [2, new Uint8Array([1, 2])], [4, [[1, -3]]]])), 0)
    expect(value.get(1)).toBe(7)
    expect(value.get(2)).toEqual(new Uint8Array([1, 2]))
    expect((value.get(4) as Map<number, unknown>).get(1)).toBe(-3)
    expect(end).toBe(struct([[1, 7], [2, new Uint8Array([1, 2])], [4, [[1, -3]]]]).length)
    const bad = [
      [0x15], // a field with no value
      [0x18, 0x7f], // a binary longer than the bytes
      [0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f], // a list claiming 4 billion elements
      [0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0], // a varint past 5 bytes
      [0x1d, 0], // unknown type 13
      Array.from({ length: 40 }, () => 0x1c), // structs nested 40 deep
    ]
    for (const b of bad) expect(() => readThriftStruct(Uint8Array.from(b), 0), JSON.stringify(b)).toThrow(ThriftError)
  })
})

describe('page header checks', () => {
  const body = (n: number) => new Uint8Array(n).fill(1)

  it('walk a well-formed chunk', () => {
    const { bytes, chunk } = chunkOf([{ header: dictHeader(8, 2), body: body(8) }, { header: dataHeader(10, 5), body: body(10) }, { header: v2Header(6, 3, 2), body: body(6) }], 8)
    const pages = checkChunkPages(bytes, chunk)
    expect(pages.map((p) => p.kind)).toEqual(['dictionary', 'data', 'data'])
    expect(pages[0]!.start).toBe(100)
    expect(pages.at(-1)!.end).toBe(chunk.end)
  })

  it('refuse pages that leave the chunk, lie about sizes or counts, or are out of place', () => {
    const cases: [string, { header: Field[]; body: Uint8Array }[], number, RegExp][] = [
      ['a page past the chunk', [{ header: dataHeader(50, 5), body: body(10) }], 5, /past its column chunk/],
      ['a dictionary page second', [{ header: dataHeader(4, 5), body: body(4) }, { header: dictHeader(4, 1), body: body(4) }], 6, /dictionary page after/],
      ['more values than the chunk', [{ header: dataHeader(4, 9), body: body(4) }], 5, /more values/],
      ['fewer values than the chunk', [{ header: dataHeader(4, 3), body: body(4) }], 5, /pages end after 3/],
      ['an unknown page type', [{ header: [[1, 9], [2, 4], [3, 4]], body: body(4) }], 5, /unknown page type/],
      ['negative sizes', [{ header: [[1, 0], [2, -1], [3, 4], [5, [[1, 5], [2, 0], [3, 3], [4, 3]]]], body: body(4) }], 5, /invalid sizes/],
      ['an unknown encoding', [{ header: [[1, 0], [2, 4], [3, 4], [5, [[1, 5], [2, 77], [3, 3], [4, 3]]]], body: body(4) }], 5, /invalid data page header/],
      ['v2 levels longer than the page', [{ header: v2Header(4, 5, 9), body: body(4) }], 5, /levels longer/],
      ['uncompressed sizes that differ', [{ header: [[1, 0], [2, 5], [3, 4], [5, [[1, 5], [2, 0], [3, 3], [4, 3]]]], body: body(4) }], 5, /two sizes differ/],
    ]
    for (const [what, pages, values, message] of cases) {
      const { bytes, chunk } = chunkOf(pages, values)
      expect(pageError(() => checkChunkPages(bytes, chunk)), what).toMatch(message)
    }
  })

  it('check a page CRC when one is written', () => {
    const data = body(6)
    const crc = crc32(data) | 0
    const good = chunkOf([{ header: dataHeader(6, 2, [[4, crc]]), body: data }], 2)
    expect(checkChunkPages(good.bytes, good.chunk)).toHaveLength(1)
    const bad = chunkOf([{ header: dataHeader(6, 2, [[4, crc ^ 1]]), body: data }], 2)
    expect(pageError(() => checkChunkPages(bad.bytes, bad.chunk))).toMatch(/CRC/)
  })

  it('check the size a snappy body states against its header', () => {
    const snappy = (stated: number) => Uint8Array.from([stated, 0, 0, 0])
    const header = (size: number): Field[] => [[1, 0], [2, size], [3, 4], [5, [[1, 2], [2, 0], [3, 3], [4, 3]]]]
    const good = chunkOf([{ header: header(20), body: snappy(20) }], 2, 'SNAPPY')
    expect(checkChunkPages(good.bytes, good.chunk)).toHaveLength(1)
    const bad = chunkOf([{ header: header(20), body: snappy(21) }], 2, 'SNAPPY')
    expect(pageError(() => checkChunkPages(bad.bytes, bad.chunk))).toMatch(/snappy data of 21 bytes/)
  })

  it('check an offset index against the pages', () => {
    const { bytes, chunk } = chunkOf([{ header: dataHeader(4, 3), body: body(4) }, { header: dataHeader(4, 2), body: body(4) }], 5)
    const pages = checkChunkPages(bytes, chunk)
    const location = (i: number, firstRow: number): Field[] => [[1, pages[i]!.start], [2, pages[i]!.end - pages[i]!.start], [3, firstRow]]
    // A list of structs: type 9, then a header byte (2 elements of type 12).
    const index = (locations: Field[][]) => Uint8Array.from([0x19, (locations.length << 4) | 12, ...locations.flatMap((l) => struct(l)), 0])
    expect(() => checkOffsetIndex(index([location(0, 0), location(1, 3)]), pages, 5)).not.toThrow()
    expect(pageError(() => checkOffsetIndex(index([location(0, 0)]), pages, 5))).toMatch(/lists 1 pages/)
    expect(pageError(() => checkOffsetIndex(index([location(0, 0), [[1, pages[1]!.start + 1], [2, 5], [3, 3]]]), pages, 5))).toMatch(/places page 1/)
    expect(pageError(() => checkOffsetIndex(index([location(0, 0), location(1, 9)]), pages, 5))).toMatch(/first row/)
  })
})

describe('footer checks', () => {
  let bytes: Uint8Array
  const fresh = (): FileMetaData => parquetMetadata(bytes)
  const layout = () => ({ size: bytes.length, footerStart: bytes.length - 8 - new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true) })
  const refusal = (m: FileMetaData): string => {
    try {
      checkMetadata(m, layout(), 'x.parquet')
    } catch (e) {
      if (isDeltaError(e)) return `${e.code}: ${e.message}`
      throw e
    }
    return 'no error'
  }

  beforeAll(async () => {
    const codec = await nodeParquetCodec()
    bytes = await codec.write(tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', null] }), { rowGroupSize: 2 })
  })

  it('accept what the writer wrote', () => {
    expect(checkMetadata(fresh(), layout(), 'x.parquet').map((l) => l.path.join('.'))).toEqual(['id', 'name'])
  })

  it('refuse a footer inconsistent with itself or the file, naming the file', () => {
    const mutations: [string, (m: FileMetaData) => void, RegExp][] = [
      ['row count', (m) => (m.num_rows = 4n), /4 rows but its row groups hold 3/],
      ['group rows', (m) => (m.row_groups[0]!.num_rows = -1n), /invalid row count/],
      ['a missing chunk', (m) => m.row_groups[1]!.columns.pop(), /1 column chunks for 2/],
      ['values for rows', (m) => (m.row_groups[0]!.columns[0]!.meta_data!.num_values = 5n), /5 values for 2 rows/],
      ['a chunk past the data', (m) => (m.row_groups[0]!.columns[1]!.meta_data!.total_compressed_size = BigInt(bytes.length)), /outside the data area/],
      ['a type mismatch', (m) => (m.row_groups[0]!.columns[0]!.meta_data!.type = 'DOUBLE'), /type DOUBLE/],
      ['an unknown codec', (m) => ((m.row_groups[0]!.columns[0]!.meta_data as { codec: unknown }).codec = undefined), /unknown compression/],
      ['another column', (m) => (m.row_groups[0]!.columns[0]!.meta_data!.path_in_schema = ['name']), /names another column/],
      ['schema children', (m) => (m.schema[0]!.num_children = 3), /needs more than/],
      ['schema leftovers', (m) => (m.schema[0]!.num_children = 1), /outside the schema tree/],
      ['a leaf type', (m) => ((m.schema[1] as { type?: unknown }).type = undefined), /no valid physical type/],
      ['an index past the data', (m) => (m.row_groups[0]!.columns[0]!.offset_index_offset = BigInt(bytes.length)), /offset index lies outside/],
    ]
    for (const [what, mutate, message] of mutations) {
      const m = fresh()
      mutate(m)
      const text = refusal(m)
      expect(text, what).toMatch(/^InvalidData: Parquet file 'x\.parquet' is not readable/)
      expect(text, what).toMatch(message)
    }
  })
})

describe('reads of a source', () => {
  let codec: ParquetCodec
  let bytes: Uint8Array
  beforeAll(async () => {
    codec = await nodeParquetCodec()
    bytes = await codec.write(tableFromArrays({ id: Int32Array.from({ length: 100 }, (_, i) => i) }))
  })
  const source = (data: Uint8Array, size = data.length, cut = 0): ByteSource => ({
    size,
    name: 'part-0.parquet',
    read: async (offset, length) => data.slice(offset, offset + length - cut),
  })
  const refusal = async (s: ByteSource): Promise<DeltaError> => {
    const e = await codec.read(s).then(() => undefined, (x: unknown) => x)
    if (!isDeltaError(e)) throw new Error(`expected a DeltaError, got ${String(e)}`)
    return e
  }

  it('refuse empty and tiny files, sizes that are not byte counts, short reads and a size past the file, naming the file', async () => {
    for (const s of [source(new Uint8Array(0)), source(bytes.subarray(0, 5)), source(bytes, 1e300), source(bytes, -1), source(bytes, Number.NaN), source(bytes, bytes.length, 1), source(bytes, bytes.length + 10)]) {
      const e = await refusal(s)
      expect(e.code).toBe('InvalidData')
      expect(e.message).toContain("'part-0.parquet'")
    }
    expect((await refusal(source(bytes, bytes.length + 10))).message).toMatch(/shorter than its recorded size/)
    expect((await refusal(source(new Uint8Array(0)))).message).toMatch(/it is empty/)
  })

  it('still decode an intact file', async () => {
    expect((await codec.read(source(bytes))).numRows).toBe(100)
  })
})

describe('decoder threads', () => {
  it('never keep a Node process alive once idle', async () => {
    // A script that decodes a file and then simply ends: it must exit at once, not after the
    // decoder threads' idle timeout (or never).
    const script = new URL('./idle-exit-child.mjs', import.meta.url)
    const started = Date.now()
    const run = await runChildBatch<{ rows: number }>(script, [], 20_000)
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    expect(run.lines).toEqual([{ rows: 1000 }])
    expect(Date.now() - started).toBeLessThan(8000)
  })
})
