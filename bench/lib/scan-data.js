// Deterministic mixed-type rows for the scan and write workloads, built straight into Arrow
// buffers (no row objects) so generating them costs little next to what is measured.
import {
  DateDay, Decimal, Field, Float64, Int32, Int64, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, makeData,
} from 'apache-arrow'
import { intsFrom, seededRandom } from './rng.js'

/** The low-cardinality partition column's values. */
export const REGIONS = ['africa', 'americas', 'asia', 'europe']
const CATEGORIES = ['books', 'garden', 'toys', 'music', 'sports', 'food', 'tools', 'health', 'auto', 'baby', 'beauty', 'games', 'home', 'office', 'pets', 'travel']
const CUSTOMERS = 50_000
const T0_MS = Date.UTC(2023, 0, 1)
/** Rows per generated batch. */
export const BATCH_ROWS = 65_536

/** The Arrow schema of the generated rows (Delta: long, string, int, double, string, string, date, timestamp, decimal). */
export const SCAN_SCHEMA = new Schema([
  new Field('id', new Int64(), false),
  new Field('region', new Utf8(), true),
  new Field('qty', new Int32(), true),
  new Field('amount', new Float64(), true),
  new Field('customer', new Utf8(), true),
  new Field('category', new Utf8(), true),
  new Field('day', new DateDay(), true),
  new Field('ts', new TimestampMicrosecond('UTC'), true),
  new Field('price', new Decimal(2, 12, 128), true),
])

/** A vocabulary as one UTF-8 buffer plus offsets, so rows are built by copying byte ranges. */
function vocabulary(words) {
  const encoded = words.map((w) => new TextEncoder().encode(w))
  const offsets = new Int32Array(words.length + 1)
  encoded.forEach((e, i) => (offsets[i + 1] = offsets[i] + e.length))
  const bytes = new Uint8Array(offsets[words.length])
  encoded.forEach((e, i) => bytes.set(e, offsets[i]))
  return { bytes, offsets, size: words.length }
}
const regionVocab = vocabulary(REGIONS)
const categoryVocab = vocabulary(CATEGORIES)
const customerVocab = vocabulary(Array.from({ length: CUSTOMERS }, (_, i) => `cust-${String(i).padStart(5, '0')}`))

/**
 * `total` rows as record batches of at most BATCH_ROWS, ids ascending from 0 and timestamps
 * rising with them. Each batch is seeded by its index, so any batch can be rebuilt alone and
 * every run produces the same bytes. Lazy: batches are built as they are pulled.
 * @param {number} total
 * @param {number} [seed]
 * @returns {Generator<RecordBatch>}
 */
export function* scanBatches(total, seed = 4) {
  for (let start = 0, b = 0; start < total; start += BATCH_ROWS, b++) {
    yield buildBatch(start, Math.min(BATCH_ROWS, total - start), seed * 1_000_003 + b)
  }
}

/**
 * One batch of rows `start` .. `start + n - 1`.
 * @param {number} start
 * @param {number} n
 * @param {number} seed
 */
export function buildBatch(start, n, seed) {
  const int = intsFrom(seededRandom(seed))
  const id = new BigInt64Array(n)
  const qty = new Int32Array(n)
  const amount = new Float64Array(n)
  const amountValid = new Uint8Array((n + 7) >> 3)
  const day = new Int32Array(n)
  const ts = new BigInt64Array(n)
  const price = new Uint32Array(n * 4)
  const region = new Int32Array(n)
  const customer = new Int32Array(n)
  const category = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const row = start + i
    id[i] = BigInt(row)
    qty[i] = int(1000)
    if (int(100) !== 0) {
      amount[i] = int(1_000_000) / 100
      amountValid[i >> 3] |= 1 << (i & 7)
    }
    const ms = T0_MS + row * 3000 + int(3000)
    ts[i] = BigInt(ms) * 1000n
    day[i] = Math.floor(ms / 86_400_000)
    price[i * 4] = int(10_000_000) // cents: up to 100,000.00, fits the low word
    region[i] = int(regionVocab.size)
    customer[i] = int(customerVocab.size)
    category[i] = int(categoryVocab.size)
  }
  const nullCount = n - popcount(amountValid, n)
  const children = [
    makeData({ type: new Int64(), length: n, data: id }),
    utf8Data(regionVocab, region),
    makeData({ type: new Int32(), length: n, data: qty }),
    makeData({ type: new Float64(), length: n, data: amount, nullBitmap: amountValid, nullCount }),
    utf8Data(customerVocab, customer),
    utf8Data(categoryVocab, category),
    makeData({ type: new DateDay(), length: n, data: day }),
    makeData({ type: new TimestampMicrosecond('UTC'), length: n, data: ts }),
    makeData({ type: new Decimal(2, 12, 128), length: n, data: price }),
  ]
  return new RecordBatch(SCAN_SCHEMA, makeData({ type: new Struct(SCAN_SCHEMA.fields), length: n, nullCount: 0, children }))
}

/**
 * A Utf8 column of vocabulary words picked by index.
 * @param {{ bytes: Uint8Array, offsets: Int32Array }} vocab
 * @param {Int32Array} picks
 */
function utf8Data(vocab, picks) {
  const n = picks.length
  const offsets = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + vocab.offsets[picks[i] + 1] - vocab.offsets[picks[i]]
  const bytes = new Uint8Array(offsets[n])
  for (let i = 0, at = 0; i < n; i++) {
    // A byte loop: for words this short it beats a TypedArray.set call per row.
    for (let j = vocab.offsets[picks[i]], end = vocab.offsets[picks[i] + 1]; j < end; j++) bytes[at++] = vocab.bytes[j]
  }
  return makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes })
}

function popcount(bitmap, n) {
  let c = 0
  for (let i = 0; i < n; i++) c += (bitmap[i >> 3] >> (i & 7)) & 1
  return c
}
