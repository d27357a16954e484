import type { RepairOptions, RepairResult } from '../delta/ops/repair.js'
import type { VacuumOptions } from '../delta/ops/vacuum.js'
import type { RestoreOptions, RestoreResult, RestoreTarget } from '../delta/ops/restore.js'
import { callAlter, type AlterCall } from './alter-api.js'
import type { OptimizeCompactOptions, OptimizeResult, OptimizeZOrderOptions } from '../delta/ops/optimize/options.js'
import type { CreateCheckpointOptions, CreateCheckpointResult } from '../delta/ops/checkpoint.js'
import type { CleanupMetadataOptions } from '../delta/ops/cleanup-metadata.js'
import type { CompactLogsOptions, CompactLogsResult } from '../delta/ops/compact-logs.js'
import type { TableApi } from './table-api.js'

/** How far a long operation has got: `done` of `total` steps of `phase`. */
export interface Progress {
  done: number
  total: number
  phase: string
}

/** What of a long operation's options lives in the caller: a progress callback and a signal. */
export interface LiveOptions {
  onProgress?: (p: Progress) => void
  signal?: AbortSignal
}

/** Options without their live parts, as they cross to a worker. */
export type PlainOptions<T> = Omit<T, keyof LiveOptions>

/**
 * A maintenance operation as data: what `WorkerDeltaTable` sends its worker, which runs it on
 * the table it holds with `runMaintenance`. One message for every operation keeps the worker
 * protocol small as operations are added.
 */
export type MaintenanceCall =
  | { op: 'vacuum'; opts: PlainOptions<VacuumOptions> }
  | { op: 'repair'; opts: RepairOptions }
  | { op: 'restore'; target: RestoreTarget; opts: RestoreOptions }
  | { op: 'alter'; call: AlterCall }
  | { op: 'compact'; opts: PlainOptions<OptimizeCompactOptions> }
  | { op: 'createCheckpoint'; opts: CreateCheckpointOptions }
  | { op: 'cleanupMetadata'; opts: CleanupMetadataOptions }
  | { op: 'compactLogs'; opts: CompactLogsOptions }
  | { op: 'zOrder'; columns: string[]; opts: PlainOptions<OptimizeZOrderOptions> }

/** What each operation returns. */
export interface MaintenanceResults {
  vacuum: string[]
  repair: RepairResult
  restore: RestoreResult
  alter: void
  compact: OptimizeResult
  createCheckpoint: CreateCheckpointResult
  cleanupMetadata: string[]
  compactLogs: CompactLogsResult
  zOrder: OptimizeResult
}

/** Run a maintenance call on a table, with the live options the caller's side supplies. */
export function runMaintenance(table: TableApi, call: MaintenanceCall, live: LiveOptions): Promise<MaintenanceResults[MaintenanceCall['op']]> {
  switch (call.op) {
    case 'vacuum': return table.vacuum({ ...call.opts, ...live })
    case 'repair': return table.repair(call.opts)
    case 'restore': return table.restore(call.target, call.opts)
    case 'alter': return callAlter(table.alter, call.call)
    case 'createCheckpoint': return table.createCheckpoint(call.opts)
    case 'cleanupMetadata': return table.cleanupMetadata(call.opts)
    case 'compactLogs': return table.compactLogs(call.opts)
    case 'compact': return table.optimize.compact({ ...call.opts, ...live })
    case 'zOrder': return table.optimize.zOrder(call.columns, { ...call.opts, ...live })
  }
}
