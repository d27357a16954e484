import { canonicalPath, deletionVectorId, type DeletionVectorDescriptor } from '../model/actions.js'

/**
 * The file keys (canonical path plus deletion vector id, see `fileActionKey`) of a checkpoint's
 * adds, kept to find a file added twice in bounded memory: a checkpoint may hold millions of
 * files, too many for a set of strings. Each key is kept as a 53-bit hash in one Float64Array
 * (8 bytes a file, sized once for the adds the checkpoint holds); sorting it in place puts
 * equal hashes side by side. A hash met twice is only a suspect (two keys may share one):
 * {@link repeatedHashes} names them, and a second pass compares those few keys as strings.
 */
export class FileKeyHashes {
  #hashes: Float64Array
  #n = 0

  /** Room for `capacity` keys (it grows if more come). */
  constructor(capacity: number) {
    this.#hashes = new Float64Array(Math.max(16, capacity))
  }

  /** Keep the hash of one key (see {@link fileKeyHash}). */
  add(hash: number): void {
    if (this.#n === this.#hashes.length) {
      const grown = new Float64Array(this.#hashes.length * 2)
      grown.set(this.#hashes)
      this.#hashes = grown
    }
    this.#hashes[this.#n++] = hash
  }

  /** The hashes kept more than once, or undefined (the usual case); sorts the hashes in place. */
  repeatedHashes(): Set<number> | undefined {
    const hashes = this.#hashes.subarray(0, this.#n)
    if (hashes.length < BUCKETS * 16) return repeatedIn(hashes.sort())
    let out: Set<number> | undefined
    const bounds = partitionByTopBits(hashes)
    for (let b = 0; b < BUCKETS; b++) {
      const found = repeatedIn(hashes.subarray(bounds[b]!, bounds[b + 1]!).sort())
      if (found) for (const h of found) (out ??= new Set()).add(h)
    }
    return out
  }
}

function repeatedIn(sorted: Float64Array): Set<number> | undefined {
  let out: Set<number> | undefined
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) (out ??= new Set()).add(sorted[i]!)
  }
  return out
}

// Hashes are below 2^53: their top 12 bits pick one of 4096 buckets.
const BUCKETS = 4096
const BUCKET_UNIT = 2 ** 41

/**
 * Reorder `hashes` in place so that each bucket of equal top bits is contiguous (an American
 * flag sort's one pass), giving the bucket bounds: sorting the small buckets one by one is
 * about twice as fast as sorting the whole array, and takes no second array.
 */
function partitionByTopBits(hashes: Float64Array): Int32Array {
  const bounds = new Int32Array(BUCKETS + 1)
  for (let i = 0; i < hashes.length; i++) bounds[Math.floor(hashes[i]! / BUCKET_UNIT) + 1]!++
  for (let b = 0; b < BUCKETS; b++) bounds[b + 1]! += bounds[b]!
  const next = bounds.slice(0, BUCKETS)
  for (let b = 0; b < BUCKETS; b++) {
    const end = bounds[b + 1]!
    while (next[b]! < end) {
      // Carry the value at the bucket's next free place to where it belongs, and so on, until
      // one that belongs here comes back.
      let v = hashes[next[b]!]!
      let d = Math.floor(v / BUCKET_UNIT)
      while (d !== b) {
        const j = next[d]!++
        const w = hashes[j]!
        hashes[j] = v
        v = w
        d = Math.floor(v / BUCKET_UNIT)
      }
      hashes[next[b]!++] = v
    }
  }
  return bounds
}

// The running state of one hash: two 32-bit lanes, module-level so hashing allocates nothing.
let lane1 = 0
let lane2 = 0
let scratch = new Uint8Array(256)
const encoder = new TextEncoder()

/**
 * The hash of a file key: the UTF-8 bytes of its canonical path, then the deletion vector id.
 * `pathBytes[start, end)` may give the path's UTF-8 bytes straight from a decoded column (no
 * string is encoded then); they are used only when the path is already canonical. A caller that
 * has the canonical path at hand passes it.
 */
export function fileKeyHash(
  path: string, dv: DeletionVectorDescriptor | null, pathBytes?: Uint8Array, start = 0, end = 0, canonical = canonicalPath(path),
): number {
  lane1 = 0x811c9dc5
  lane2 = 0x9747b28c
  if (pathBytes !== undefined && canonical === path) mix(pathBytes, start, end)
  else mixString(canonical)
  if (dv) mixString(`\u0000${deletionVectorId(dv)}`)
  return finish()
}

/**
 * The hash of a file key whose path is `bytes[start, end)` (UTF-8, as decoded from a column),
 * computed on the bytes, with no string made: the same number {@link fileKeyHash} gives. When
 * the path is not canonical as it stands (it holds a `%` escape or is a `file:` URI), undefined:
 * the caller hashes its canonical string instead.
 */
export function fileKeyHashOfBytes(bytes: Uint8Array, start: number, end: number, dv: DeletionVectorDescriptor | null): number | undefined {
  if (end - start >= 5 && bytes[start] === 0x66 && bytes[start + 1] === 0x69 && bytes[start + 2] === 0x6c && bytes[start + 3] === 0x65 && bytes[start + 4] === 0x3a) return undefined
  if (bytes.subarray(start, end).includes(0x25)) return undefined
  lane1 = 0x811c9dc5
  lane2 = 0x9747b28c
  mix(bytes, start, end)
  if (dv) mixString(`\u0000${deletionVectorId(dv)}`)
  return finish()
}

/** The hash of a file key given as the string `fileActionKey` makes: the same number {@link fileKeyHash} gives for its parts. */
export function fileKeyStringHash(key: string): number {
  lane1 = 0x811c9dc5
  lane2 = 0x9747b28c
  mixString(key)
  return finish()
}

function finish(): number {
  let y = lane2 ^ (lane2 >>> 15)
  y = Math.imul(y, 0x2c1b3c6d)
  y ^= y >>> 12
  // 32 bits of FNV-1a and the top 21 of the second lane: a whole number a double holds exactly.
  return (lane1 >>> 0) * 0x200000 + ((y >>> 0) >>> 11)
}

function mixString(s: string): void {
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3)
  mix(scratch, 0, encoder.encodeInto(s, scratch).written)
}

function mix(bytes: Uint8Array, start: number, end: number): void {
  let a = lane1
  let b = lane2
  for (let i = start; i < end; i++) {
    const v = bytes[i]!
    a = Math.imul(a ^ v, 0x01000193)
    b = Math.imul(b ^ v, 0x5bd1e995)
  }
  lane1 = a
  lane2 = b
}
