import { DeltaError } from '../engine/errors.js'

// Delta's RoaringBitmapArray (PROTOCOL.md, "Deletion Vector Format"): a little-endian magic
// number, then the portable 64-bit roaring format of github.com/RoaringBitmap/RoaringFormatSpec:
// a u64 bucket count, and per bucket a u32 key (the high 32 bits) and a 32-bit roaring bitmap.
const MAGIC = 1681511377
// Spark's older "native" RoaringBitmapArray layout, and the same magic read with its bytes swapped.
const NATIVE_MAGIC = 1681511376
const NATIVE_MAGIC_SWAPPED = 0xd0d33964
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346
const SERIAL_COOKIE = 12347
const NO_OFFSET_THRESHOLD = 4
const ARRAY_MAX = 4096
// Bucket keys at or above 2^21 hold row indexes past 2^53, which a JS number cannot represent.
const MAX_BUCKET = 2 ** 21

/** One 16-bit container in memory: sorted values, or a 65536-bit bitmap once that is smaller. */
type Container = { kind: 'array'; values: Uint16Array } | { kind: 'bitmap'; words: Uint32Array }

/** Containers in ascending key order; `keys[i]` is the row index divided by 65536. */
interface Parts {
  keys: number[]
  containers: Container[]
  size: number
}

let partsOf: (set: RowIndexSet) => Parts
let createSet: (parts: Parts) => RowIndexSet

/**
 * An immutable set of row indexes (positions of rows in one data file, from 0), as a deletion
 * vector names them. Kept in roaring form so a million deletions cost about what the DV file did,
 * not a number per row. Indexes are JS numbers: bitmaps holding one past 2^53 are refused.
 */
export class RowIndexSet {
  readonly #parts: Parts

  static {
    partsOf = (set) => set.#parts
    createSet = (parts) => new RowIndexSet(parts)
  }

  private constructor(parts: Parts) {
    this.#parts = parts
  }

  /** The empty set. */
  static readonly empty: RowIndexSet = new RowIndexSet({ keys: [], containers: [], size: 0 })

  /** A set of the given row indexes (any order, duplicates allowed; each a safe integer >= 0). */
  static fromRows(rows: Iterable<number>): RowIndexSet {
    const sorted = Float64Array.from(rows, checkRow).sort()
    const parts: Parts = { keys: [], containers: [], size: 0 }
    for (let i = 0; i < sorted.length; ) {
      const key = Math.floor(sorted[i]! / 65536)
      const lows: number[] = []
      for (; i < sorted.length && Math.floor(sorted[i]! / 65536) === key; i++) {
        const low = sorted[i]! - key * 65536
        if (lows[lows.length - 1] !== low) lows.push(low)
      }
      parts.keys.push(key)
      parts.containers.push(containerOf(lows))
      parts.size += lows.length
    }
    return new RowIndexSet(parts)
  }

  /** The row indexes `i` where `mask[i]` is 1, walked in order (no sort, no number per row kept). */
  static fromMask(mask: Uint8Array): RowIndexSet {
    const parts: Parts = { keys: [], containers: [], size: 0 }
    for (let base = 0; base < mask.length; base += 65536) {
      const end = Math.min(base + 65536, mask.length)
      let n = 0
      for (let i = base; i < end; i++) n += mask[i]!
      if (n === 0) continue
      const lows = new Uint16Array(n)
      for (let i = base, k = 0; i < end; i++) if (mask[i]) lows[k++] = i - base
      parts.keys.push(base / 65536)
      parts.containers.push(containerOf(lows))
      parts.size += n
    }
    return new RowIndexSet(parts)
  }

  /** How many rows the set holds (a deletion vector's cardinality). */
  get size(): number {
    return this.#parts.size
  }

  /** The largest row index, or undefined for the empty set. */
  get max(): number | undefined {
    const { keys, containers } = this.#parts
    const last = containers[containers.length - 1]
    return last && keys[keys.length - 1]! * 65536 + lowsOf(last)[cardinalityOf(last) - 1]!
  }

