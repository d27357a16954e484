import { Table, Utf8, vectorFromArray } from 'apache-arrow'
import { plainAdd, type AddAction } from '../model/actions.js'
import { filterTable } from '../arrow/index.js'
import { mapAhead } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { evaluateFilter, type Expr } from '../expr/index.js'
import {
  deletionVectorPath, encodeRoaringBitmapArray, inlineDeletionVector, readDeletionVector, RowIndexSet, writeDeletionVectors,
} from '../dv/deletion-vector.js'
import type { Snapshot } from '../log/snapshot.js'
import { planScan } from '../scan/plan.js'
import { FILE_READ_CONCURRENCY, readDataFile } from '../scan/read.js'
import type { DataFileWriter } from '../write/data-files.js'

/** The table property that asks deletes, updates and merges to write deletion vectors. */
export const ENABLE_DELETION_VECTORS_KEY = 'delta.enableDeletionVectors'

/** Bitmaps at most this long go inline in the log (`i`); longer ones into a DV file (`u`). */
export const INLINE_DV_MAX_BYTES = 128

/** Whether changes to the table's rows are to be marked with deletion vectors rather than rewritten. */
export function usesDeletionVectors(snapshot: Pick<Snapshot, 'protocol' | 'metadata'>): boolean {
  return snapshot.metadata.configuration[ENABLE_DELETION_VECTORS_KEY] === 'true' &&
    (snapshot.protocol.writerFeatures ?? []).includes('deletionVectors') &&
    (snapshot.protocol.readerFeatures ?? []).includes('deletionVectors')
}

/** What marking rows deleted found and wrote. */
export interface MarkedDeletes {
  /** Files whose every row is now deleted: removed outright (with their old deletion vector). */
  removed: AddAction[]
  /** Files that keep some rows: removed with their old deletion vector, added again with the new one. */
  replaced: { old: AddAction; add: AddAction }[]
  rowsDeleted: number
  /** DV files written, for clean-up when the commit does not land. */
  paths: string[]
}

/**
 * Mark the rows of `candidates` that match `expr` (every row without one) as deleted with
 * deletion vectors, rewriting no data file: each file is read with every physical row (its
 * current deletion vector set aside), the rows that match and are not deleted yet join those the
 * old vector deletes, and the union becomes the file's new vector (inline when short, else in one
 * new DV file for the whole operation). A file left with no row is removed. With the change data
 * feed on, the newly deleted rows are written to `changes` as `delete` rows.
 */
export async function markDeletedRows(
  engine: Engine, snapshot: Snapshot, candidates: readonly AddAction[], expr: Expr | undefined, changes: DataFileWriter | undefined,
): Promise<MarkedDeletes> {
  const out: MarkedDeletes = { removed: [], replaced: [], rowsDeleted: 0, paths: [] }
  const pending: { file: AddAction; deleted: RowIndexSet }[] = []
  const files = mapAhead([...candidates], FILE_READ_CONCURRENCY, async (file) => ({ file, ...(await readPhysicalRows(engine, snapshot, file)) }))
  for await (const { file, rows, before } of files) {
    const mask = expr ? evaluateFilter(expr, rows) : new Uint8Array(rows.numRows).fill(1)
    const fresh = new Uint8Array(rows.numRows)
    const deleted: number[] = []
    for (let i = 0; i < rows.numRows; i++) {
      if (before.has(i)) deleted.push(i)
      else if (mask[i]) {
        fresh[i] = 1
        deleted.push(i)
      }
    }
    const newly = deleted.length - before.size
    if (newly === 0) continue
    out.rowsDeleted += newly
    if (changes) await changes.write(withChangeType(filterTable(rows, fresh), 'delete'))
    if (deleted.length === rows.numRows) out.removed.push(file)
    else pending.push({ file, deleted: RowIndexSet.fromRows(deleted) })
  }
  const short = new Set(pending.filter((p) => encodeRoaringBitmapArray(p.deleted).length <= INLINE_DV_MAX_BYTES))
  const inline = pending.filter((p) => short.has(p))
  const inFile = pending.filter((p) => !short.has(p))
  const written = await writeDeletionVectors(engine.storage, inFile.map((p) => p.deleted))
  if (written[0]) out.paths.push(deletionVectorPath(written[0])!)
  const descriptors = new Map<AddAction, ReturnType<typeof inlineDeletionVector>>()
  inline.forEach((p) => descriptors.set(p.file, inlineDeletionVector(p.deleted)))
  inFile.forEach((p, i) => descriptors.set(p.file, written[i]!))
  for (const p of pending) {
    out.replaced.push({ old: p.file, add: { ...plainAdd(p.file), deletionVector: descriptors.get(p.file)!, dataChange: true, stats: looseStats(p.file.stats) } })
  }
  return out
}

/** Every physical row of a file in file order, and the rows its current deletion vector deletes. */
async function readPhysicalRows(engine: Engine, snapshot: Snapshot, file: AddAction): Promise<{ rows: Table; before: RowIndexSet }> {
  const plan = planScan({ ...snapshot, files: [file] })
  // The vector and the data are fetched together.
  const [before, batches] = await Promise.all([
    file.deletionVector ? readDeletionVector(engine.storage, file.deletionVector, { tableUri: snapshot.tableUri }) : RowIndexSet.empty,
    readDataFile(engine, snapshot, plan, file, { rowMask: (n) => new Uint8Array(n).fill(1) }),
  ])
  return { rows: new Table(batches), before }
}

/**
 * The stats of a file that now has a deletion vector: the same numbers (they describe the physical
 * file, as the protocol says), marked `tightBounds: false`, as Spark marks them: the bounds still
 * bound the rows left, but are no longer exact for them.
 */
function looseStats(stats: string | null | undefined): string | null {
  if (!stats) return stats ?? null
  try {
    const parsed = JSON.parse(stats) as Record<string, unknown>
    return JSON.stringify({ ...parsed, tightBounds: false })
  } catch {
    return stats
  }
}

/** The rows with a `_change_type` column of `type`, as the change data feed stores them. */
export function withChangeType(rows: Table, type: string): Table {
  if (rows.numRows === 0) throw new DeltaError('Internal', 'no rows to record as changes')
  return rows.assign(new Table({ _change_type: vectorFromArray(new Array<string>(rows.numRows).fill(type), new Utf8()) }))
}
