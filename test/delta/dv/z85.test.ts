import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { decodeZ85, encodeZ85 } from '../../../src/delta/dv/z85.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return isDeltaError(e) ? e.code : 'not a DeltaError'
  }
  return undefined
}

describe('z85', () => {
  it('matches the test vector of ZeroMQ RFC 32', () => {
    const bytes = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])
    expect(encodeZ85(bytes)).toBe('HelloWorld')
    expect(Array.from(decodeZ85('HelloWorld'))).toEqual(Array.from(bytes))
  })

  it('encodes the extremes of a group', () => {
    expect(encodeZ85(new Uint8Array(4))).toBe('00000')
    expect(encodeZ85(Uint8Array.from([255, 255, 255, 255]))).toBe('%nSc0')
    expect(Array.from(decodeZ85('%nSc0'))).toEqual([255, 255, 255, 255])
  })

  it('round-trips arbitrary multiples of 4 bytes', () => {
    let seed = 7
    for (const n of [0, 4, 8, 36, 400]) {
      const bytes = Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff)
      const text = encodeZ85(bytes)
      expect(text).toHaveLength((n / 4) * 5)
      expect(Array.from(decodeZ85(text))).toEqual(Array.from(bytes))
    }
  })

  it('decodes a view into a larger buffer correctly', () => {
    const big = Uint8Array.from([9, 9, 0x86, 0x4f, 0xd2, 0x6f, 9])
    expect(encodeZ85(big.subarray(2, 6))).toBe('Hello')
  })

  it('refuses lengths that are not whole groups', () => {
    expect(codeOf(() => encodeZ85(new Uint8Array(5)))).toBe('InvalidArgument')
    expect(codeOf(() => decodeZ85('Hell'))).toBe('InvalidData')
  })

  it('refuses characters outside the alphabet and groups above 32 bits', () => {
    expect(codeOf(() => decodeZ85('Hel"o'))).toBe('InvalidData')
    expect(codeOf(() => decodeZ85('Hel\u00e9o'))).toBe('InvalidData')
    expect(codeOf(() => decodeZ85('%nSc1'))).toBe('InvalidData')
  })

  it("reads the Rust z85 crate's padded tail group ('#' per missing byte)", () => {
    // The tail of an inline DV written by delta-kernel-rs (corpus table cdf-table-with-dv):
    // two bytes 03 00 as the number 768 = '093', after two '#' for the two missing bytes.
    expect(Array.from(decodeZ85('00000##093'))).toEqual([0, 0, 0, 0, 0x03, 0x00, 0, 0])
    expect(Array.from(decodeZ85('#0961'))).toEqual([0x01, 0, 0, 0])
    expect(Array.from(decodeZ85('#0962'))).toEqual([0x01, 0, 0x01, 0])
    expect(Array.from(decodeZ85('###30'))).toEqual([0xff, 0, 0, 0])
    // '#' groups only end the text, hold 1 to 3 bytes, and must fit them.
    expect(codeOf(() => decodeZ85('##09300000'))).toBe('InvalidData')
    expect(codeOf(() => decodeZ85('#####'))).toBe('InvalidData')
    expect(codeOf(() => decodeZ85('###31'))).toBe('InvalidData')
  })
})
