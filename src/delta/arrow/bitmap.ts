import type { Data } from 'apache-arrow'

/** Bytes for a validity bitmap of `length` bits, padded to 64 bytes as Arrow recommends. */
export function bitmapBytes(length: number): number {
  return ((length + 511) & ~511) >> 3
}

/** A fresh bitmap with every bit of `length` cleared (all null). */
export function newBitmap(length: number): Uint8Array {
  return new Uint8Array(bitmapBytes(length))
}

/** A fresh bitmap with the first `length` bits set (all valid). */
export function fullBitmap(length: number): Uint8Array {
  const out = newBitmap(length)
  out.fill(0xff, 0, length >> 3)
  if (length & 7) out[length >> 3] = (1 << (length & 7)) - 1
  return out
}

/**
 * The validity bitmap of `data` when it has nulls, else undefined. Bit `data.offset + i` is row
 * i: Arrow JS slices value buffers but never the bitmap.
 */
export function nullsOf(data: Data): Uint8Array | undefined {
  const bits = data.nullBitmap as Uint8Array | undefined
  return bits && bits.byteLength > 0 && data.nullCount > 0 ? bits : undefined
}

/** True when bit `i` of a bitmap is set. */
export function testBit(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3]! >> (i & 7)) & 1) === 1
}

/** Set bit `i` of a bitmap. */
export function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3]! |= 1 << (i & 7)
}

/** Row `i` of `data` is not null (row index relative to the slice). */
export function isValidRow(data: Data, i: number): boolean {
  const bits = nullsOf(data)
  return bits === undefined || testBit(bits, data.offset + i)
}
