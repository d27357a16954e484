// The row-level workloads' table and what they change in it, worked out from the layout alone
// (no file is read): `rows` rows in `files` files of equal size, file k holding the contiguous
// ids k * perFile .. (k + 1) * perFile - 1, so an id range falls in known files.
import { Field, Float64, Int64, RecordBatch, Schema, Struct, Table, TimestampMicrosecond, Utf8, makeData } from 'apache-arrow'
import { intsFrom, seededRandom } from './rng.js'

/** Files of the table at every scale: the rows per file scale instead. */
export const DML_FILES = 100
/** Files the merge's matched rows fall in: the last ones (an upsert of recent rows). */
export const MERGE_FILES = 5
/** The share of the table's rows the update and delete change. */
export const DML_SHARE = 0.01

const GROUPS = 40
const T0_MS = Date.UTC(2024, 0, 1)
const SEED = 7

/** The table's Delta schema: id long, grp string, amount double, ts timestamp. */
export const DML_DELTA_SCHEMA = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'grp', type: 'string', nullable: true, metadata: {} },
    { name: 'amount', type: 'double', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
  ],
}

/** The same schema in Arrow, as the library reads it. */
export const DML_SCHEMA = new Schema([
  new Field('id', new Int64(), false),
  new Field('grp', new Utf8(), true),
  new Field('amount', new Float64(), true),
  new Field('ts', new TimestampMicrosecond('UTC'), true),
])

const groupNames = Array.from({ length: GROUPS }, (_, i) => new TextEncoder().encode(`grp-${String(i).padStart(2, '0')}`))

/**
 * Rows with the given ids, each row's other values seeded by its id (the same id always gets
 * the same values, whichever batch builds it) offset by `salt` (the merge source's new values).
 * @param {ArrayLike<number>} ids
 * @param {number} [salt]
 */
export function rowsWithIds(ids, salt = 0) {
  const n = ids.length
  const id = new BigInt64Array(n)
  const amount = new Float64Array(n)
  const ts = new BigInt64Array(n)
  const offsets = new Int32Array(n + 1)
  const picks = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const int = intsFrom(seededRandom(SEED * 1_000_003 + ids[i] + salt))
    id[i] = BigInt(ids[i])
    amount[i] = int(10_000_000) / 100
    ts[i] = BigInt(T0_MS + ids[i] * 1000 + int(1000)) * 1000n
    picks[i] = int(GROUPS)
    offsets[i + 1] = offsets[i] + groupNames[picks[i]].length
  }
  const bytes = new Uint8Array(offsets[n])
  for (let i = 0; i < n; i++) bytes.set(groupNames[picks[i]], offsets[i])
  const children = [
    makeData({ type: new Int64(), length: n, data: id }),
    makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes }),
    makeData({ type: new Float64(), length: n, data: amount }),
    makeData({ type: new TimestampMicrosecond('UTC'), length: n, data: ts }),
  ]
  return new RecordBatch(DML_SCHEMA, makeData({ type: new Struct(DML_SCHEMA.fields), length: n, nullCount: 0, children }))
}

/**
 * The layout of a table of `rows` rows.
 * @param {number} rows
 */
export function dmlLayout(rows) {
  const perFile = Math.ceil(rows / DML_FILES)
  return { rows, files: Math.ceil(rows / perFile), perFile }
}

/**
 * The rows of file `k`.
 * @param {ReturnType<typeof dmlLayout>} layout
 * @param {number} k
 */
export function fileRows(layout, k) {
  const start = k * layout.perFile
  const n = Math.min(layout.perFile, layout.rows - start)
  return rowsWithIds(Int32Array.from({ length: n }, (_, i) => start + i))
}

/**
 * The merge's source: `count` rows, half with ids of the last MERGE_FILES files (spread evenly
 * over them, so each is touched) and half with new ids just past the table's last, interleaved.
 * Their values differ from the table's. Also returns the source rows with new ids alone (what
 * the merge inserts) and the files that hold a matched id.
 * @param {ReturnType<typeof dmlLayout>} layout
 * @param {number} count
 */
export function mergeSource(layout, count) {
  const matched = Math.floor(count / 2)
  const first = Math.max(0, layout.files - MERGE_FILES) * layout.perFile
  const span = layout.rows - first
  const ids = new Int32Array(count)
  const shuffle = intsFrom(seededRandom(SEED + 1))
  for (let i = 0; i < matched; i++) ids[i] = first + Math.floor((i * span) / matched)
  for (let i = matched; i < count; i++) ids[i] = layout.rows + (i - matched)
  // A seeded shuffle: a source arrives in no particular order.
  for (let i = count - 1; i > 0; i--) {
    const j = shuffle(i + 1)
    ;[ids[i], ids[j]] = [ids[j], ids[i]]
  }
  const touched = new Set()
  for (let i = 0; i < count; i++) if (ids[i] < layout.rows) touched.add(Math.floor(ids[i] / layout.perFile))
  const table = new Table([rowsWithIds(ids, 1)])
  const inserts = new Table([rowsWithIds(ids.filter((id) => id >= layout.rows), 1)])
  return { table, inserts, matched, inserted: count - matched, touchedFiles: [...touched].sort((a, b) => a - b) }
}

/**
 * The id range the update and delete change: DML_SHARE of the rows, starting in the middle of
 * the table's middle file so that it straddles two files and leaves rows in both.
 * @param {ReturnType<typeof dmlLayout>} layout
 */
export function dmlRange(layout) {
  const count = Math.max(1, Math.round(layout.rows * DML_SHARE))
  const lo = Math.floor(layout.files / 2) * layout.perFile + Math.floor(layout.perFile / 2)
  const hi = Math.min(layout.rows, lo + count) - 1
  const touchedFiles = []
  for (let k = Math.floor(lo / layout.perFile); k <= Math.floor(hi / layout.perFile); k++) touchedFiles.push(k)
  return { lo, hi, rows: hi - lo + 1, predicate: `id >= ${lo} AND id <= ${hi}`, touchedFiles }
}

/**
 * The name of file `k` in the generated table: fixed, so the table is the same bytes every time.
 * @param {number} k
 */
export function dmlFileName(k) {
  return `part-${String(k).padStart(5, '0')}-dml-c000.snappy.parquet`
}
