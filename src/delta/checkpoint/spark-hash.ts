/**
 * Spark's Murmur3 hash (x86, 32 bits, as `Murmur3_x86_32` and the SQL function `hash` compute it)
 * and its hash partitioning: multi-part checkpoints must be clustered by it (PROTOCOL.md,
 * Multi-part checkpoint), so that every writer, Spark or this library, puts each action in the
 * same part and a race between writers can never mix two different splits.
 */

/** The seed Spark's `HashPartitioning` and `hash(...)` start from. */
export const SPARK_HASH_SEED = 42

const C1 = 0xcc9e2d51
const C2 = 0x1b873593
const utf8 = new TextEncoder()

function mixK1(k: number): number {
  k = Math.imul(k, C1)
  k = (k << 15) | (k >>> 17)
  return Math.imul(k, C2)
}

function mixH1(h: number, k: number): number {
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function finish(h: number, length: number): number {
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}

/**
 * The hash of a string as Spark hashes a UTF-8 string value with `seed`. Spark's variant differs
 * from reference Murmur3 in its tail: each trailing byte (signed) is mixed in as a whole block.
 */
export function sparkHashString(text: string, seed: number): number {
  const bytes = utf8.encode(text)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const aligned = bytes.length - (bytes.length % 4)
  let h = seed | 0
  for (let i = 0; i < aligned; i += 4) h = mixH1(h, mixK1(view.getInt32(i, true)))
  for (let i = aligned; i < bytes.length; i++) h = mixH1(h, mixK1(view.getInt8(i)))
  return finish(h, bytes.length)
}

/** The hash of a 32-bit integer value as Spark hashes it with `seed`. */
export function sparkHashInt(value: number, seed: number): number {
  return finish(mixH1(seed | 0, mixK1(value | 0)), 4)
}

/**
 * The partition Spark's hash partitioning into `count` partitions gives a row keyed by `keys`:
 * the hash chains from {@link SPARK_HASH_SEED} through each key (a null key leaves it as it is),
 * and the partition is that hash modulo `count`, made non-negative.
 */
export function sparkPartition(keys: readonly (string | null | undefined)[], count: number): number {
  let h = SPARK_HASH_SEED
  for (const k of keys) if (k !== null && k !== undefined) h = sparkHashString(k, h)
  return ((h % count) + count) % count
}
