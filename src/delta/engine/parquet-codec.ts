import type { Table } from 'apache-arrow'

/**
 * Random access to the bytes of one file; lets a codec fetch only the ranges it needs. A codec
 * trusts neither: `size` must be a whole number of bytes and every read must return exactly the
 * `length` asked, else the read fails with `InvalidData` naming the file (a log whose `size` is
 * larger than the file, or a storage that cut a read short, never reaches the decoder).
 */
export interface ByteSource {
  /** Total size of the file in bytes. */
  readonly size: number
  /** What to call the file in messages: its path. */
  readonly name?: string
  /**
   * True when every read returns a fresh array that nothing else holds: a codec may then hand
   * its buffer to a decoder thread, which detaches it here, instead of copying it. Leave unset
   * when reads may return bytes kept elsewhere (a cache, a view of a caller's array).
   */
  readonly transferable?: boolean
  /** `length` bytes starting at `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>
}

/** What to decode from a Parquet file. */
export interface ParquetReadOptions {
  /**
   * Columns to decode: a string names a top-level column (dots are part of the name), an
   * array is a path into structs (`['add', 'path']`); all when omitted. Names the file
   * lacks are skipped (a file written before a column was added); columns come back in file
   * order; `[]` still gives the row count.
   */
  columns?: (string | string[])[]
  /** Row groups to decode, by index; all when omitted. */
  rowGroups?: number[]
  /**
   * What to do with INT96 timestamps nested in structs, lists or maps, which cannot be decoded
   * exactly: `error` (default) refuses the read naming the column; `omit` leaves those fields
   * out of the result (a checkpoint's `stats_parsed` then simply lacks them).
   */
  nestedInt96?: 'error' | 'omit'
}

/** What to decode from a Parquet file, batch by batch. */
export interface ParquetBatchReadOptions extends ParquetReadOptions {
  /** Rows per batch, about: batches hold whole row groups. */
  batchRows?: number
}

/** Compression codecs a writer may ask for. */
export type ParquetCompression = 'uncompressed' | 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'brotli'

/** How to encode a Parquet file. */
export interface ParquetWriteOptions {
  compression?: ParquetCompression
  /** Rows per row group. */
  rowGroupSize?: number
}

/**
 * The Parquet engine the protocol core is handed. Tables come back in the file's physical
 * schema (the scan maps them to the Delta schema) with timestamps as Arrow timestamps whose
 * values are right, INT96 included.
 */
export interface ParquetCodec {
  /** Decode the chosen columns and row groups of a file into one Arrow table. */
  read(source: ByteSource, opts?: ParquetReadOptions): Promise<Table>
  /**
   * Decode the same as `read`, in batches of whole row groups yielded in file order, so that a
   * consumer keeping part of each batch never holds the whole file decoded. Optional: without
   * it, callers read the file in one batch.
   */
  readBatches?(source: ByteSource, opts?: ParquetBatchReadOptions): AsyncIterable<Table>
  /** Encode an Arrow table as one Parquet file. */
  write(table: Table, opts?: ParquetWriteOptions): Promise<Uint8Array>
}
