/**
 * The checksum of `_last_checkpoint` (PROTOCOL.md, JSON checksum): the MD5 of the JSON's
 * canonical form, in which every leaf is written as `path=value` (names and strings quoted and
 * strictly percent-encoded, array positions bare), the pairs sorted by the UTF-8 bytes of their
 * paths and joined by commas. A top-level `checksum` key is left out.
 */
export function lastCheckpointChecksum(json: Record<string, unknown>): string {
  return md5Hex(new TextEncoder().encode(canonicalJson(json)))
}

/** The canonical form of a JSON object, as {@link lastCheckpointChecksum} hashes it. */
export function canonicalJson(json: Record<string, unknown>): string {
  const pairs: [Uint8Array, string][] = []
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}+${i}`))
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${path}+${quote(k)}`)
    else pairs.push([utf8.encode(path.slice(1)), `${path.slice(1)}=${leaf(value)}`])
  }
  for (const [k, v] of Object.entries(json)) if (k !== 'checksum') visit(v, `+${quote(k)}`)
  pairs.sort((a, b) => compareBytes(a[0], b[0]))
  return pairs.map((p) => p[1]).join(',')
}

const utf8 = new TextEncoder()

function leaf(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  if (value === undefined) return 'null'
  return JSON.stringify(value)
}

/** Quoted and percent-encoded: every octet but letters, digits and `-._~`, in upper-case hex. */
function quote(text: string): string {
  let out = '"'
  for (const b of utf8.encode(text)) {
    const c = String.fromCharCode(b)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return `${out}"`
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0)

/** MD5 (RFC 1321) of `bytes` as 32 lower-case hex digits; the core has no crypto module of its own. */
export function md5Hex(bytes: Uint8Array): string {
  const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) * 64)
  padded.set(bytes)
  padded[bytes.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, (bytes.length * 8) >>> 0, true)
  view.setUint32(padded.length - 4, Math.floor(bytes.length / 0x20000000), true)
  let a0 = 0x67452301
  let b0 = 0xefcdab89 | 0
  let c0 = 0x98badcfe | 0
  let d0 = 0x10325476
  for (let off = 0; off < padded.length; off += 64) {
    let a = a0, b = b0, c = c0, d = d0
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) { f = (b & c) | (~b & d); g = i }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16 }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16 }
      else { f = c ^ (b | ~d); g = (7 * i) % 16 }
      const sum = (a + f + K[i]! + view.getInt32(off + g * 4, true)) | 0
      const s = SHIFTS[(i >> 4) * 4 + (i % 4)]!
      a = d
      d = c
      c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0
    }
    a0 = (a0 + a) | 0
    b0 = (b0 + b) | 0
    c0 = (c0 + c) | 0
    d0 = (d0 + d) | 0
  }
  const out = new DataView(new ArrayBuffer(16))
  ;[a0, b0, c0, d0].forEach((w, i) => out.setInt32(i * 4, w, true))
  return Array.from(new Uint8Array(out.buffer), (x) => x.toString(16).padStart(2, '0')).join('')
}
