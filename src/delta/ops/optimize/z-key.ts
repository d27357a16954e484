import type { Data, Table } from 'apache-arrow'
import { nullMask } from '../../arrow/columns.js'
import { DeltaError } from '../../engine/errors.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'

/** Bytes of a string or binary value that its key keeps: values sharing them tie. */
export const STRING_KEY_BYTES = 16

/**
 * Per row, an unsigned key of `words` 32-bit words (most significant first) whose order is the
 * column's order; `nulls` flags null rows (1), which sort first.
 */
interface ColumnKeys {
  words: number
  keys: Uint32Array
  nulls: Uint8Array
}

/**
 * Words per row of the key of a column of `type`, or undefined when a column of that type cannot
 * be z-ordered (structs, arrays, maps).
 */
export function keyWords(type: DeltaType): number | undefined {
  if (typeof type !== 'string') return undefined
  switch (type) {
    case 'byte': case 'short': case 'integer': case 'date': case 'float': case 'boolean': return 1
    case 'long': case 'timestamp': case 'timestamp_ntz': case 'double': return 2
    case 'string': case 'binary': return STRING_KEY_BYTES / 4
  }
  return decimalParams(type) ? 4 : undefined
}

/**
 * The order of rows along a Z-order curve over `columns`, as Spark's `zorder` builds it: each
 * column is mapped to an order-preserving unsigned key (integers with the sign bit flipped,
 * floats by their IEEE bits, strings and binaries by their first {@link STRING_KEY_BYTES} bytes,
 * dates and timestamps as the integers they are), the keys are replaced by their rank among the
 * rows scaled to a common number of bits (Spark's range partition ids: every column gets equal
 * weight whatever its range), and the ranks' bits are interleaved, the first column's highest.
 * Rows sort by that interleaved key, ties in their current order. Nulls come first.
 */
export function zOrderPermutation(table: Table, columns: readonly { name: string; type: DeltaType }[]): Int32Array {
  const n = table.numRows
  const bits = Math.max(1, 32 - Math.clz32(n))
  const ranks = columns.map((c) => scaledRanks(columnKeys(table, c.name, c.type), n, bits))
  const k = ranks.length
  const words = Math.ceil((bits * k) / 32)
  const z = new Uint32Array(n * words)
  for (let row = 0; row < n; row++) {
    const base = row * words
    let p = 0
    for (let b = bits - 1; b >= 0; b--) {
      for (let c = 0; c < k; c++, p++) {
        if ((ranks[c]![row]! >>> b) & 1) z[base + (p >>> 5)] = (z[base + (p >>> 5)]! | (1 << (31 - (p & 31)))) >>> 0
      }
    }
  }
  return sortRows(n, (i, j) => compareWords(z, words, i, j))
}

/** Row indices sorted by `compare`, ties by index (a stable order). */
function sortRows(n: number, compare: (i: number, j: number) => number): Int32Array {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order.sort((i, j) => compare(i, j) || i - j)
}

function compareWords(keys: Uint32Array, words: number, i: number, j: number): number {
  const a = i * words
  const b = j * words
  for (let w = 0; w < words; w++) {
    const d = keys[a + w]! - keys[b + w]!
    if (d !== 0) return d
  }
  return 0
}

/**
 * Each row's quantile in the column as a `bits`-bit number: the count of rows with a smaller key,
 * scaled from [0, n) to [0, 2^bits). Equal keys get equal ranks.
 */
function scaledRanks(col: ColumnKeys, n: number, bits: number): Uint32Array {
  const { words, keys, nulls } = col
  const compare = (i: number, j: number) => (nulls[j]! - nulls[i]!) || (nulls[i] ? 0 : compareWords(keys, words, i, j))
  const order = sortRows(n, compare)
  const out = new Uint32Array(n)
  const scale = 2 ** bits / Math.max(n, 1)
  let firstOfRun = 0
  for (let p = 0; p < n; p++) {
    if (p > 0 && compare(order[p - 1]!, order[p]!) !== 0) firstOfRun = p
    out[order[p]!] = Math.floor(firstOfRun * scale)
  }
  return out
}