  /** Whether row index `i` is in the set. */
  has(i: number): boolean {
    if (!Number.isSafeInteger(i) || i < 0) return false
    const key = Math.floor(i / 65536)
    const at = lowerBound(this.#parts.keys, key)
    const c = this.#parts.containers[at]
    if (!c || this.#parts.keys[at] !== key) return false
    const low = i - key * 65536
    return c.kind === 'bitmap' ? ((c.words[low >>> 5]! >>> (low & 31)) & 1) === 1 : c.values[lowerBound(c.values, low)] === low
  }

  /** Every row index, ascending. */
  toSortedArray(): Float64Array {
    const out = new Float64Array(this.size)
    let n = 0
    this.#parts.containers.forEach((c, i) => {
      const base = this.#parts.keys[i]! * 65536
      for (const low of lowsOf(c)) out[n++] = base + low
    })
    return out
  }

  /**
   * A selection mask for rows `startRow .. startRow + numRows - 1`: 1 keeps the row, 0 drops it
   * (it is in the set). A scan reading a file batch by batch passes each batch's first row.
   * Indexes outside the window are ignored.
   */
  keepMask(numRows: number, startRow = 0): Uint8Array {
    const mask = new Uint8Array(numRows).fill(1)
    const { keys, containers } = this.#parts
    for (let i = lowerBound(keys, Math.floor(startRow / 65536)); i < keys.length; i++) {
      const offset = keys[i]! * 65536 - startRow
      if (offset >= numRows) break
      for (const low of lowsOf(containers[i]!)) {
        const at = offset + low
        if (at >= 0 && at < numRows) mask[at] = 0
      }
    }
    return mask
  }
}

/**
 * Decode a RoaringBitmapArray (magic number included) into a set: the portable format Delta
 * writers use, or Spark's native one. Accepts array, bitmap and run containers under either cookie.
 * Fails with `InvalidData` on malformed bytes, row indexes past 2^53 included.
 * `what` names the source in errors.
 */
export function decodeRoaringBitmapArray(bytes: Uint8Array, what = 'deletion vector'): RowIndexSet {
  const r = new Reader(bytes, what)
  const magic = r.u32()
  const parts: Parts = { keys: [], containers: [], size: 0 }
  if (magic === MAGIC) readPortable(r, parts)
  else if (magic === NATIVE_MAGIC || magic === NATIVE_MAGIC_SWAPPED) readNative(r, parts, magic === NATIVE_MAGIC)
  else throw r.corrupt(`magic number ${magic} is not ${MAGIC}`)
  if (r.pos !== bytes.length) throw r.corrupt(`${bytes.length - r.pos} bytes follow the bitmap`)
  return createSet(parts)
}

/** Portable format: a u64 bucket count, then per bucket, ascending, a u32 key and a bitmap. */
function readPortable(r: Reader, parts: Parts): void {
  const buckets = r.u32()
  if (r.u32() !== 0) throw r.corrupt('bucket count exceeds 2^32')
  for (let b = 0, previous = -1; b < buckets; b++) {
    const bucket = r.u32()
    if (bucket <= previous) throw r.corrupt('bucket keys are not ascending')
    readBitmap32(r, (previous = bucket), parts)
  }
}

/**
 * Native format: a u32 count, then for buckets 0 .. count - 1 a u32 size and a bitmap. Spark
 * writes the header words little-endian; the inline example of PROTOCOL.md has them big-endian.
 */
function readNative(r: Reader, parts: Parts, littleEndian: boolean): void {
  const count = r.u32(littleEndian)
  for (let bucket = 0; bucket < count; bucket++) {
    const size = r.u32(littleEndian)
    const start = r.pos
    readBitmap32(r, bucket, parts)
    if (r.pos - start !== size) throw r.corrupt(`bitmap ${bucket} takes ${r.pos - start} bytes, its header says ${size}`)
  }
}

