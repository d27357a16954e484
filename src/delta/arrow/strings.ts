import type { Data } from 'apache-arrow'

/**
 * Bytes per decode: bounds both the size of one decoded string and what a slice of it retains.
 * Above V8's limit for young objects (128 KiB), so a window is allocated old: the values cut
 * from it usually live as long as the actions or rows holding them, and a young window would
 * be copied by every scavenge that finds them alive (measured: 10% of opening a 500k-add
 * checkpoint). Decoding a large window costs more per byte, less than that copying.
 */
const GROUP_BYTES = 256 * 1024
/** Values up to this many bytes go through the repeat cache. */
const SHORT = 32
const SLOTS = 4096

// ignoreBOM keeps a leading U+FEFF: it is part of the value, not a marker.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * A reader of row i of a Utf8/LargeUtf8 column (nulls not applied), fastest when rows are read
 * in order. One `TextDecoder` call per row costs more than the text itself for short values,
 * so the bytes are decoded in windows of 256 KiB and each value is cut out with
 * `substring` when the window is ASCII (byte and character offsets agree); otherwise the value
 * is decoded alone. Short values that repeat (map keys, partition values, enum-like fields)
 * share one string through a small cache keyed by a hash of their bytes, which saves most of
 * the allocation and GC.
 */
export function stringReader(data: Data): (i: number) => string {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  const bytes = data.values as Uint8Array
  const at = offsets instanceof BigInt64Array ? (i: number) => Number(offsets[i]!) : (i: number) => (offsets as Int32Array)[i]!
  const cache = new ShortStringCache(bytes)
  let text = ''
  let from = 0
  let to = -1
  let ascii = false
  return (i) => {
    const a = at(i)
    const b = at(i + 1)
    const slot = b - a <= SHORT ? cache.find(a, b) : -1
    if (slot >= 0 && cache.hit) return cache.value(slot)
    if (a < from || b > to) {
      // A new window from this value on (or just this value, if it alone is larger).
      from = a
      to = Math.max(b, Math.min(at(data.length), a + GROUP_BYTES))
      text = decoder.decode(bytes.subarray(from, to))
      // Decoding never yields more UTF-16 units than bytes, and as many only when every
      // byte stands alone (ASCII, or lone invalid bytes): then byte offsets are text offsets.
      ascii = text.length === to - from
    }
    const s = ascii ? text.substring(a - from, b - from) : decoder.decode(bytes.subarray(a, b))
    if (slot >= 0) cache.store(slot, s, a, b)
    return s
  }
}

/** A direct-mapped cache from short byte ranges of one buffer to their decoded strings. */
class ShortStringCache {
  private readonly strings = new Array<string>(SLOTS)
  private readonly starts = new Int32Array(SLOTS).fill(-1)
  private readonly lengths = new Int32Array(SLOTS)
  /** Whether the last `find` found an equal range. */
  hit = false

  constructor(private readonly bytes: Uint8Array) {}

  /** The slot for bytes [a, b), setting `hit` when it holds the same bytes. */
  find(a: number, b: number): number {
    const bytes = this.bytes
    const len = b - a
    let h = len
    for (let p = a; p < b; p++) h = (Math.imul(h, 31) + bytes[p]!) | 0
    const slot = (h ^ (h >>> 12)) & (SLOTS - 1)
    const s = this.starts[slot]!
    let same = s >= 0 && this.lengths[slot] === len
    for (let q = 0; same && q < len; q++) same = bytes[s + q] === bytes[a + q]
    this.hit = same
    return slot
  }

  value(slot: number): string {
    return this.strings[slot]!
  }

  store(slot: number, s: string, a: number, b: number): void {
    this.strings[slot] = s
    this.starts[slot] = a
    this.lengths[slot] = b - a
  }
}
