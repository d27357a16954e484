// Workload 7: compaction of a table of `rows` rows in `files` small files (see
// bench/lib/compact-data.js) into about COMPACT_RESULT_FILES files: the target size is the
// table's Parquet bytes over that count (less half a file), so each bin holds about a tenth.
// Every run compacts a fresh copy of the table (see copyTable), made and opened untimed.
// ours: DeltaTable.optimize.compact({ targetSize }) on that copy, with the library's defaults
// otherwise (zstd, 4 files of a bin read at once, one bin at a time).
// floor: what compaction cannot avoid, with the library's own Parquet codec in this process:
// every file decoded, a tenth of them at a time (all of a group's reads started at once, in the
// decoder threads), and each group's rows encoded (zstd, as the library writes) as one file and
// written. No log, no stats, no commit.
// duckdb, duckdb-1t: native DuckDB COPY (SELECT * FROM read_parquet([...files])) TO one Parquet
// file, default threads and one thread; a fresh output folder per run.
import { join } from 'node:path'
import { Table } from 'apache-arrow'
import { numberFlag, stringFlag } from '../lib/cli.js'
import { COMPACT_RESULT_FILES, compactFileName, compactLayout } from '../lib/compact-data.js'
import { fileRows } from '../lib/dml-data.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { sqlFileList } from '../lib/scan-table.js'
import { copyTable, freshOutDir, removeOutDir } from '../lib/tmp-out.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const layout = compactLayout(Math.round(numberFlag(opts.flags, 'rows', 10_000_000)), Math.round(numberFlag(opts.flags, 'files', 1000)))
const MB = 2 ** 20
const names = Array.from({ length: layout.files }, (_, k) => compactFileName(k))

const variants = { ours, floor, duckdb: () => duckdb(undefined), 'duckdb-1t': () => duckdb('1') }
const variant = variants[opts.variant]
if (!variant) throw new Error(`unknown variant ${opts.variant}`)

const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const sizes = await Promise.all(names.map(async (n) => (await new NodeFsStorage(dir).head(n)).size))
const tableBytes = sizes.reduce((a, b) => a + b, 0)
// Half a file's share over a tenth, so uneven file sizes never spill an eleventh bin.
const targetSize = Math.ceil(tableBytes / (COMPACT_RESULT_FILES - 0.5))
// Arrow bytes of one file's rows as built (a decoded file is the same columns): the memory
// goal is measured against the rows of one target file, a tenth of the table.
const fileArrowMb = fileRows(layout, 0).data.byteLength / MB
const common = {
  table_rows: layout.rows,
  files_before: layout.files,
  table_mb: round1(tableBytes / MB),
  target_size_mb: round1(targetSize / MB),
  target_file_arrow_mb: round1(fileArrowMb * layout.files / COMPACT_RESULT_FILES),
  table_arrow_mb: round1(fileArrowMb * layout.files),
}
await variant()

async function ours() {
  const { DeltaTable } = await importDist('index.js')
  const parquet = await nodeParquetCodec()
  const open = async () => {
    const copy = copyTable(dir)
    return { copy, table: await DeltaTable.open(copy, { storage: new NodeFsStorage(copy), parquet }) }
  }
  let ctx = await open()
  let after = 0
  await measure(opts, {
    run: () => ctx.table.optimize.compact({ targetSize }),
    afterEach: async (_, result) => {
      if (result.numFilesRemoved !== layout.files) throw new Error(`compact removed ${result.numFilesRemoved} files, expected ${layout.files}`)
      const reopened = await DeltaTable.open(ctx.copy, { storage: new NodeFsStorage(ctx.copy), parquet })
      after = reopened.numFiles
      removeOutDir(ctx.copy)
      ctx = await open()
    },
    describe: (r) => ({
      files_after: after, numFilesAdded: r.numFilesAdded, numFilesRemoved: r.numFilesRemoved, numBatches: r.numBatches,
      totalConsideredFiles: r.totalConsideredFiles, ...common,
    }),
    teardown: () => removeOutDir(ctx.copy),
  })
}

async function floor() {
  const { storageSource } = await importDist('delta/engine/engine.js')
  const parquet = await nodeParquetCodec()
  const storage = new NodeFsStorage(dir)
  const per = Math.ceil(layout.files / COMPACT_RESULT_FILES)
  await measure(opts, {
    setup: () => ({ out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      const out = new NodeFsStorage(ctx.out)
      let files = 0
      for (let g = 0; g < layout.files; g += per) {
        const group = names.slice(g, g + per)
        const reads = group.map((n, i) => parquet.read(storageSource(storage, n, sizes[g + i])))
        const batches = []
        for (const r of reads) batches.push(...(await r).batches)
        await out.put(`part-${files++}.parquet`, await parquet.write(new Table(batches), { compression: 'zstd' }))
      }
      return files
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (files) => ({ files_after: files, ...common }),
  })
}

async function duckdb(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:', threads ? { threads } : {})
  const conn = await db.connect()
  const list = sqlFileList(names.map((n) => ({ absolute: join(dir, n) })))
  let rows = 0
  await measure(opts, {
    setup: () => ({ out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      const path = join(ctx.out, 'out.parquet').replace(/'/g, "''")
      return (await conn.run(`COPY (SELECT * FROM read_parquet(${list})) TO '${path}' (FORMAT PARQUET)`)).rowsChanged
    },
    afterEach: (ctx, n) => {
      rows = Number(n)
      if (rows !== layout.rows) throw new Error(`duckdb copied ${rows} rows, expected ${layout.rows}`)
      removeOutDir(ctx.out)
    },
    describe: async () => ({
      files_after: 1,
      threads: Number((await (await conn.run("SELECT current_setting('threads')")).getRows())[0][0]),
      ...common,
    }),
    teardown: () => {
      conn.closeSync()
      db.closeSync()
    },
  })
}

function round1(x) {
  return Math.round(x * 10) / 10
}
