import { tableToIPC, type Table } from 'apache-arrow'
import {
  Compression,
  EnabledStatistics,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
  type WriterProperties,
} from 'parquet-wasm/esm'
import { DeltaError } from '../delta/engine/errors.js'
import type { ParquetCompression, ParquetWriteOptions } from '../delta/engine/parquet-codec.js'
import { errorText } from './footer.js'

// 'lz4' means LZ4_RAW: the framing the Parquet spec settled on; the older LZ4 codec is deprecated.
const CODECS: Record<ParquetCompression, Compression> = {
  uncompressed: Compression.UNCOMPRESSED,
  snappy: Compression.SNAPPY,
  zstd: Compression.ZSTD,
  gzip: Compression.GZIP,
  lz4: Compression.LZ4_RAW,
  brotli: Compression.BROTLI,
}

/**
 * Encode an Arrow table as one Parquet file (snappy by default, with chunk and page statistics so
 * other engines can skip on them). The table crosses into wasm as an IPC stream.
 */
export function writeParquetTable(table: Table, opts: ParquetWriteOptions = {}): Uint8Array {
  const properties = buildProperties(opts)
  const ipc = tableToIPC(table, 'stream')
  let wasmTable: WasmTable | undefined
  let props: WriterProperties | undefined = properties
  try {
    wasmTable = WasmTable.fromIPCStream(ipc)
    const [t, p] = [wasmTable, props]
    wasmTable = undefined // writeParquet takes ownership of both, even when it throws
    props = undefined
    return writeParquet(t, p)
  } catch (e) {
    throw new DeltaError(
      'InvalidArgument',
      `could not encode the table as Parquet (${errorText(e)}); check that every column has a type ` +
        'Delta supports',
      { cause: e },
    )
  } finally {
    wasmTable?.free()
    props?.free()
  }
}

function buildProperties(opts: ParquetWriteOptions): WriterProperties {
  const compression = opts.compression ?? 'snappy'
  const codec = CODECS[compression]
  if (codec === undefined) {
    throw new DeltaError(
      'InvalidArgument',
      `unknown Parquet compression "${String(compression)}"; use one of ${Object.keys(CODECS).join(', ')}`,
    )
  }
  let builder = new WriterPropertiesBuilder()
    .setCompression(codec)
    .setStatisticsEnabled(EnabledStatistics.Page)
  if (opts.rowGroupSize !== undefined) {
    if (!Number.isInteger(opts.rowGroupSize) || opts.rowGroupSize < 1) {
      builder.free()
      throw new DeltaError('InvalidArgument', `rowGroupSize must be a positive integer, got ${opts.rowGroupSize}`)
    }
    builder = builder.setMaxRowGroupSize(opts.rowGroupSize)
  }
  return builder.build()
}
