// Workload 6: row-level changes to a table of `rows` rows in 100 files of contiguous ids (see
// bench/lib/dml-data.js). Cases: merge (a `source`-row upsert: half the rows match ids of the
// last 5 files and update their amount, half are new and inserted), update and delete (1% of
// the rows, an id range straddling two files), each of the last two copy-on-write and, as
// update-dv and delete-dv, on the same table with deletion vectors enabled.
// Every run changes a fresh copy of the table (see copyTable), made and opened untimed.
// ours: DeltaTable.merge / update / delete on that copy; files read are counted by storage.
// floor: what the change cannot avoid, with the library's own Parquet codec: the touched files
// decoded (in its decoder threads, all started at once), then their rows that are written again
// (copy-on-write: all but the deleted ones) and the merge's inserts encoded as one file and
// written. With deletion vectors nothing is rewritten: the delete's floor is decoding the
// touched files, the update's that and encoding the new versions of the rows it changes.
// duckdb, duckdb-1t: native DuckDB MERGE INTO / UPDATE / DELETE on the same rows loaded into a
// DuckDB table before timing (the merge's source too), default threads and one thread. Each run
// is a statement in a transaction rolled back untimed, so every run sees the rows as loaded
// (reloading 10M rows per run took longer than the rest of the row); the commit left out cost
// 1-3 ms in autocommit runs. DuckDB changes its own storage in place, with no Parquet written.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Table } from 'apache-arrow'
import { numberFlag, stringFlag } from '../lib/cli.js'
import { dmlFileName, dmlLayout, dmlRange, fileRows, mergeSource } from '../lib/dml-data.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { sqlFileList } from '../lib/scan-table.js'
import { copyTable, freshOutDir, removeOutDir } from '../lib/tmp-out.js'
import { encodeParquet } from '../lib/wasm.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const layout = dmlLayout(Math.round(numberFlag(opts.flags, 'rows', 10_000_000)))
const sourceRows = Math.round(numberFlag(opts.flags, 'source', 10_000))
const op = opts.case.replace(/-dv$/, '')
const dv = opts.case.endsWith('-dv')
if (!['merge', 'update', 'delete'].includes(op)) throw new Error(`unknown case ${opts.case}`)

const source = op === 'merge' ? mergeSource(layout, sourceRows) : undefined
const range = op === 'merge' ? undefined : dmlRange(layout)
const touched = source ? source.touchedFiles : range.touchedFiles
const MB = 2 ** 20
const common = {
  table_rows: layout.rows,
  files_total: layout.files,
  files_touched: touched.length,
  // Arrow bytes of the touched files' rows and of the merge's source, as built (a decoded file
  // is the same columns): what the memory goal is measured against.
  touched_arrow_mb: round1(touched.reduce((n, k) => n + fileRows(layout, k).data.byteLength, 0) / MB),
  ...(source && { source_rows: source.table.numRows, source_arrow_mb: round1(source.table.batches.reduce((n, b) => n + b.data.byteLength, 0) / MB) }),
  ...(range && { predicate: range.predicate, rows_changed: range.rows }),
  deletion_vectors: dv,
}

const variants = { ours, floor, duckdb: () => duckdb(undefined), 'duckdb-1t': () => duckdb('1') }
const variant = variants[opts.variant]
if (!variant) throw new Error(`unknown variant ${opts.variant}`)
await variant()

/** The table every run of ours copies: the generated one, or a copy of it with deletion vectors enabled. */
async function baseTable() {
  if (!dv) return { base: dir, own: false }
  const base = copyTable(dir)
  await enableDeletionVectors(base)
  return { base, own: true }
}

/**
 * Set `delta.enableDeletionVectors` on a table and raise its protocol to support them, as a
 * table property change does (a commit of new metadata and protocol).
 * @param {string} tableDir
 */
async function enableDeletionVectors(tableDir) {
  const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
  const { loadSnapshot } = await importDist('delta/log/snapshot.js')
  const { startTransaction } = await importDist('delta/txn/transaction.js')
  const { requiredProtocol } = await importDist('delta/write/features/protocol-select.js')
  const engine = { storage: new NodeFsStorage(tableDir), parquet: await nodeParquetCodec() }
  const snapshot = await loadSnapshot(engine)
  const configuration = { ...snapshot.metadata.configuration, 'delta.enableDeletionVectors': 'true' }
  const protocol = requiredProtocol({ schema: snapshot.schema, configuration, partitionColumns: snapshot.metadata.partitionColumns }, snapshot.protocol)
  await startTransaction(engine, snapshot, { operation: 'SET TBLPROPERTIES' })
    .setMetadata({ ...snapshot.metadata, configuration })
    .setProtocol(protocol)
    .commit()
}

async function ours() {
  const { DeltaTable } = await importDist('index.js')
  const { CountingStorage } = await importDist('testing.js')
  const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
  const parquet = await nodeParquetCodec()
  const { base, own } = await baseTable()
  const open = async () => {
    const copy = copyTable(base)
    const storage = new CountingStorage(new NodeFsStorage(copy))
    return { copy, storage, table: await DeltaTable.open(copy, { storage, parquet }) }
  }
  let ctx = await open()
  const change = (table) => {
    if (op === 'merge') {
      return table.merge(source.table, { predicate: 't.id = s.id', sourceAlias: 's', targetAlias: 't' })
        .whenMatchedUpdate({ amount: 's.amount' })
        .whenNotMatchedInsertAll()
        .execute()
    }
    if (op === 'update') return table.update({ amount: 'amount * 2' }, { predicate: range.predicate })
    return table.delete(range.predicate)
  }
  let filesRead = 0
  await measure(opts, {
    run: () => {
      ctx.storage.reset()
      return change(ctx.table)
    },
    afterEach: async (_, result) => {
      filesRead = dataFilesRead(ctx.storage)
      check(result)
      removeOutDir(ctx.copy)
      ctx = await open()
    },
    describe: (result) => ({ ...metrics(result), files_read: filesRead, ...common }),
    teardown: () => {
      removeOutDir(ctx.copy)
      if (own) removeOutDir(base)
    },
  })
}

