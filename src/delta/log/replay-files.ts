import type { AddAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { columnsOf, type Expr } from '../expr/index.js'
import { lookupPartitionValue } from '../features/column-mapping.js'
import { readCheckpoint, refuseRepeatedAdds } from '../checkpoint/read.js'
import type { Snapshot } from './snapshot.js'
import { fileMayMatch, partitionKeysOf } from '../scan/plan.js'
import { ActiveFiles } from '../files/active-files.js'
import type { AddColumns } from '../files/add-columns.js'
import { FileCollector, type FileFilter } from '../files/collect-files.js'

/** The fields of an add that make its file key. */
const KEY_FIELDS = ['path', 'deletionVector']

/** What {@link replaySnapshotFiles} reads. */
export interface ReplayFilesOptions {
  /** Keep only the files that may hold rows matching it (by partition values and stats). */
  filter?: Expr
  /** Only count the files: keep none. */
  countOnly?: boolean
}

/**
 * The active files of a snapshot that may match a filter, and how many there are. A snapshot
 * loaded with its files answers from them; one loaded `withoutFiles` reads the checkpoint again,
 * chunk by chunk, keeping only the files that may match (or none, when counting), so that
 * memory follows the query, not the table.
 */
export async function replaySnapshotFiles(engine: Engine, snapshot: Snapshot, opts: ReplayFilesOptions = {}): Promise<{ files: ActiveFiles; count: number }> {
  const filter = opts.filter && fileFilter(snapshot, opts.filter)
  const lazy = snapshot.withoutFiles
  if (!lazy) {
    if (!filter) return { files: snapshot.files, count: snapshot.files.length }
    const files = ActiveFiles.of(snapshot.files.filter((a) => filter.action(a)))
    return { files, count: files.length }
  }
  const cp = snapshot.segment.checkpoint
  const collector = new FileCollector(Promise.resolve(lazy.decided), { ...(filter ? { filter } : {}), countOnly: opts.countOnly === true })
  // A count reads the key columns alone (and the partition values a partition filter reads).
  const addFields = !opts.countOnly ? undefined : !filter ? KEY_FIELDS : filter.partitionOnly ? [...KEY_FIELDS, 'partitionValues'] : undefined
  if (cp) await readCheckpoint(engine, cp, { adds: collector, ...(addFields ? { addFields } : {}) })
  const collected = collector.finish()
  if (collected.repeated && cp) {
    // A key met twice: read the checkpoint again keeping every file, to name the two places.
    const all = new FileCollector(Promise.resolve(lazy.decided))
    await readCheckpoint(engine, cp, { adds: all })
    refuseRepeatedAdds(all.finish())
  }
  const adds: readonly AddAction[] = filter ? lazy.adds.filter((a) => filter.action(a)) : lazy.adds
  const count = collected.count + adds.length
  if (opts.countOnly) return { files: ActiveFiles.of([]), count }
  return { files: ActiveFiles.fromRuns([...collected.runs, { adds }]), count }
}

/**
 * The filter of a replay: each file is judged as scans judge it (`fileMayMatch`). When the
 * predicate reads partition columns only, files with the same partition values share one
 * verdict, found once.
 */
export function fileFilter(snapshot: Pick<Snapshot, 'metadata' | 'schema' | 'columnMapping'>, expr: Expr): FileFilter & { partitionOnly: boolean } {
  const keys = partitionKeysOf(snapshot)
  const partitionNames = new Set(keys.map((k) => k.field.name))
  const partitionOnly = columnsOf(expr).every((p) => p.length === 1 && partitionNames.has(p[0]!))
  const action = (add: AddAction) => fileMayMatch(snapshot, add, expr)
  const verdicts = new Map<string, boolean>()
  const byPartition = (cols: AddColumns, i: number): boolean => {
    const values = cols.partitionValues(i)
    const key = JSON.stringify(keys.map((k) => lookupPartitionValue(values, k)))
    let v = verdicts.get(key)
    if (v === undefined) {
      // Judged on the partition values alone: the other fields may not have been decoded.
      v = action({ kind: 'add', path: '', partitionValues: values, size: 0, modificationTime: 0, dataChange: true })
      verdicts.set(key, v)
    }
    return v
  }
  return {
    partitionOnly,
    action,
    rows: (cols, rows) => {
      const out = new Int32Array(rows.length)
      let n = 0
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!
        if (partitionOnly ? byPartition(cols, i) : action(cols.add(i))) out[n++] = i
      }
      return out.subarray(0, n)
    },
  }
}
