// The floor's own use of parquet-wasm: the same decode and hand-over to JS Arrow the library
// does (ParquetFile.read with a column projection, then an IPC stream into apache-arrow), with
// nothing of the Delta layer around it.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tableFromIPC, tableToIPC } from 'apache-arrow'
import {
  Compression, EnabledStatistics, ParquetFile, Table as WasmTable, WriterPropertiesBuilder, initSync, writeParquet,
} from 'parquet-wasm/esm'

/** The library's cap on rows per decoded batch (src/parquet/read.ts), so both decode alike. */
export const BATCH_ROWS = 128 * 1024

let ready = false

/** Instantiate parquet-wasm in this process (once). */
export function initWasm() {
  if (ready) return
  const path = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')
  initSync({ module: readFileSync(path) })
  ready = true
}

/**
 * Decode a Parquet file's `columns` (all when undefined) into a JS Arrow table, from its bytes
 * or from a Blob that parquet-wasm reads slices of (only the footer and the chunks it needs).
 * @param {Uint8Array | Blob} bytes
 * @param {string[] | undefined} columns parquet-wasm column paths (dotted for nested leaves)
 */
export async function decodeParquet(bytes, columns) {
  initWasm()
  const file = await ParquetFile.fromFile(bytes instanceof Blob ? bytes : new Blob([bytes]))
  try {
    const wasmTable = await file.read({ batchSize: BATCH_ROWS, ...(columns && { columns }) })
    return tableFromIPC(wasmTable.intoIPCStream())
  } finally {
    file.free()
  }
}

/**
 * Decode a Parquet file's `columns` one row group at a time, in this thread, handing each row
 * group's JS Arrow table to `take` before the next is decoded: what the library's checkpoint
 * read does (src/parquet/read.ts readParquetBatches, in batches of whole row groups of 64Ki
 * rows), with nothing around it. Columns the file lacks are left out first, as the library's
 * codec leaves them out (parquet-wasm refuses unknown names). Returns the rows decoded.
 * @param {Uint8Array | Blob} bytes
 * @param {string[]} columns top-level column names
 * @param {(table: import('apache-arrow').Table) => void} take keeps or drops each row group's table
 */
export async function decodeRowGroups(bytes, columns, take) {
  initWasm()
  const file = await ParquetFile.fromFile(bytes instanceof Blob ? bytes : new Blob([bytes]))
  try {
    const metadata = file.metadata()
    const groups = metadata.numRowGroups()
    if (groups === 0) return 0
    // A dotted name picks a field of a struct; names the file lacks are left out, as the library does.
    const leaves = metadata.rowGroup(0).columns().map((c) => c.columnPath().join('.'))
    const chosen = columns.filter((c) => leaves.some((l) => l === c || l.startsWith(`${c}.`)))
    let rows = 0
    for (let g = 0; g < groups; g++) {
      const batchSize = Math.max(1, Math.min(metadata.rowGroup(g).numRows(), BATCH_ROWS))
      const table = tableFromIPC((await file.read({ columns: chosen, rowGroups: [g], batchSize })).intoIPCStream())
      rows += table.numRows
      take(table)
    }
    return rows
  } finally {
    file.free()
  }
}

/**
 * Encode a JS Arrow table as Parquet the way the library's codec does (snappy, page statistics):
 * the table crosses into wasm as an IPC stream.
 * @param {import('apache-arrow').Table} table
 */
export function encodeParquet(table) {
  initWasm()
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).setStatisticsEnabled(EnabledStatistics.Page).build()
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props)
}