/** One 32-bit roaring bitmap holding the low halves of the row indexes in `bucket`. */
function readBitmap32(r: Reader, bucket: number, parts: Parts): void {
  const cookie = r.u32()
  let count: number
  let runFlags: Uint8Array | undefined
  if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    count = r.u32()
    if (count > 65536) throw r.corrupt(`container count ${count} exceeds 65536`)
  } else if ((cookie & 0xffff) === SERIAL_COOKIE) {
    count = (cookie >>> 16) + 1
    runFlags = r.bytes((count + 7) >> 3)
  } else {
    throw r.corrupt(`cookie ${cookie} is not a roaring cookie`)
  }
  // Row indexes past 2^53 exist in no data file (and no JS number holds them exactly).
  if (count > 0 && bucket >= MAX_BUCKET) throw r.corrupt('it holds row indexes beyond 2^53')
  const header = Array.from({ length: 2 * count }, () => r.u16())
  // Container offsets: read in order, as Spark and delta-kernel-rs do, they are not needed.
  if (!runFlags || count >= NO_OFFSET_THRESHOLD) r.bytes(4 * count)
  for (let i = 0, previous = -1; i < count; i++) {
    const key = header[2 * i]!
    const card = header[2 * i + 1]! + 1
    if (key <= previous) throw r.corrupt('container keys are not ascending')
    previous = key
    const c = readContainer(r, runFlags !== undefined && ((runFlags[i >> 3]! >> (i & 7)) & 1) === 1, card)
    if (cardinalityOf(c) !== card) throw r.corrupt(`container ${key} holds ${cardinalityOf(c)} values, its header says ${card}`)
    parts.keys.push(bucket * 65536 + key)
    parts.containers.push(c)
    parts.size += card
  }
}

/** A run container (runs of start, length - 1), a bitmap (over 4096 values) or an array. */
function readContainer(r: Reader, isRun: boolean, card: number): Container {
  if (!isRun && card > ARRAY_MAX) return { kind: 'bitmap', words: Uint32Array.from({ length: 2048 }, () => r.u32()) }
  const lows: number[] = []
  if (isRun) {
    // Each run must start past the previous one and the runs may not hold more than the header
    // says: checked run by run, so overlapping runs cannot expand to billions of values.
    for (let n = r.u16(), previousEnd = -1; n > 0; n--) {
      const start = r.u16()
      const last = start + r.u16()
      if (last > 65535) throw r.corrupt('a run goes past 65535')
      if (start <= previousEnd) throw r.corrupt('runs overlap or are not ascending')
      if (lows.length + last - start + 1 > card) throw r.corrupt(`runs hold more than the ${card} values the header says`)
      for (let v = start; v <= last; v++) lows.push(v)
      previousEnd = last
    }
    return containerOf(lows)
  }
  for (let n = 0; n < card; n++) lows.push(r.u16())
  for (let i = 1; i < lows.length; i++) if (lows[i]! <= lows[i - 1]!) throw r.corrupt('container values are not strictly ascending')
  return containerOf(lows)
}

/**
 * Encode row indexes (or a set) as a portable RoaringBitmapArray with magic number: the bytes
 * Delta keeps in DV files and, Z85-encoded, inline. Each container takes the smallest of array,
 * bitmap and run form, as Java's RoaringBitmap does after `runOptimize`.
 */
export function encodeRoaringBitmapArray(rows: Iterable<number> | RowIndexSet): Uint8Array {
  const { keys, containers } = partsOf(rows instanceof RowIndexSet ? rows : RowIndexSet.fromRows(rows))
  const chunks: Uint8Array[] = []
  let buckets = 0
  for (let i = 0; i < keys.length; buckets++) {
    const bucket = Math.floor(keys[i]! / 65536)
    const members: Array<[number, Uint16Array]> = []
    for (; i < keys.length && Math.floor(keys[i]! / 65536) === bucket; i++) members.push([keys[i]! % 65536, lowsOf(containers[i]!)])
    chunks.push(u32le(bucket), encodeBitmap32(members))
  }
  return concat([u32le(MAGIC), u32le(buckets), u32le(0), ...chunks])
}

