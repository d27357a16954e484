import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { RowIndexSet, decodeRoaringBitmapArray, encodeRoaringBitmapArray } from '../../../src/delta/dv/roaring.js'
import { decodeZ85 } from '../../../src/delta/dv/z85.js'

const MAGIC = 1681511377

/** Little-endian byte builder for hand-made bitmaps, independent of the encoder under test. */
class Bytes {
  private readonly out: number[] = []
  u8(...v: number[]): this {
    this.out.push(...v)
    return this
  }
  u16(...v: number[]): this {
    for (const x of v) this.out.push(x & 0xff, (x >>> 8) & 0xff)
    return this
  }
  u32(...v: number[]): this {
    for (const x of v) this.out.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff)
    return this
  }
  get length(): number {
    return this.out.length
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out)
  }
}

/** Magic number and a single bucket with key `bucket`; the caller appends the 32-bit bitmap. */
function oneBucket(bucket = 0): Bytes {
  return new Bytes().u32(MAGIC, 1, 0, bucket)
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return isDeltaError(e) ? e.code : `not a DeltaError: ${String(e)}`
  }
  return undefined
}

function sorted(set: RowIndexSet): number[] {
  return Array.from(set.toSortedArray())
}

/** Deterministic pseudo-random numbers, so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

describe('decodeRoaringBitmapArray', () => {
  it('decodes the inline example of PROTOCOL.md', () => {
    const bytes = decodeZ85('wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L').subarray(0, 40)
    const set = decodeRoaringBitmapArray(bytes)
    expect(sorted(set)).toEqual([3, 4, 7, 11, 18, 29])
    expect(set.size).toBe(6)
  })

  it('decodes array containers under the no-run cookie (with offsets)', () => {
    const b = oneBucket().u32(12346, 2).u16(0, 1, 3, 0).u32(32, 36).u16(0, 9).u16(5)
    const set = decodeRoaringBitmapArray(b.done())
    expect(sorted(set)).toEqual([0, 9, 3 * 65536 + 5])
  })

  it('decodes a bitmap container (cardinality above 4096)', () => {
    const words = new Bytes()
    for (let w = 0; w < 1024; w++) words.u32(w < 200 ? 0xffffffff : 0, w < 200 ? 1 : 0) // each u64 word, low half first
    const b = oneBucket(1).u32(12346, 1).u16(2, 6600 - 1).u32(24)
    const bytes = new Uint8Array([...b.done(), ...words.done()])
    const set = decodeRoaringBitmapArray(bytes)
    expect(set.size).toBe(6600)
    const base = 2 ** 32 + 2 * 65536
    expect(set.has(base)).toBe(true)
    expect(set.has(base + 31)).toBe(true)
    expect(set.has(base + 32)).toBe(true)
    expect(set.has(base + 33)).toBe(false)
    expect(set.has(base + 64)).toBe(true)
    expect(set.has(base + 199 * 64 + 32)).toBe(true)
    expect(set.has(base + 200 * 64)).toBe(false)
    expect(set.max).toBe(base + 199 * 64 + 32)
    expect(Array.from(set.toSortedArray().subarray(0, 3))).toEqual([base, base + 1, base + 2])
  })

  it('decodes run containers under the run cookie without offsets (< 4 containers)', () => {
    // Two containers: key 0 a run container (10..14, 20), key 1 an array container {7}.
    const b = oneBucket()
      .u32(12347 | ((2 - 1) << 16))
      .u8(0b01)
      .u16(0, 6 - 1, 1, 1 - 1)
      .u16(2, 10, 4, 20, 0)
      .u16(7)
    expect(sorted(decodeRoaringBitmapArray(b.done()))).toEqual([10, 11, 12, 13, 14, 20, 65536 + 7])
  })

  it('decodes the run cookie with offsets once there are 4 or more containers', () => {
    const b = oneBucket()
      .u32(12347 | ((4 - 1) << 16))
      .u8(0b1010)
      .u16(0, 0, 1, 3 - 1, 2, 0, 3, 65536 - 1)
    b.u32(0, 0, 0, 0) // offsets, which a sequential reader may ignore
    b.u16(42) // array {42}
    b.u16(1, 100, 2) // run 100..102
    b.u16(65535) // array {65535}
    b.u16(1, 0, 65535) // run covering the whole container
    const set = decodeRoaringBitmapArray(b.done())
    expect(set.size).toBe(1 + 3 + 1 + 65536)
    expect(set.has(42)).toBe(true)
    expect(set.has(65536 + 101)).toBe(true)
    expect(set.has(65536 + 103)).toBe(false)
    expect(set.has(2 * 65536 + 65535)).toBe(true)
    expect(set.has(3 * 65536)).toBe(true)
    expect(set.has(4 * 65536 - 1)).toBe(true)
    expect(set.has(4 * 65536)).toBe(false)
  })

  it('decodes several buckets and the empty bitmap', () => {
    const b = new Bytes().u32(MAGIC, 2, 0)
    b.u32(0).u32(12346, 1).u16(0, 0).u32(16).u16(1)
    b.u32(5).u32(12346, 1).u16(0, 0).u32(16).u16(2)
    expect(sorted(decodeRoaringBitmapArray(b.done()))).toEqual([1, 5 * 2 ** 32 + 2])
    expect(decodeRoaringBitmapArray(new Bytes().u32(MAGIC, 0, 0).done()).size).toBe(0)
  })

  it("decodes Spark's native layout, header words little- or big-endian", () => {
    // Bucket 0 empty, bucket 1 holding {4, 6}.
    const native = new Bytes().u32(MAGIC - 1, 2, 8).u32(12346, 0).u32(20).u32(12346, 1).u16(0, 1).u32(16).u16(4, 6)
    expect(sorted(decodeRoaringBitmapArray(native.done()))).toEqual([2 ** 32 + 4, 2 ** 32 + 6])
    const be = native.done()
    for (const at of [0, 4, 8, 20]) be.subarray(at, at + 4).reverse()
    expect(sorted(decodeRoaringBitmapArray(be))).toEqual([2 ** 32 + 4, 2 ** 32 + 6])
    const badSize = new Bytes().u32(MAGIC - 1, 1, 99).u32(12346, 0).done()
    expect(codeOf(() => decodeRoaringBitmapArray(badSize))).toBe('InvalidData')
  })

  it('refuses malformed input with InvalidData', () => {
    const good = oneBucket().u32(12346, 1).u16(0, 1).u32(16).u16(3, 4).done()
    expect(sorted(decodeRoaringBitmapArray(good))).toEqual([3, 4])
    expect(codeOf(() => decodeRoaringBitmapArray(good.subarray(0, good.length - 1)))).toBe('InvalidData')
    expect(codeOf(() => decodeRoaringBitmapArray(new Uint8Array([...good, 0])))).toBe('InvalidData')
    expect(codeOf(() => decodeRoaringBitmapArray(new Uint8Array([0, ...good.subarray(1)])))).toBe('InvalidData')
    expect(codeOf(() => decodeRoaringBitmapArray(oneBucket().u32(12345, 1).done()))).toBe('InvalidData')
    expect(codeOf(() => decodeRoaringBitmapArray(oneBucket().u32(12346, 1).u16(0, 1).u32(16).u16(4, 3).done()))).toBe('InvalidData')
    // The header says 3 values, the run container holds 2.
    expect(codeOf(() => decodeRoaringBitmapArray(oneBucket().u32(12347).u8(1).u16(0, 2).u16(1, 5, 1).done()))).toBe('InvalidData')
    // Buckets out of order.
    const twice = new Bytes().u32(MAGIC, 2, 0, 3, 12346, 0, 2, 12346, 0).done()
    expect(codeOf(() => decodeRoaringBitmapArray(twice))).toBe('InvalidData')
  })

  it('refuses row indexes past 2^53, which no data file has, with InvalidData', () => {
    const huge = oneBucket(2 ** 21).u32(12346, 1).u16(0, 0).u32(16).u16(0).done()
    expect(codeOf(() => decodeRoaringBitmapArray(huge))).toBe('InvalidData')
  })

  it('refuses run containers whose runs overlap, fall out of order or outgrow the header, before expanding them', () => {
    // One run container (header: 65536 values) with 20000 runs each covering the whole
    // container: expanding them all would take billions of values.
    const runs = (card: number, pairs: [number, number][]) => {
      const b = oneBucket().u32(12347).u8(1).u16(0, card - 1).u16(pairs.length)
      for (const [start, length] of pairs) b.u16(start, length)
      return b.done()
    }
    const started = performance.now()
    expect(codeOf(() => decodeRoaringBitmapArray(runs(65536, Array.from({ length: 20000 }, () => [0, 65535]))))).toBe('InvalidData')
    expect(performance.now() - started).toBeLessThan(1000)
    expect(codeOf(() => decodeRoaringBitmapArray(runs(4, [[10, 1], [2, 1]])))).toBe('InvalidData')
    expect(codeOf(() => decodeRoaringBitmapArray(runs(3, [[0, 9]])))).toBe('InvalidData')
    expect(sorted(decodeRoaringBitmapArray(runs(4, [[2, 1], [10, 1]])))).toEqual([2, 3, 10, 11])
  })
})

describe('RowIndexSet', () => {
  it('fromMask holds the rows a mask marks, across containers and both container kinds', () => {
    const n = 3 * 65536 + 17
    const mask = new Uint8Array(n)
    const rows: number[] = []
    for (let i = 0; i < n; i++) {
      // Sparse in the first block, dense (a bitmap container) in the second, none in the third.
      const on = i < 65536 ? i % 997 === 0 : i < 2 * 65536 ? i % 3 !== 0 : i >= 3 * 65536 && i % 2 === 0
      if (on) {
        mask[i] = 1
        rows.push(i)
      }
    }
    const set = RowIndexSet.fromMask(mask)
    expect(set.size).toBe(rows.length)
    expect(Array.from(set.toSortedArray())).toEqual(rows)
    expect(encodeRoaringBitmapArray(set)).toEqual(encodeRoaringBitmapArray(RowIndexSet.fromRows(rows)))
    expect(RowIndexSet.fromMask(new Uint8Array(10)).size).toBe(0)
  })

  const set = RowIndexSet.fromRows([70000, 5, 3, 5, 0, 65535, 65536])

  it('sorts, deduplicates and answers membership', () => {
    expect(set.size).toBe(6)
    expect(sorted(set)).toEqual([0, 3, 5, 65535, 65536, 70000])
    expect(set.max).toBe(70000)
    for (const i of [0, 3, 5, 65535, 65536, 70000]) expect(set.has(i)).toBe(true)
    for (const i of [1, 4, 6, 65534, 65537, 69999, 70001, -1, 2.5, NaN]) expect(set.has(i)).toBe(false)
    expect(RowIndexSet.empty.size).toBe(0)
    expect(RowIndexSet.empty.max).toBeUndefined()
    expect(RowIndexSet.empty.keepMask(3)).toEqual(Uint8Array.from([1, 1, 1]))
  })

  it('builds keep masks for a whole file and for windows of it', () => {
    expect(Array.from(RowIndexSet.fromRows([0, 2, 9]).keepMask(5))).toEqual([0, 1, 0, 1, 1])
    const window = set.keepMask(4, 65534)
    expect(Array.from(window)).toEqual([1, 0, 0, 1])
    expect(Array.from(set.keepMask(3, 69999))).toEqual([1, 0, 1])
    expect(Array.from(set.keepMask(2, 200000))).toEqual([1, 1])
  })

  it('refuses rows that are not safe non-negative integers', () => {
    expect(codeOf(() => RowIndexSet.fromRows([-1]))).toBe('InvalidArgument')
    expect(codeOf(() => RowIndexSet.fromRows([1.5]))).toBe('InvalidArgument')
    expect(codeOf(() => RowIndexSet.fromRows([2 ** 53]))).toBe('InvalidArgument')
  })
})

describe('encodeRoaringBitmapArray', () => {
  const cookieOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true) & 0xffff

  it('round-trips sets that need every container kind and several buckets', () => {
    const runs = Array.from({ length: 20000 }, (_, i) => 10 * 65536 + i)
    const dense = Array.from({ length: 30000 }, (_, i) => 20 * 65536 + 2 * i)
    const sparse = [1, 17, 400, 65535]
    const far = [2 ** 32, 2 ** 32 + 1, 7 * 2 ** 32 + 99, 2 ** 53 - 1]
    const rows = [...sparse, ...runs, ...dense, ...far]
    const bytes = encodeRoaringBitmapArray(rows)
    const back = decodeRoaringBitmapArray(bytes)
    expect(back.size).toBe(rows.length)
    expect(sorted(back)).toEqual([...rows].sort((a, b) => a - b))
    expect(cookieOf(bytes)).toBe(12347)
  })

  it('writes run flags and container offsets once a bucket has 4 or more containers', () => {
    const rows = Array.from({ length: 5 * 100 }, (_, i) => Math.floor(i / 100) * 65536 + (i % 100))
    const bytes = encodeRoaringBitmapArray(rows)
    const view = new DataView(bytes.buffer)
    expect(view.getUint32(16, true)).toBe(12347 | (4 << 16))
    expect(bytes[20]).toBe(0b11111)
    // Header: cookie 4 + flags 1 + keys 20 + offsets 20; then 5 run containers of 2 + 4 bytes.
    expect(Array.from({ length: 5 }, (_, i) => view.getUint32(16 + 25 + 4 * i, true))).toEqual([45, 51, 57, 63, 69])
    expect(bytes.length).toBe(16 + 45 + 5 * 6)
    expect(sorted(decodeRoaringBitmapArray(bytes))).toEqual(rows)
  })

  it('uses the no-run cookie when no container is worth running', () => {
    const bytes = encodeRoaringBitmapArray([0, 9])
    expect(cookieOf(bytes)).toBe(12346)
    // Same layout as Spark's file in table-with-dv-small: 36 bytes for rows 0 and 9.
    expect(bytes.length).toBe(36)
    expect(sorted(decodeRoaringBitmapArray(bytes))).toEqual([0, 9])
  })

  it('encodes the empty set as a bitmap with no buckets', () => {
    const bytes = encodeRoaringBitmapArray([])
    expect(bytes.length).toBe(12)
    expect(decodeRoaringBitmapArray(bytes).size).toBe(0)
  })

  it('agrees with a plain Set on random data', () => {
    const rand = prng(42)
    for (let round = 0; round < 20; round++) {
      const spread = [100, 70000, 2 ** 20, 2 ** 34][round % 4]!
      const rows = Array.from({ length: Math.floor(rand() * 6000) }, () => Math.floor(rand() * spread))
      const truth = new Set(rows)
      const set = decodeRoaringBitmapArray(encodeRoaringBitmapArray(RowIndexSet.fromRows(rows)))
      expect(set.size).toBe(truth.size)
      expect(sorted(set)).toEqual([...truth].sort((a, b) => a - b))
      for (let k = 0; k < 200; k++) {
        const probe = Math.floor(rand() * spread)
        expect(set.has(probe)).toBe(truth.has(probe))
      }
      const mask = set.keepMask(Math.min(spread, 5000), 17)
      mask.forEach((keep, i) => expect(keep).toBe(truth.has(17 + i) ? 0 : 1))
    }
  })
})
