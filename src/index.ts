/**
 * deltalake: read and write Delta Lake tables into and out of Apache Arrow, in the browser and
 * in Node.
 * @packageDocumentation
 */
export { DeltaTable } from './api/delta-table.js'
export type { OpenOptions, CreateTableOptions, PlannedScan, ReadPlannedOptions } from './api/delta-table.js'
export type { EngineOptions } from './api/engine-options.js'
export { readPlannedFiles } from './api/delta-table.js'
export type { TableApi, TableMetadata, TableProtocol, AddFileInfo, ToArrowOptions, ToBatchesOptions, PartitionValues } from './api/table-api.js'
export { DeltaError, isDeltaError } from './delta/engine/errors.js'
export type { DeltaErrorCode } from './delta/engine/errors.js'
export type { Storage, FileMeta, StorageCapabilities } from './delta/engine/storage.js'
export type { ParquetCodec, ByteSource, ParquetReadOptions, ParquetBatchReadOptions, ParquetWriteOptions, ParquetCompression } from './delta/engine/parquet-codec.js'
export type { DeltaType, PrimitiveType, StructType, StructField, ArrayType, MapType } from './delta/model/schema.js'
export type { Scalar } from './delta/model/scalar.js'
export type { CommitEntry } from './delta/log/history.js'
export type { ChangesOptions } from './delta/scan/change-data.js'
export type { ScanOptions } from './delta/scan/plan.js'
export type { ProtocolAction, DeletionVectorDescriptor } from './delta/model/actions.js'
export * from './storage/index.js'
export { browserParquetCodec, createParquetCodec, loadParquetCodec } from './parquet/index.js'
export { writeDeltaLake } from './api/write-deltalake.js'
export { convertToDeltaLake, type ConvertToDeltaLakeOptions } from './api/convert-to-deltalake.js'
export type { ConvertOptions, ConvertResult } from './delta/ops/convert/convert.js'
export type { VacuumOptions, VacuumProgress } from './delta/ops/vacuum.js'
export type { RepairOptions, RepairResult } from './delta/ops/repair.js'
export type { RestoreOptions, RestoreResult, RestoreTarget } from './delta/ops/restore.js'
export type { AlterApi } from './api/alter-api.js'
export type { OptimizeApi } from './api/optimize-api.js'
export type { CreateCheckpointOptions, CreateCheckpointResult, CheckpointKind } from './delta/ops/checkpoint.js'
export type { CleanupMetadataOptions } from './delta/ops/cleanup-metadata.js'
export type { CompactLogsOptions, CompactLogsResult } from './delta/ops/compact-logs.js'
export type { Progress } from './api/maintenance-call.js'
export type {
  OptimizeCompactOptions, OptimizeZOrderOptions, OptimizeResult, OptimizeProgress, FileSizeMetrics,
} from './delta/ops/optimize/options.js'
export type {
  SetTablePropertiesOptions, AddColumnsOptions, AddFeatureOptions, TableMetadataOptions, ColumnChangeOptions,
} from './delta/ops/alter.js'
export type { WriteDeltaLakeOptions } from './api/write-deltalake.js'
export type { WriteOptions, WriteMode, SchemaMode } from './delta/write/write-options.js'
export type {
  CommitProperties, PostCommitHookProperties, WriterProperties, TransactionOptions, DataWriteOptions,
} from './delta/txn/options.js'
export type { AddConstraintOptions, DropConstraintOptions } from './delta/ops/alter.js'
export type { WriteResult } from './delta/ops/write.js'
export type { WriteData } from './delta/write/input.js'
export type { IsolationLevel } from './delta/txn/conflict.js'
export type { DeleteOptions, DeleteResult } from './delta/ops/delete.js'
export type { UpdateOptions, UpdateResult, UpdateValues } from './delta/ops/update.js'
export type { LiteralValue } from './delta/ops/assign.js'
export type { MergeOptions, MergeResult, ClauseOptions, AllColumnsOptions, MergeClause, MergeSpec } from './delta/ops/merge/clauses.js'
export { MergeBuilder } from './delta/ops/merge/builder.js'
