import { RecordBatch, Table } from 'apache-arrow'
import { concatBatches } from '../../arrow/concat.js'
import { takeRows, toArrowSchema } from '../../arrow/index.js'
import { mapAhead } from '../../engine/concurrency.js'
import type { Engine } from '../../engine/engine.js'
import { isDeltaError } from '../../engine/errors.js'
import { throwIfCancelled } from '../../engine/storage.js'
import { statsSettings } from '../../features/table-config.js'
import type { Snapshot } from '../../log/snapshot.js'
import type { AddAction } from '../../model/actions.js'
import type { DeltaType } from '../../model/schema.js'
import { planScan, type ScanPlan } from '../../scan/plan.js'
import { FILE_READ_CONCURRENCY, readDataFile } from '../../scan/read.js'
import { transactionOptions } from '../../txn/options.js'
import { startTransaction } from '../../txn/transaction.js'
import { tableBytes } from '../../write/arrow-size.js'
import { DataFileWriter, discardFiles, type DataFileOptions } from '../../write/data-files.js'
import type { OptimizePlan, OptimizeBin } from './bins.js'
import { commitMetrics, fileSizes } from './metrics.js'
import type { OptimizeCompactOptions, OptimizeResult } from './options.js'
import { zOrderPermutation } from './z-key.js'

/** How the bins of a plan are rewritten. */
export interface RewriteSettings {
  /** Columns to sort each bin's rows by along a Z-order curve; none for compaction. */
  zOrderBy: readonly { name: string; type: DeltaType }[]
  targetSize: number
  /** The partition filter as given, for commitInfo's `predicate`. */
  predicate: string | undefined
  opts: OptimizeCompactOptions
}

/** What is written but not yet committed. */
interface Pending {
  removed: AddAction[]
  added: AddAction[]
  paths: string[]
  batches: number
  partitions: Set<string>
}

const emptyPending = (): Pending => ({ removed: [], added: [], paths: [], batches: 0, partitions: new Set() })

/**
 * Rewrite the plan's bins one at a time (only one bin's rows are in memory): read the live rows of
 * its files (deletion vectors applied, so deleted rows stay deleted), sort them along the Z-order
 * curve when asked, and write them as new files of the same partition. The files' removes and the
 * new files' adds, all with `dataChange` false (no row changes), are committed as one `OPTIMIZE`
 * at the end, or each time `minCommitInterval` has passed. A commit says it read the files it
 * rewrites, and no predicate: a concurrent append never conflicts with it, a concurrent removal of
 * one of its files does. On a failure or cancellation, files written and not committed are deleted.
 */
export async function rewriteBins(engine: Engine, snapshot: Snapshot, plan: OptimizePlan, settings: RewriteSettings): Promise<OptimizeResult> {
  const { opts } = settings
  const total = plan.bins.reduce((n, b) => n + b.files.length, 0)
  const scan = planScan({ ...snapshot, files: [] })
  const run = { done: 0, total, lastCommit: performance.now(), readSnapshot: snapshot, version: snapshot.version, commits: 0 }
  const all = emptyPending()
  let pending = emptyPending()
  try {
    for (const bin of plan.bins) {
      throwIfCancelled(opts.signal, 'the optimize')
      const written = await rewriteBin(engine, snapshot, scan, bin, settings, run)
      for (const p of [pending, all]) {
        append(p.removed, bin.files)
        append(p.added, written.added)
        append(p.paths, written.paths)
        p.batches += written.batches
        p.partitions.add(bin.partition)
      }
      const due = opts.minCommitInterval !== undefined && performance.now() - run.lastCommit > opts.minCommitInterval
      if (due) {
        await commitPending(engine, pending, plan, settings, run)
        pending = emptyPending()
      }
    }
    if (pending.removed.length > 0) await commitPending(engine, pending, plan, settings, run)
  } catch (e) {
    await discardFiles(engine, pending.paths)
    throw e
  }
  return { version: run.version, ...metricsOf(all, plan, settings), numCommits: run.commits }
}

