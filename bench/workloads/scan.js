// Workload 4: read the scan table into Arrow: every column, two columns, and a filter that
// stats prune to one file. Cases: all, two-columns, filtered.
// ours: DeltaTable.toArrow on a table opened before timing.
// floor: the same files (for the filter: only those that can match) with the same columns,
// one after another, parquet-wasm ParquetFile.read into JS Arrow. Files are read whole for
// every column; for a projection parquet-wasm reads only the slices it needs from a file Blob,
// as the library fetches only the needed column chunks.
// duckdb, duckdb-1t: native DuckDB CREATE TABLE AS SELECT from read_parquet of every file
// (hive partitioning gives the partition column), default threads and one thread.
// hyparquet: the same files as the floor, decoded column by column (onChunk), in JS.
import { openAsBlob } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parquetRead } from 'hyparquet'
import { stringFlag } from '../lib/cli.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { TWO_COLUMNS, chooseFilter, describeTable, sqlFileList } from '../lib/scan-table.js'
import { decodeParquet } from '../lib/wasm.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const { files } = await describeTable(dir)
const filter = chooseFilter(files)
const columns = opts.case === 'two-columns' ? TWO_COLUMNS : undefined
const floorFiles = opts.case === 'filtered' ? filter.matching : files
const common = { files_total: files.length, files_matching: floorFiles.length, filter: opts.case === 'filtered' ? filter.text : undefined }

const variants = { ours, floor, hyparquet, duckdb: () => duckdb(undefined), 'duckdb-1t': () => duckdb('1') }
const variant = variants[opts.variant]
if (!variant) throw new Error(`unknown variant ${opts.variant}`)
await variant()

async function ours() {
  const { DeltaTable } = await importDist('index.js')
  const { CountingStorage } = await importDist('testing.js')
  const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
  const storage = new CountingStorage(new NodeFsStorage(dir))
  const table = await DeltaTable.open(dir, { storage, parquet: await nodeParquetCodec() })
  const scanOptions = { ...(columns && { columns }), ...(opts.case === 'filtered' && { filter: filter.text }) }
  await measure(opts, {
    run: () => {
      storage.reset()
      return table.toArrow(scanOptions)
    },
    describe: (result) => ({
      rows: result.numRows,
      columns: result.numCols,
      files_read: new Set(storage.calls.filter((c) => c.op === 'read' && !c.path.startsWith('_delta_log')).map((c) => c.path)).size,
      ...common,
    }),
  })
}

async function floor() {
  const { NodeFsStorage } = await importDist('node.js')
  const storage = new NodeFsStorage(dir)
  await measure(opts, {
    run: async () => {
      const tables = []
      for (const f of floorFiles) tables.push(await decodeParquet(columns ? await openAsBlob(f.absolute) : await storage.read(f.path), columns))
      return tables
    },
    describe: (tables) => ({ rows: tables.reduce((n, t) => n + t.numRows, 0), ...common }),
  })
}

async function hyparquet() {
  await measure(opts, {
    run: async () => {
      const chunks = []
      for (const f of floorFiles) {
        const bytes = await readFile(f.absolute)
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
        await parquetRead({ file, ...(columns && { columns }), onChunk: (c) => chunks.push(c) })
      }
      return chunks
    },
    describe: (chunks) => ({ rows: chunks.filter((c) => c.columnName === chunks[0]?.columnName).reduce((n, c) => n + c.rowEnd - c.rowStart, 0), ...common }),
  })
}

async function duckdb(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:', threads ? { threads } : {})
  const conn = await db.connect()
  const select = columns ? columns.join(', ') : '*'
  const where = opts.case === 'filtered' ? ` WHERE ${filter.text}` : ''
  const sql = `CREATE OR REPLACE TABLE t AS SELECT ${select} FROM read_parquet(${sqlFileList(files)}, hive_partitioning = true)${where}`
  await measure(opts, {
    run: () => conn.run(sql),
    describe: async () => ({
      rows: Number((await (await conn.run('SELECT count(*) FROM t')).getRows())[0][0]),
      threads: Number((await (await conn.run("SELECT current_setting('threads')")).getRows())[0][0]),
      ...common,
    }),
    teardown: () => {
      conn.closeSync()
      db.closeSync()
    },
  })
}
