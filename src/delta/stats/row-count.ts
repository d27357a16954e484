import type { AddAction } from '../model/actions.js'
import { parseStats } from './parse.js'

/**
 * The number of rows the files hold, when their statistics say so exactly: every file has
 * `numRecords`, less the rows its deletion vector removes. Undefined when any file lacks the
 * count, so the caller reads the data instead of guessing.
 */
export function exactRowCount(files: readonly AddAction[]): number | undefined {
  let total = 0
  for (const add of files) {
    const n = parseStats(add.stats)?.numRecords ?? statsParsedCount(add)
    if (n === undefined) return undefined
    total += n - (add.deletionVector?.cardinality ?? 0)
  }
  return total
}

function statsParsedCount(add: AddAction): number | undefined {
  const n = add.statsParsed?.['numRecords']
  if (typeof n === 'number') return n
  if (typeof n === 'bigint') return Number(n)
  return undefined
}