/** Read a bin's live rows (a few files at once), order them, and write them; nothing is committed. */
async function rewriteBin(
  engine: Engine, snapshot: Snapshot, scan: ScanPlan, bin: OptimizeBin, settings: RewriteSettings, run: { done: number; total: number },
): Promise<{ added: AddAction[]; paths: string[]; batches: number }> {
  const { opts } = settings
  const schema = toArrowSchema(scan.output)
  const batches: RecordBatch[] = []
  const reads = mapAhead(bin.files, opts.maxConcurrentTasks ?? FILE_READ_CONCURRENCY, (file) => readDataFile(engine, snapshot, scan, file))
  for await (const fileBatches of reads) {
    for (const b of fileBatches) batches.push(new RecordBatch(schema, b.data))
    opts.onProgress?.({ done: ++run.done, total: run.total, phase: 'rewrite' })
    throwIfCancelled(opts.signal, 'the optimize')
  }
  let rows = new Table(schema, batches.filter((b) => b.numRows > 0))
  if (rows.numRows === 0) return { added: [], paths: [], batches: batches.length }
  if (settings.zOrderBy.length > 0) {
    // One batch first: sorted rows gathered from many batches would make a batch per row.
    rows = concatBatches(rows)
    rows = takeRows(rows, zOrderPermutation(rows, settings.zOrderBy))
  }
  // A compaction bin holds at most the target size of Parquet: it is written as one file, however
  // much more room its rows take in Arrow. Z-order cuts a partition's rows into target-sized files.
  const targetFileSize = settings.zOrderBy.length > 0 ? settings.targetSize : Math.max(settings.targetSize, tableBytes(rows))
  const writer = new DataFileWriter(engine, writerOptions(snapshot, opts, targetFileSize))
  try {
    await writer.write(rows)
    const added = (await writer.finish()).map((a) => ({ ...a, dataChange: false }))
    return { added, paths: writer.writtenPaths, batches: batches.length }
  } catch (e) {
    await discardFiles(engine, writer.writtenPaths)
    throw e
  }
}

/**
 * Commit what is pending as one `OPTIMIZE`. A commit that lands right after the version it read
 * (no other writer in between) becomes the version the next commit reads: its own changes need
 * no check. Otherwise the next commit keeps reading the older version, so that the commits that
 * got in between are checked against the files it rewrites too.
 */
async function commitPending(
  engine: Engine, pending: Pending, plan: OptimizePlan, settings: RewriteSettings,
  run: { lastCommit: number; readSnapshot: Snapshot; version: number; commits: number },
): Promise<void> {
  const txn = startTransaction(engine, run.readSnapshot, { ...transactionOptions(settings.opts), operation: 'OPTIMIZE' })
    .withOperationParameters({
      predicate: JSON.stringify(settings.predicate !== undefined ? [settings.predicate] : []),
      zOrderBy: JSON.stringify(settings.zOrderBy.map((c) => c.name)),
    })
    .withOperationMetrics(commitMetrics(metricsOf(pending, plan, settings)))
    .removeFiles(pending.removed, false)
    .addFiles(pending.added)
    .readFrom({ files: new Set(pending.removed.map((f) => f.path)) })
  let committed
  try {
    committed = await txn.commit()
  } catch (e) {
    if (isDeltaError(e, 'CommitConflict') || !txn.commitAttempted) await discardFiles(engine, pending.paths)
    // Else the commit may have landed: its files must stay.
    pending.paths.length = 0
    throw e
  }
  if (committed.attempts === 1) run.readSnapshot = { ...run.readSnapshot, version: committed.version }
  run.version = committed.version
  run.commits++
  run.lastCommit = performance.now()
}

function metricsOf(p: Pending, plan: OptimizePlan, settings: RewriteSettings): Omit<OptimizeResult, 'version' | 'numCommits'> {
  return {
    numFilesAdded: p.added.length,
    numFilesRemoved: p.removed.length,
    filesAdded: fileSizes(p.added),
    filesRemoved: fileSizes(p.removed),
    partitionsOptimized: p.partitions.size,
    numBatches: p.batches,
    totalConsideredFiles: plan.totalConsideredFiles,
    totalFilesSkipped: plan.totalFilesSkipped,
    preserveInsertionOrder: settings.zOrderBy.length === 0 && settings.opts.preserveInsertionOrder === true,
  }
}

/** The new files are written as the table lays them out, zstd-compressed unless asked otherwise (as delta-rs). */
function writerOptions(snapshot: Snapshot, opts: OptimizeCompactOptions, targetFileSize: number): DataFileOptions {
  return {
    schema: snapshot.schema, partitionColumns: snapshot.metadata.partitionColumns, columnMapping: snapshot.columnMapping,
    targetFileSize, writerProperties: { ...opts.writerProperties, compression: opts.writerProperties?.compression ?? 'zstd' }, ...statsSettings(snapshot.metadata.configuration),
  }
}

function append<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item)
}