/** The keys of one column of `table`, batch by batch. */
function columnKeys(table: Table, name: string, type: DeltaType): ColumnKeys {
  const words = keyWords(type)
  const vector = table.getChild(name)
  if (words === undefined || !vector) throw new DeltaError('InvalidArgument', `cannot z-order by column '${name}'`)
  const keys = new Uint32Array(table.numRows * words)
  const nulls = new Uint8Array(table.numRows)
  let at = 0
  for (const data of vector.data) {
    const mask = nullMask(data)
    if (mask) nulls.set(mask, at)
    fillKeys(data, type, keys.subarray(at * words, (at + data.length) * words))
    at += data.length
  }
  return { words, keys, nulls }
}

/** Write the key of each row of `data` into `out` (values under nulls are written too, and ignored). */
function fillKeys(data: Data, type: DeltaType, out: Uint32Array): void {
  const n = data.length
  const values: unknown = data.values
  if (out.length !== n * (keyWords(type) ?? 0) || !fitsType(values, type)) {
    throw new DeltaError('Internal', `column data of ${String(data.type)} does not hold ${describe(type)} values`)
  }
  if (type === 'boolean') {
    const bits = values as Uint8Array
    for (let i = 0; i < n; i++) out[i] = (bits[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1
  } else if (type === 'string' || type === 'binary') {
    fillByteKeys(data, out)
  } else if (values instanceof Int8Array || values instanceof Int16Array || values instanceof Int32Array) {
    for (let i = 0; i < n; i++) out[i] = (values[i]! ^ 0x80000000) >>> 0
  } else if (values instanceof Float32Array) {
    const u = new Uint32Array(values.buffer, values.byteOffset, n)
    for (let i = 0; i < n; i++) out[i] = floatKey(u[i]!)
  } else if (values instanceof Float64Array || values instanceof BigInt64Array) {
    const u = new Uint32Array(values.buffer, values.byteOffset, n * 2)
    const float = values instanceof Float64Array
    for (let i = 0; i < n; i++) {
      const lo = u[2 * i]!
      const hi = u[2 * i + 1]!
      if (!float) {
        out[2 * i] = (hi ^ 0x80000000) >>> 0
        out[2 * i + 1] = lo
      } else if (hi & 0x80000000) {
        out[2 * i] = ~hi >>> 0
        out[2 * i + 1] = ~lo >>> 0
      } else {
        out[2 * i] = (hi | 0x80000000) >>> 0
        out[2 * i + 1] = lo
      }
    }
  } else if (values instanceof Uint32Array && data.stride === 4) {
    // Decimal128: four little-endian words of two's complement.
    for (let i = 0; i < n; i++) {
      out[4 * i] = (values[4 * i + 3]! ^ 0x80000000) >>> 0
      out[4 * i + 1] = values[4 * i + 2]!
      out[4 * i + 2] = values[4 * i + 1]!
      out[4 * i + 3] = values[4 * i]!
    }
  } else {
    throw new DeltaError('Internal', `no z-order key for ${String(data.type)} data`)
  }
}

/** Whether the data's values are the Arrow form of `type` that {@link fillKeys} reads. */
function fitsType(values: unknown, type: DeltaType): boolean {
  switch (type) {
    case 'byte': return values instanceof Int8Array
    case 'short': return values instanceof Int16Array
    case 'integer': case 'date': return values instanceof Int32Array
    case 'long': case 'timestamp': case 'timestamp_ntz': return values instanceof BigInt64Array
    case 'float': return values instanceof Float32Array
    case 'double': return values instanceof Float64Array
    case 'boolean': case 'string': case 'binary': return values instanceof Uint8Array
  }
  return values instanceof Uint32Array
}

function describe(type: DeltaType): string {
  return typeof type === 'string' ? type : type.type
}

/** IEEE bits turned unsigned-ordered: negatives (sign set) reversed below the positives. */
function floatKey(bits: number): number {
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0
}

/** The first bytes of each value, big-endian in the words, zero-padded. */
function fillByteKeys(data: Data, out: Uint32Array): void {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  const bytes = data.values as Uint8Array
  const at = (i: number) => Number(offsets[i]!)
  const words = STRING_KEY_BYTES / 4
  for (let i = 0; i < data.length; i++) {
    const start = at(i)
    const end = Math.min(at(i + 1), start + STRING_KEY_BYTES)
    for (let w = 0; w < words; w++) {
      let word = 0
      for (let b = 0; b < 4; b++) {
        const p = start + w * 4 + b
        word = word * 256 + (p < end ? bytes[p]! : 0)
      }
      out[i * words + w] = word
    }
  }
}
