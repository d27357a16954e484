import type { Table } from 'apache-arrow'

/** Random access to the bytes of one file; lets a codec fetch only the ranges it needs. */
export interface ByteSource {
  /** Total size of the file in bytes. */
  readonly size: number
  /** `length` bytes starting at `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>
}

/** What to decode from a Parquet file. */
export interface ParquetReadOptions {
  /** Top-level columns to decode, by their name in the file; all when omitted. */
  columns?: string[]
  /** Row groups to decode, by index; all when omitted. */
  rowGroups?: number[]
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
  /** Encode an Arrow table as one Parquet file. */
  write(table: Table, opts?: ParquetWriteOptions): Promise<Uint8Array>
}
