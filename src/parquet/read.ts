import { tableFromIPC, type Table } from 'apache-arrow'
import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import type { ByteSource, ParquetReadOptions } from '../delta/engine/parquet-codec.js'
import { coalesceRanges } from './byte-ranges.js'
import type { FileMetaData } from 'hyparquet'
import { checkPages } from './check-pages.js'
import { checkedSource } from './checked-source.js'
import type { ParquetDecoder } from './decode-request.js'
import { DecodeFailure } from './decoder-pool.js'
import { readFooter } from './footer.js'
import { checkMetadata } from './footer-check.js'
import { findInt96Columns, readInt96Columns, replaceColumns } from './int96.js'
import { errorText, invalidParquet } from './invalid.js'
import { RangeCache } from './range-cache.js'
import { planRanges, resolveSelection, type ReadSelection } from './read-plan.js'
import { SharedReads } from './shared-reads.js'

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
 *
 * Nothing reaches the decoder unchecked: every read must return the length asked, the footer
 * must describe a sane file (schema, row counts, every chunk and page index inside the data
 * area) and every page header of the chunks decoded must be consistent with its chunk. A file
 * that fails is `InvalidData` naming it. What no check can foresee (corrupt compressed bytes
 * inside a page) is left to `decoder`, which runs where a crash fails only this read.
 */
export async function readParquetTable(
  source: ByteSource,
  opts: ParquetReadOptions | undefined,
  fetchOptions: ParquetFetchOptions,
  decoder: ParquetDecoder,
): Promise<Table> {
  const settings = { ...DEFAULTS, ...fetchOptions }
  const checked = checkedSource(source)
  const name = checked.name
  const cache = new RangeCache(checked)
  if (checked.size <= settings.readWholeBelow) await cache.fetch([{ start: 0, end: checked.size }])
  const { metadata, layout } = await readFooter(cache, settings.footerGuess, name)
  const leaves = guard(name, () => checkMetadata(metadata, layout, name))
  const selection = guard(name, () => resolveSelection(metadata, opts))
  const int96 = findInt96Columns(metadata, selection)
  await cache.fetch(coalesceRanges(planRanges(metadata, selection), settings.coalesceGap))
  await checkPages(cache, metadata, leaves, selection, name)
  // INT96 columns are decoded here first: the bytes go to the decoder (and may be detached) next.
  const replacements = int96.length === 0 ? undefined : await readInt96Columns(cache.toAsyncBuffer(), metadata, int96, selection)
  let table: Table
  try {
    const ipc = await decoder.decode(
      {
        name,
        size: checked.size,
        chunks: cache.takeChunks(),
        owned: checked.transferable === true,
        columns: selection.columns,
        rowGroups: selection.rowGroups,
        batchSize: Math.max(1, Math.min(selection.maxGroupRows, MAX_BATCH_ROWS)),
      },
      (start, end) => cache.read(start, end),
    )
    table = tableFromIPC(ipc)
  } catch (e) {
    throw decodeFailure(cache, name, e)
  }
  if (table.numRows !== selection.numRows) {
    throw invalidParquet(name, `it decoded to ${table.numRows} rows where its footer promises ${selection.numRows}`)
  }
  return replacements ? replaceColumns(table, replacements) : table
}

/** Run a check whose own errors are DeltaErrors; anything else it throws means a corrupt footer. */
function guard<T>(name: string | undefined, check: () => T): T {
  try {
    return check()
  } catch (e) {
    if (isDeltaError(e)) throw e
    throw invalidParquet(name, `its footer is inconsistent (${errorText(e)})`, e)
  }
}

/** A source failure (NotFound, AccessDenied...) wins over the decoder's report of it. */
function decodeFailure(cache: RangeCache, name: string | undefined, e: unknown): DeltaError {
  if (isDeltaError(e)) return e
  if (isDeltaError(cache.sourceError)) return cache.sourceError
  if (e instanceof DecodeFailure && e.notStarted) {
    return new DeltaError(
      'Internal',
      `could not start a Parquet decoder to read ${name === undefined ? 'a file' : `'${name}'`} (${e.message}): check that the ` +
        "application serves the library's decode-worker.js and parquet-wasm's .wasm file (a bundler must see them)",
      { cause: e },
    )
  }
  const how = e instanceof DecodeFailure && e.crashed ? 'the decoder crashed on it' : 'the decoder failed on it'
  return invalidParquet(name, `${how} (${errorText(e)}); it may also use an encoding parquet-wasm does not support`, e)
}

