import type { Engine } from '../../engine/engine.js'
import { loadSnapshot, type Snapshot } from '../../log/snapshot.js'
import { checkOptions } from '../check-options.js'
import { planCompaction, selectFiles } from './bins.js'
import { nothingDone } from './metrics.js'
import { OPTIMIZE_COMPACT_OPTIONS, targetSizeOf, type OptimizeCompactOptions, type OptimizeResult } from './options.js'
import { rewriteBins } from './rewrite.js'

/**
 * Compact small files into larger ones, as delta-rs's `optimize.compact()`: in each partition
 * (those `partitionFilters` selects), files smaller than the target size are packed into bins
 * of at most the target size and each bin is rewritten as one file; files at the target size
 * and bins of a single file are left alone. Rows deleted by deletion vectors stay deleted (the
 * new files simply lack them). The commit (`OPTIMIZE`, every action `dataChange: false`) changes
 * no row, so it never conflicts with concurrent appends; it does conflict with a concurrent
 * change that removes a file it rewrote. Nothing to compact commits nothing.
 *
 * `from` is the snapshot to compact (a table object's); the latest when omitted. Options are
 * checked before anything is read.
 */
export async function optimizeCompact(engine: Engine, opts: OptimizeCompactOptions = {}, from?: Snapshot): Promise<OptimizeResult> {
  checkOptions('optimize', opts, OPTIMIZE_COMPACT_OPTIONS)
  const snapshot = from ?? await loadSnapshot(engine)
  const targetSize = targetSizeOf(opts, snapshot.metadata.configuration)
  const plan = planCompaction(snapshot, selectFiles(snapshot, opts.partitionFilters), targetSize, opts.preserveInsertionOrder === true)
  if (plan.bins.length === 0) return nothingDone(snapshot.version, plan, opts.preserveInsertionOrder === true)
  return rewriteBins(engine, snapshot, plan, { zOrderBy: [], targetSize, predicate: opts.partitionFilters, opts })
}