/** Distinct data files (not log files) a run read. */
function dataFilesRead(storage) {
  return new Set(storage.calls.filter((c) => c.op === 'read' && !c.path.startsWith('_delta_log')).map((c) => c.path)).size
}

/** Refuse a run whose counts are not the ones the layout fixes: a wrong result is no result. */
function check(r) {
  const want = op === 'merge'
    ? { numTargetRowsUpdated: source.matched, numTargetRowsInserted: source.inserted, numTargetRowsDeleted: 0 }
    : op === 'update' ? { numUpdatedRows: range.rows } : { numDeletedRows: range.rows }
  for (const [k, v] of Object.entries(want)) if (r[k] !== v) throw new Error(`${opts.case}: ${k} is ${r[k]}, expected ${v}`)
}

/** The operation's own metrics worth keeping beside the time. */
function metrics(r) {
  const keys = op === 'merge'
    ? ['numTargetFilesScanned', 'numTargetFilesSkippedDuringScan', 'numTargetFilesAdded', 'numTargetFilesRemoved', 'numTargetRowsCopied', 'scanTimeMs', 'rewriteTimeMs']
    : ['numAddedFiles', 'numRemovedFiles', 'numCopiedRows', 'scanTimeMs', 'rewriteTimeMs']
  return Object.fromEntries(keys.map((k) => [k, r[k]]))
}

async function floor() {
  const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
  const { storageSource } = await importDist('delta/engine/engine.js')
  const parquet = await nodeParquetCodec()
  const storage = new NodeFsStorage(dir)
  const sizes = new Map()
  for (const k of touched) sizes.set(k, (await storage.head(dmlFileName(k))).size)
  /** The rows of touched file `k` that are written again: all, those kept, those changed, or none. */
  const written = (k, rows) => {
    if (op === 'merge') return rows
    const first = k * layout.perFile
    const lo = Math.max(0, range.lo - first)
    const hi = Math.min(rows.numRows, range.hi - first + 1)
    if (op === 'update') return dv ? rows.slice(lo, hi) : rows
    return dv ? undefined : new Table([...rows.slice(0, lo).batches, ...rows.slice(hi).batches])
  }
  await measure(opts, {
    setup: () => ({ out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      const reads = touched.map((k) => parquet.read(storageSource(storage, dmlFileName(k), sizes.get(k))))
      const batches = []
      for (let i = 0; i < touched.length; i++) {
        const rows = written(touched[i], await reads[i])
        if (rows) batches.push(...rows.batches)
      }
      if (source) batches.push(...source.inserts.batches)
      // One file, as the library's writer packs them (together far under its 100 MB target).
      if (batches.length > 0) await new NodeFsStorage(ctx.out).put('part-0.parquet', await parquet.write(new Table(batches), { compression: 'snappy' }))
      return batches.reduce((n, b) => n + b.numRows, 0)
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (rows) => ({ files_read: touched.length, rows_written: rows, ...common }),
  })
}

async function duckdb(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:', threads ? { threads } : {})
  const conn = await db.connect()
  const files = Array.from({ length: layout.files }, (_, k) => ({ absolute: join(dir, dmlFileName(k)) }))
  let sql
  let sourceDir
  if (op === 'merge') {
    sourceDir = freshOutDir()
    const path = join(sourceDir, 'source.parquet')
    writeFileSync(path, encodeParquet(source.table))
    await conn.run(`CREATE TABLE s AS SELECT * FROM read_parquet(${sqlFileList([{ absolute: path }])})`)
    sql = 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET amount = s.amount WHEN NOT MATCHED THEN INSERT *'
  } else if (op === 'update') sql = `UPDATE t SET amount = amount * 2 WHERE ${range.predicate}`
  else sql = `DELETE FROM t WHERE ${range.predicate}`
  const want = op === 'merge' ? source.table.numRows : range.rows
  let changed = 0
  await measure(opts, {
    setup: async () => {
      await conn.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${sqlFileList(files)})`)
      await conn.run('BEGIN')
    },
    run: async () => (await conn.run(sql)).rowsChanged,
    afterEach: async (_, n) => {
      changed = Number(n)
      if (changed !== want) throw new Error(`duckdb ${opts.case}: ${changed} rows changed, expected ${want}`)
      await conn.run('ROLLBACK')
      await conn.run('BEGIN')
    },
    describe: async () => ({
      rows_changed_duckdb: changed,
      threads: Number((await (await conn.run("SELECT current_setting('threads')")).getRows())[0][0]),
      ...common,
    }),
    teardown: async () => {
      await conn.run('ROLLBACK')
      conn.closeSync()
      db.closeSync()
      if (sourceDir) removeOutDir(sourceDir)
    },
  })
}

function round1(x) {
  return Math.round(x * 10) / 10
}
