import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { loadSnapshot, type Snapshot } from '../../log/snapshot.js'
import { describeDeltaType } from '../../arrow/index.js'
import { findField, type DeltaType } from '../../model/schema.js'
import { partitionFields } from '../../scan/plan.js'
import { checkOptions } from '../check-options.js'
import { planZOrder, selectFiles } from './bins.js'
import { nothingDone } from './metrics.js'
import { OPTIMIZE_Z_ORDER_OPTIONS, targetSizeOf, type OptimizeResult, type OptimizeZOrderOptions } from './options.js'
import { rewriteBins } from './rewrite.js'
import { keyWords } from './z-key.js'

/**
 * Cluster the rows of each partition along a Z-order curve over `columns`, as delta-rs's
 * `optimize.z_order()`: all files of each selected partition are read together, their live rows
 * sorted by an interleaved-bits key of the columns (see `zOrderPermutation`), and written back as
 * files of the target size. Rows close in all the columns land in the same files, so a filter on
 * any of them (not only the first) skips more files. Commits as compaction does (`OPTIMIZE`,
 * `dataChange: false`, with `zOrderBy`).
 *
 * `columns` must be data columns of the table of a primitive type; an unknown column, a
 * partition column (constant within a partition), a nested one or a repeated one is refused with
 * `InvalidArgument` before anything is read.
 */
export async function optimizeZOrder(engine: Engine, columns: string[], opts: OptimizeZOrderOptions = {}, from?: Snapshot): Promise<OptimizeResult> {
  checkOptions('z-order', opts, OPTIMIZE_Z_ORDER_OPTIONS)
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) {
    throw new DeltaError('InvalidArgument', 'z-order needs a non-empty array of column names, such as [\'x\', \'y\']')
  }
  const snapshot = from ?? await loadSnapshot(engine)
  const zOrderBy = zOrderColumns(snapshot, columns)
  const targetSize = targetSizeOf(opts, snapshot.metadata.configuration)
  const plan = planZOrder(snapshot, selectFiles(snapshot, opts.partitionFilters))
  if (plan.bins.length === 0) return nothingDone(snapshot.version, plan, false)
  return rewriteBins(engine, snapshot, plan, { zOrderBy, targetSize, predicate: opts.partitionFilters, opts })
}

/** The z-order columns resolved against the schema, each checked. */
function zOrderColumns(snapshot: Snapshot, columns: readonly string[]): { name: string; type: DeltaType }[] {
  const partitions = new Set(partitionFields(snapshot).map((f) => f.name))
  const seen = new Set<string>()
  return columns.map((c) => {
    const field = findField(snapshot.schema, c)
    if (!field) {
      throw new DeltaError('InvalidArgument', `z-order column '${c}' is not in the table; its columns are ${snapshot.schema.fields.map((f) => f.name).join(', ')}`)
    }
    if (partitions.has(field.name)) {
      throw new DeltaError('InvalidArgument', `z-order column '${c}' is a partition column: its value is the same in every file of a partition, so ordering by it does nothing`)
    }
    if (seen.has(field.name)) throw new DeltaError('InvalidArgument', `z-order column '${c}' is named twice`)
    seen.add(field.name)
    if (keyWords(field.type) === undefined) {
      throw new DeltaError('InvalidArgument', `z-order column '${c}' is of type ${describeDeltaType(field.type)}; only columns of primitive types can be z-ordered`)
    }
    return { name: field.name, type: field.type }
  })
}
