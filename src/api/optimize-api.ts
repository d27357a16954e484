import type { OptimizeCompactOptions, OptimizeResult, OptimizeZOrderOptions } from '../delta/ops/optimize/options.js'

/**
 * File layout operations, as delta-rs's `DeltaTable.optimize`: each rewrites files (with
 * `dataChange: false`), commits, and moves the table object to the version it committed.
 */
export interface OptimizeApi {
  /** Bin-pack small files of each partition toward `targetSize` (delta-rs's `compact`). */
  compact(opts?: OptimizeCompactOptions): Promise<OptimizeResult>
  /** Rewrite each partition's files sorted by an interleaved key over `columns` (delta-rs's `z_order`). */
  zOrder(columns: string[], opts?: OptimizeZOrderOptions): Promise<OptimizeResult>
}
