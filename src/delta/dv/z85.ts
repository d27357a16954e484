import { DeltaError } from '../engine/errors.js'

// Z85 (ZeroMQ RFC 32): 4 bytes <-> 5 printable, JSON-safe characters. Delta uses it for inline
// deletion vectors and for the UUID inside `u` deletion vector descriptors.
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'

const DIGITS = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i

/**
 * Encode bytes as Z85. The length must be a multiple of 4 (Z85 has no padding of its own;
 * callers that need other lengths pad with zeros and record the true length elsewhere, as inline
 * deletion vectors do with `sizeInBytes`).
 */
export function encodeZ85(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) {
    throw new DeltaError('InvalidArgument', `Z85 encodes whole 4-byte groups, got ${bytes.length} bytes: pad the input with zeros to a multiple of 4`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: string[] = []
  const group = ['', '', '', '', '']
  for (let i = 0; i < bytes.length; i += 4) {
    let v = view.getUint32(i, false)
    for (let j = 4; j >= 0; j--) {
      group[j] = ALPHABET[v % 85]!
      v = Math.floor(v / 85)
    }
    out.push(group.join(''))
  }
  return out.join('')
}

/**
 * Decode Z85 text into bytes (4 bytes per 5 characters). A last group of k '#' and 5 - k digits
 * (1 <= k <= 3) is the padded tail of the Rust `z85` crate, which delta-kernel-rs writes into
 * inline deletion vectors: 4 - k bytes, followed here by k zero bytes so the output stays a whole
 * number of groups (callers cut it to their true length). Strict Z85 never starts a group with '#'
 * (it would exceed 2^32), so both read unambiguously. Fails with `InvalidData` on anything else
 * that is not Z85.
 */
export function decodeZ85(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new DeltaError('InvalidData', `Z85 text must have a multiple of 5 characters, got ${text.length}: the value is truncated or not Z85`)
  }
  const out = new Uint8Array((text.length / 5) * 4)
  const view = new DataView(out.buffer)
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let pad = 0
    while (pad < 3 && text[i + pad] === '#' && i + 5 === text.length) pad++
    let v = 0
    for (let j = pad; j < 5; j++) {
      const code = text.charCodeAt(i + j)
      const d = code < 128 ? DIGITS[code]! : -1
      if (d < 0) throw new DeltaError('InvalidData', `'${text[i + j]}' at position ${i + j} is not a Z85 character: the value is corrupt`)
      v = v * 85 + d
    }
    if (v >= 2 ** (8 * (4 - pad))) throw new DeltaError('InvalidData', `Z85 group at position ${i} exceeds ${4 - pad} bytes: the value is corrupt`)
    view.setUint32(o, v * 2 ** (8 * pad), false)
  }
  return out
}
