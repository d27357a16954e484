import { tableFromIPC, type Table } from 'apache-arrow'
import { ParquetFile, type Table as WasmTable } from 'parquet-wasm/esm'
import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import type { ByteSource, ParquetReadOptions } from '../delta/engine/parquet-codec.js'
import { coalesceRanges } from './byte-ranges.js'
import { errorText, readFooter } from './footer.js'
import { findInt96Columns, readInt96Columns, replaceColumns } from './int96.js'
import { RangeCache } from './range-cache.js'
import { planRanges, resolveSelection, type ReadSelection } from './read-plan.js'

/** How the codec fetches bytes; the defaults suit HTTP object stores. */
export interface ParquetFetchOptions {
  /** Files of at most this many bytes are read whole, in one request. Default 1 MiB. */
  readWholeBelow?: number
  /** Column chunks at most this many bytes apart are fetched in one request. Default 256 KiB. */
  coalesceGap?: number
  /** Bytes first read from the end of a file, enough for most footers. Default 64 KiB. */
  footerGuess?: number
}

/**
 * Rows per decoded batch at most. parquet-wasm's default of 1024 makes moving a result to JS
 * several times slower (measured: 1.5M rows, 270-630 ms of IPC at 1024 rows a batch, 50 ms at
 * 64Ki); a cap keeps a batch's string data well inside Arrow's 32-bit offsets.
 */
const MAX_BATCH_ROWS = 128 * 1024

const DEFAULTS: Required<ParquetFetchOptions> = {
  readWholeBelow: 1 << 20,
  coalesceGap: 256 << 10,
  footerGuess: 64 << 10,
}

/**
 * Decode the chosen columns and row groups of a Parquet file into one Arrow table. Only the
 * footer and the needed column chunks are fetched (in parallel) unless the file is small; INT96
 * columns come back as Timestamp(MICROSECOND) with their true values.
 */
export async function readParquetTable(
  source: ByteSource,
  opts: ParquetReadOptions | undefined,
  fetchOptions: ParquetFetchOptions = {},
): Promise<Table> {
  const settings = { ...DEFAULTS, ...fetchOptions }
  const cache = new RangeCache(source)
  if (source.size <= settings.readWholeBelow) await cache.fetch([{ start: 0, end: source.size }])
  const metadata = await readFooter(cache, settings.footerGuess)
  const selection = resolveSelection(metadata, opts)
  const int96 = findInt96Columns(metadata, selection)
  await cache.fetch(coalesceRanges(planRanges(metadata, selection), settings.coalesceGap))
  const table = await decodeWithWasm(cache, selection)
  if (int96.length === 0) return table
  const replacements = await readInt96Columns(cache.toAsyncBuffer(), metadata, int96, selection)
  return replaceColumns(table, replacements)
}

/** Decode through parquet-wasm and move the result to JS Arrow, freeing wasm memory always. */
async function decodeWithWasm(cache: RangeCache, selection: ReadSelection): Promise<Table> {
  let file: ParquetFile | undefined
  let wasmTable: WasmTable | undefined
  try {
    file = await ParquetFile.fromFile(cache.toBlob())
    wasmTable = await file.read({
      batchSize: Math.max(1, Math.min(selection.maxGroupRows, MAX_BATCH_ROWS)),
      ...(selection.columns && { columns: selection.columns }),
      ...(selection.rowGroups && { rowGroups: selection.rowGroups }),
    })
    const consumed = wasmTable
    wasmTable = undefined // intoIPCStream takes ownership, even when it throws
    return tableFromIPC(consumed.intoIPCStream())
  } catch (e) {
    throw decodeFailure(cache, e)
  } finally {
    wasmTable?.free()
    file?.free()
  }
}

/** A source failure (NotFound, AccessDenied...) wins over the decoder's report of it. */
function decodeFailure(cache: RangeCache, e: unknown): DeltaError {
  if (isDeltaError(e)) return e
  if (isDeltaError(cache.sourceError)) return cache.sourceError
  return new DeltaError(
    'InvalidData',
    `could not decode the Parquet file (${errorText(e)}); the file may be corrupt or use an ` +
      'encoding parquet-wasm does not support',
    { cause: e },
  )
}
