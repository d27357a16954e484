import type { Snapshot } from '../log/snapshot.js'
import { fileStats } from './file-stats.js'

/**
 * The number of rows the active files hold, when their statistics say so exactly: every file
 * has `numRecords`, less the rows its deletion vector removes. Undefined when any file lacks the
 * count, so the caller reads the data instead of guessing. Stats are parsed (and kept) as file
 * skipping parses them.
 */
export function exactRowCount(snapshot: Pick<Snapshot, 'files' | 'schema' | 'columnMapping'>): number | undefined {
  let total = 0
  for (const add of snapshot.files) {
    const n = fileStats(snapshot, add)?.numRecords
    if (n === undefined) return undefined
    total += n - (add.deletionVector?.cardinality ?? 0)
  }
  return total
}
