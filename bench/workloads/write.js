// Workload 5: write the scan table's first `rows` rows (read into Arrow before timing) as a new
// table, unpartitioned or partitioned by region. Cases: unpartitioned, partitioned.
// ours: writeDeltaLake with the scan table's target file size.
// floor: parquet-wasm writeParquet of the same batches grouped into files of the same size
// (snappy, page statistics, as the library's codec), each written to disk.
// duckdb, duckdb-1t: native DuckDB COPY of the same rows (loaded into DuckDB before timing) TO
// Parquet, with PARTITION_BY for the partitioned case.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Table } from 'apache-arrow'
import { numberFlag, stringFlag } from '../lib/cli.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { describeTable, sqlFileList } from '../lib/scan-table.js'
import { freshOutDir, groupBySize, removeOutDir } from '../lib/tmp-out.js'
import { encodeParquet } from '../lib/wasm.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const target = Math.round(numberFlag(opts.flags, 'target', 6 * 2 ** 20))
const rows = Math.round(numberFlag(opts.flags, 'rows', 1_750_000))
const where = `id < ${rows}`
const partitioned = opts.case === 'partitioned'

const variants = { ours, floor, duckdb: () => duckdb(undefined), 'duckdb-1t': () => duckdb('1') }
const variant = variants[opts.variant]
if (!variant) throw new Error(`unknown variant ${opts.variant}`)
await variant()

async function loadInput() {
  const { DeltaTable } = await importDist('index.js')
  return (await DeltaTable.open(dir)).toArrow({ filter: where })
}

async function ours() {
  const { writeDeltaLake } = await importDist('index.js')
  await measure(opts, {
    setup: async () => ({ input: await loadInput(), out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      return writeDeltaLake(ctx.out, ctx.input, { mode: 'error', targetFileSize: target, ...(partitioned && { partitionBy: ['region'] }) })
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (r, ctx) => ({ rows: r.rowsWritten, files_written: r.filesAdded, input_mb: arrowMb(ctx.input) }),
  })
}

async function floor() {
  await measure(opts, {
    setup: async () => ({ input: await loadInput(), out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      let n = 0
      for (const group of groupBySize(ctx.input.batches, target)) {
        await writeFile(join(ctx.out, `part-${n++}.parquet`), encodeParquet(new Table(group)))
      }
      return n
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (n, ctx) => ({ files_written: n, input_mb: arrowMb(ctx.input) }),
  })
}

async function duckdb(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const { files } = await describeTable(dir)
  const db = await DuckDBInstance.create(':memory:', threads ? { threads } : {})
  const conn = await db.connect()
  await measure(opts, {
    setup: async () => {
      await conn.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${sqlFileList(files)}, hive_partitioning = true) WHERE ${where}`)
      return { out: '' }
    },
    run: (ctx) => {
      ctx.out = freshOutDir()
      const to = partitioned ? `'${ctx.out}' (FORMAT parquet, PARTITION_BY (region))` : `'${join(ctx.out, 'data.parquet')}' (FORMAT parquet)`
      return conn.run(`COPY t TO ${to}`)
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: async () => ({ threads: Number((await (await conn.run("SELECT current_setting('threads')")).getRows())[0][0]) }),
    teardown: () => {
      conn.closeSync()
      db.closeSync()
    },
  })
}

function arrowMb(table) {
  return Math.round(table.batches.reduce((n, b) => n + b.data.byteLength, 0) / 2 ** 20)
}