/** A 32-bit roaring bitmap of the given (key, sorted values) containers. */
function encodeBitmap32(members: Array<[number, Uint16Array]>): Uint8Array {
  const forms = members.map(([, lows]) => chooseForm(lows))
  const n = members.length
  const hasRun = forms.some((f) => f.kind === 'run')
  const withOffsets = !hasRun || n >= NO_OFFSET_THRESHOLD
  const headerSize = (hasRun ? 4 + ((n + 7) >> 3) : 8) + 4 * n + (withOffsets ? 4 * n : 0)
  const out = new Uint8Array(forms.reduce((total, f) => total + f.size, headerSize))
  const view = new DataView(out.buffer)
  let pos = 0
  const put = (v: number, bytes: 2 | 4): void => {
    if (bytes === 2) view.setUint16(pos, v, true)
    else view.setUint32(pos, v, true)
    pos += bytes
  }
  put(hasRun ? SERIAL_COOKIE | ((n - 1) << 16) : SERIAL_COOKIE_NO_RUNCONTAINER, 4)
  if (hasRun) {
    for (let i = 0; i < n; i++) if (forms[i]!.kind === 'run') out[pos + (i >> 3)]! |= 1 << (i & 7)
    pos += (n + 7) >> 3
  } else {
    put(n, 4)
  }
  for (const [key, lows] of members) {
    put(key, 2)
    put(lows.length - 1, 2)
  }
  let offset = headerSize
  for (const f of forms) {
    if (withOffsets) put(offset, 4)
    offset += f.size
  }
  for (const f of forms) {
    if (f.kind === 'bitmap') {
      for (const low of f.lows) out[pos + (low >> 3)]! |= 1 << (low & 7)
      pos += 8192
    } else {
      if (f.kind === 'run') put(f.runs.length / 2, 2)
      for (const v of f.kind === 'run' ? f.runs : f.lows) put(v, 2)
    }
  }
  return out
}

function chooseForm(lows: Uint16Array): { kind: 'array' | 'bitmap' | 'run'; lows: Uint16Array; runs: number[]; size: number } {
  const runs: number[] = []
  for (let i = 0, j = 0; i < lows.length; i = ++j) {
    while (j + 1 < lows.length && lows[j + 1] === lows[j]! + 1) j++
    runs.push(lows[i]!, j - i)
  }
  const plain = lows.length <= ARRAY_MAX ? { kind: 'array' as const, size: 2 * lows.length } : { kind: 'bitmap' as const, size: 8192 }
  const runSize = 2 + 2 * runs.length
  return runSize < plain.size ? { kind: 'run', lows, runs, size: runSize } : { ...plain, lows, runs }
}

function containerOf(lows: ArrayLike<number>): Container {
  if (lows.length <= ARRAY_MAX) return { kind: 'array', values: Uint16Array.from(lows) }
  const words = new Uint32Array(2048)
  for (let i = 0; i < lows.length; i++) words[lows[i]! >>> 5]! |= 1 << (lows[i]! & 31)
  return { kind: 'bitmap', words }
}

function lowsOf(c: Container): Uint16Array {
  if (c.kind === 'array') return c.values
  const lows = new Uint16Array(cardinalityOf(c))
  let n = 0
  c.words.forEach((word, w) => {
    for (let bits = word; bits !== 0; bits &= bits - 1) lows[n++] = w * 32 + 31 - Math.clz32(bits & -bits)
  })
  return lows
}

function cardinalityOf(c: Container): number {
  if (c.kind === 'array') return c.values.length
  let n = 0
  for (const word of c.words) for (let bits = word; bits !== 0; bits &= bits - 1) n++
  return n
}

/** Index of the first element >= `v` in ascending `a` (a.length when none). */
function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid]! < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

function checkRow(v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new DeltaError('InvalidArgument', `row index ${v} is not an integer in 0 .. 2^53 - 1`)
  return v
}

function u32le(v: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, v, true)
  return out
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let pos = 0
  for (const c of chunks) {
    out.set(c, pos)
    pos += c.length
  }
  return out
}

/** Bounds-checked reads (little-endian unless told) that fail with a message naming the source. */
class Reader {
  pos = 0
  private readonly view: DataView
  constructor(
    private readonly data: Uint8Array,
    readonly what: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }
  corrupt(why: string): DeltaError {
    return new DeltaError('InvalidData', `${this.what} is not a valid roaring bitmap (${why} at byte ${this.pos}); the deletion vector is corrupt: restore it or rewrite the file it belongs to`)
  }
  private take(n: number): number {
    if (this.pos + n > this.data.length) throw this.corrupt(`needs ${n} more bytes, the data ends`)
    return (this.pos += n) - n
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true)
  }
  u32(littleEndian = true): number {
    return this.view.getUint32(this.take(4), littleEndian)
  }
  bytes(n: number): Uint8Array {
    const at = this.take(n)
    return this.data.subarray(at, at + n)
  }
}
