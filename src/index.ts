/**
 * deltalake: read and write Delta Lake tables into and out of Apache Arrow, in the browser and
 * in Node.
 * @packageDocumentation
 */
export { DeltaTable } from './table.js'
export type { OpenOptions, TableMetadata, AddFileInfo, ToArrowOptions } from './table.js'
export { DeltaError, isDeltaError } from './delta/errors.js'
export type { DeltaErrorCode } from './delta/errors.js'
export type { Storage, FileMeta, StorageCapabilities } from './delta/storage.js'
export type { ParquetCodec, ByteSource, ParquetReadOptions, ParquetWriteOptions, ParquetCompression } from './delta/parquet-codec.js'
export type { DeltaType, PrimitiveType, StructType, StructField, ArrayType, MapType } from './delta/schema.js'
export type { Scalar } from './delta/scalar.js'
export type { CommitEntry } from './delta/history.js'
export type { ChangesOptions } from './delta/change-data.js'
export type { ScanOptions } from './delta/scan-plan.js'
export type { ProtocolAction, DeletionVectorDescriptor } from './delta/actions.js'
export * from './storage/index.js'
export { browserParquetCodec, createParquetCodec, loadParquetCodec } from './parquet/index.js'
export { writeDeltaLake } from './write.js'
export type { WriteDeltaLakeOptions, CreateTableOptions } from './write.js'
export type { WriteOptions, WriteMode, CommitProperties } from './delta/write/write-options.js'
export type { WriteResult } from './delta/write/write-table.js'
export type { WriteData } from './delta/write/input.js'
export type { IsolationLevel } from './delta/conflict.js'
export type { DeleteOptions, DeleteResult } from './delta/write/delete.js'