/** The longest first look at the footer of a file read in batches. */
const FOOTER_GUESS_CAP = 1 << 20

/** How many batches a streamed read decodes ahead of its consumer. */
const DECODE_AHEAD = 2

/**
 * Decode a Parquet file as {@link readParquetTable} does, but in batches of whole row groups of
 * about `batchRows` rows each, yielded in file order: a consumer that keeps only part of each
 * batch (a checkpoint's live files) never holds the whole file decoded, and the decoder's memory
 * follows one batch, not the file. Every batch's bytes are requested at once (one wave of
 * requests, as for one read) and each is let go once decoded; up to two batches decode ahead of
 * the consumer. A file of one row group is one batch.
 */
export async function* readParquetBatches(
  source: ByteSource,
  opts: ParquetReadOptions | undefined,
  fetchOptions: ParquetFetchOptions,
  decoder: ParquetDecoder,
  batchRows: number,
): AsyncGenerator<Table> {
  const settings = { ...DEFAULTS, ...fetchOptions }
  const shared = new SharedReads(checkedSource(source))
  const name = shared.name
  const footerCache = new RangeCache(shared)
  // A file read in batches is big and has many row groups, so a long footer: guess in proportion
  // (a second footer read would cost a round trip before any data is asked for).
  const guess = Math.max(settings.footerGuess, Math.min(FOOTER_GUESS_CAP, Math.floor(shared.size / 256)))
  const footerStart = Math.max(0, shared.size - guess)
  if (shared.size > settings.readWholeBelow) shared.prefetch([{ start: footerStart, end: shared.size }], Infinity)
  const { metadata, layout } = await readFooter(footerCache, guess, name)
  // A footer longer than the guess takes a second read: each batch's decode reads it again, so
  // it is planned too, or every batch would wait on a round trip of its own.
  // Kept whole, so that any batch's own look at it, whatever its guess, is served from here.
  const whole = layout.footerStart < footerStart ? footerCache.peek(layout.footerStart, shared.size) : undefined
  if (whole) shared.seed(layout.footerStart, whole.slice())
  guard(name, () => checkMetadata(metadata, layout, name))
  const selection = guard(name, () => resolveSelection(metadata, opts))
  const batches = groupRowGroups(metadata, selection, batchRows)
  if (batches.length <= 1 || shared.size <= settings.readWholeBelow) {
    yield await readParquetTable(source, opts, fetchOptions, decoder)
    return
  }
  for (const groups of batches) {
    shared.prefetch(coalesceRanges(planRanges(metadata, { ...selection, rowGroups: groups }), settings.coalesceGap))
  }
  const decode = (groups: number[]) => readParquetTable(shared, { ...opts, rowGroups: groups }, fetchOptions, decoder)
  const running = batches.slice(0, DECODE_AHEAD).map(decode)
  running.forEach((p) => p.catch(() => undefined))
  try {
    for (let k = 0; k < batches.length; k++) {
      const table = await running[k]!
      running[k] = undefined as unknown as Promise<Table>
      const next = batches[k + DECODE_AHEAD]
      if (next) {
        const p = decode(next)
        p.catch(() => undefined)
        running.push(p)
      }
      yield table
    }
  } finally {
    shared.close()
  }
}

/** Consecutive chosen row groups gathered into batches of at least `batchRows` rows (the last may hold fewer). */
function groupRowGroups(metadata: FileMetaData, selection: ReadSelection, batchRows: number): number[][] {
  const chosen = selection.rowGroups ?? metadata.row_groups.map((_, i) => i)
  const out: number[][] = []
  let current: number[] = []
  let rows = 0
  for (const g of chosen) {
    current.push(g)
    rows += Number(metadata.row_groups[g]!.num_rows)
    if (rows >= batchRows) {
      out.push(current)
      current = []
      rows = 0
    }
  }
  if (current.length > 0) out.push(current)
  return out
}
