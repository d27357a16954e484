import type { Data } from 'apache-arrow'

const POW10: bigint[] = [1n]
for (let i = 1; i <= 77; i++) POW10.push(POW10[i - 1]! * 10n)

/** 10^n as a bigint, exact, for 0 <= n <= 77. */
export function pow10(n: number): bigint {
  const p = POW10[n]
  if (p === undefined) throw new RangeError(`10^${n} is out of range`)
  return p
}

const MASK32 = 0xffffffffn

/**
 * A reader of the unscaled values of an Arrow Decimal column (32 to 256 bits, little-endian
 * 32-bit words, two's complement). Row indices are relative to the slice. Values are built from
 * the words with bigint arithmetic: never through doubles.
 */
export function decimalReader(data: Data): (row: number) => bigint {
  const words = data.values as Uint32Array
  const stride = data.stride
  if (stride === 4 && (words.byteOffset & 7) === 0) {
    // Two 64-bit halves read straight from the buffer: the common case, and the fast one.
    const n64 = words.length >> 1
    const lo = new BigUint64Array(words.buffer, words.byteOffset, n64)
    const hi = new BigInt64Array(words.buffer, words.byteOffset, n64)
    return (row) => {
      const h = hi[2 * row + 1]!
      const l = lo[2 * row]!
      if ((h === 0n && l < 0x8000000000000000n) || (h === -1n && l >= 0x8000000000000000n)) {
        return BigInt.asIntN(64, l)
      }
      return (h << 64n) | l
    }
  }
  const bits = BigInt(stride * 32)
  return (row) => {
    let v = 0n
    for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[row * stride + k]!)
    return BigInt.asIntN(Number(bits), v)
  }
}

/**
 * A writer of 128-bit two's complement values into `words` (four little-endian words per row),
 * through a 64-bit view when the buffer is aligned for one.
 */
export function decimal128Writer(words: Uint32Array): (row: number, v: bigint) => void {
  if ((words.byteOffset & 7) === 0) {
    const u64 = new BigUint64Array(words.buffer, words.byteOffset, words.length >> 1)
    return (row, v) => {
      u64[2 * row] = BigInt.asUintN(64, v)
      u64[2 * row + 1] = BigInt.asUintN(64, v >> 64n)
    }
  }
  return (row, v) => {
    let x = BigInt.asUintN(128, v)
    for (let k = 0; k < 4; k++, x >>= 32n) words[4 * row + k] = Number(x & MASK32)
  }
}

/** True when `v` has at most `precision` decimal digits. */
export function fitsPrecision(v: bigint, precision: number): boolean {
  const limit = pow10(precision)
  return v < limit && v > -limit
}

/** The unscaled value as exact decimal text with `scale` fraction digits: 12345n, 2 -> '123.45'. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (scale === 0 ? unscaled : unscaled * pow10(-scale)).toString()
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const cut = digits.length - scale
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`
}

/** A big-endian two's complement integer (Parquet's FIXED_LEN_BYTE_ARRAY/BINARY decimal). */
export function readBigEndian(bytes: Uint8Array, start: number, end: number): bigint {
  if (end <= start) return 0n
  let v = 0n
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(bytes[i]!)
  return BigInt.asIntN((end - start) * 8, v)
}
