// A tiny hand-rolled Parquet writer for INT96 test files: parquet-wasm cannot write INT96, and the
// cases the reader must handle (nulls, several row groups, dates far outside 1677..2262, nested
// INT96, a codec the INT96 decoder lacks) need files built on purpose. Data pages are v1, PLAIN,
// and "compressed" either not at all or as a zstd frame of raw blocks (valid zstd, no encoder).

type Value = number | bigint | string | Uint8Array | Value[] | Struct
interface Struct {
  fields: [number, Value][]
}
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const

class CompactWriter {
  bytes: number[] = []
  varint(v: bigint): void {
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    this.bytes.push(Number(v))
  }
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n)
  }
  struct(s: Struct): void {
    let last = 0
    for (const [id, value] of s.fields) {
      const type = typeOf(value)
      this.bytes.push(((id - last) << 4) | type)
      last = id
      this.value(value, type)
    }
    this.bytes.push(0)
  }
  value(v: Value, type: number): void {
    if (type === T.I32 || type === T.I64) this.zigzag(BigInt(v as number | bigint))
    else if (type === T.BINARY) {
      const b = typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array)
      this.varint(BigInt(b.length))
      this.bytes.push(...b)
    } else if (type === T.LIST) {
      const list = v as Value[]
      const elem = list.length ? typeOf(list[0]!) : T.I32
      this.bytes.push((list.length << 4) | elem)
      for (const item of list) this.value(item, elem)
    } else this.struct(v as Struct)
  }
}

function typeOf(v: Value): number {
  if (typeof v === 'number') return T.I32
  if (typeof v === 'bigint') return T.I64
  if (typeof v === 'string' || v instanceof Uint8Array) return T.BINARY
  if (Array.isArray(v)) return T.LIST
  return T.STRUCT
}

function thrift(s: Struct): Uint8Array {
  const w = new CompactWriter()
  w.struct(s)
  return Uint8Array.from(w.bytes)
}

/** Microseconds since the epoch as INT96: nanoseconds of the day, then the Julian day, LE. */
export function int96(micros: bigint): Uint8Array {
  const day = 86_400_000_000n
  const days = micros / day - (micros % day < 0n ? 1n : 0n)
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, (micros - days * day) * 1000n, true)
  view.setUint32(8, Number(days + 2_440_588n), true)
  return out
}

/** Definition levels of bit width `width` as one bit-packed run, length-prefixed (page v1). */
function levels(defs: number[], width: number): Uint8Array {
  const groups = Math.ceil(defs.length / 8)
  const packed = new Uint8Array(groups * width)
  defs.forEach((d, i) => {
    for (let b = 0; b < width; b++) if ((d >> b) & 1) packed[(i * width + b) >> 3]! |= 1 << ((i * width + b) & 7)
  })
  const body = [(groups << 1) | 1, ...packed]
  return Uint8Array.from([body.length & 0xff, body.length >> 8, 0, 0, ...body])
}

/** A zstd frame holding `data` in one raw (stored) block. */
function zstdRaw(data: Uint8Array): Uint8Array {
  const header = [0x28, 0xb5, 0x2f, 0xfd, 0xa0, ...new Uint8Array(Uint32Array.of(data.length).buffer)]
  const block = (data.length << 3) | 1 // last block, type raw
  return Uint8Array.from([...header, block & 0xff, (block >> 8) & 0xff, block >> 16, ...data])
}

export interface Int96FileSpec {
  /** Row groups; in each, `id` values and `ts` values (microseconds, or null). */
  rowGroups: { id: number[]; ts: (bigint | null)[] }[]
  /** Put `ts` inside a struct column `s` instead of at the top level. */
  nested?: boolean
  /** Codec of the INT96 column chunks. */
  codec?: 'UNCOMPRESSED' | 'ZSTD'
}

/** A Parquet file with an INT32 column `id` and an optional INT96 column `ts` (or `s.ts`). */
export function writeInt96File(spec: Int96FileSpec): Uint8Array {
  const out: number[] = [...new TextEncoder().encode('PAR1')]
  const maxDef = spec.nested ? 2 : 1
  const codec = spec.codec === 'ZSTD' ? 6 : 0
  const rowGroups = spec.rowGroups.map((g) => {
    const idPage = Uint8Array.from(new Uint8Array(Int32Array.from(g.id).buffer))
    const defs = g.ts.map((v) => (v === null ? maxDef - 1 : maxDef))
    const tsPage = Uint8Array.from([...levels(defs, spec.nested ? 2 : 1), ...g.ts.flatMap((v) => (v === null ? [] : [...int96(v)]))])
    const id = writeChunk(out, idPage, 0, 1, ['id'], g.id.length)
    const ts = writeChunk(out, tsPage, codec, 3, spec.nested ? ['s', 'ts'] : ['ts'], g.ts.length)
    return { fields: [[1, [id, ts]], [2, BigInt(idPage.length + tsPage.length)], [3, BigInt(g.id.length)]] } as Struct
  })
  const leaf = (name: string): Struct => ({ fields: [[1, 3], [3, 1], [4, name]] })
  const schema: Struct[] = [{ fields: [[4, 'schema'], [5, 2]] }, { fields: [[1, 1], [3, 0], [4, 'id']] }]
  schema.push(...(spec.nested ? [{ fields: [[3, 1], [4, 's'], [5, 1]] } as Struct, leaf('ts')] : [leaf('ts')]))
  const rows = spec.rowGroups.reduce((n, g) => n + g.id.length, 0)
  const footer = thrift({ fields: [[1, 1], [2, schema], [3, BigInt(rows)], [4, rowGroups]] })
  out.push(...footer, ...new Uint8Array(Uint32Array.of(footer.length).buffer), ...new TextEncoder().encode('PAR1'))
  return Uint8Array.from(out)
}

/** Append one column chunk (a single data page) and return its ColumnChunk struct. */
function writeChunk(out: number[], page: Uint8Array, codec: number, type: number, path: string[], n: number): Struct {
  const body = codec === 6 ? zstdRaw(page) : page
  const dataPage: Struct = { fields: [[1, n], [2, 0], [3, 3], [4, 3]] }
  const header = thrift({ fields: [[1, 0], [2, page.length], [3, body.length], [5, dataPage]] })
  const offset = BigInt(out.length)
  out.push(...header, ...body)
  const size = BigInt(header.length + body.length)
  const meta: Struct = {
    fields: [[1, type], [2, [0, 3]], [3, path], [4, codec], [5, BigInt(n)], [6, BigInt(header.length + page.length)], [7, size], [9, offset]],
  }
  return { fields: [[2, offset], [3, meta]] }
}
