import type { OperationMetric } from '../../txn/commit-info.js'
import type { FileSizeMetrics, OptimizeResult } from './options.js'

/** The size metrics of no file, as delta-rs reports them. */
export function noFiles(): FileSizeMetrics {
  return { min: 0, max: 0, avg: 0, totalFiles: 0, totalSize: 0 }
}

/** The size metrics of `files`. */
export function fileSizes(files: readonly { size: number }[]): FileSizeMetrics {
  if (files.length === 0) return noFiles()
  let min = Infinity
  let max = 0
  let total = 0
  for (const f of files) {
    min = Math.min(min, f.size)
    max = Math.max(max, f.size)
    total += f.size
  }
  return { min, max, avg: total / files.length, totalFiles: files.length, totalSize: total }
}

/**
 * The metrics a commit records in commitInfo: delta-rs's counts, and the byte totals of its
 * `filesAdded`/`filesRemoved` details under Spark's names (commitInfo metrics are numbers here).
 */
export function commitMetrics(m: Omit<OptimizeResult, 'version' | 'numCommits'>): Record<string, OperationMetric> {
  return {
    numFilesAdded: m.numFilesAdded,
    numFilesRemoved: m.numFilesRemoved,
    numAddedBytes: m.filesAdded.totalSize,
    numRemovedBytes: m.filesRemoved.totalSize,
    minFileSize: m.filesAdded.min,
    maxFileSize: m.filesAdded.max,
    partitionsOptimized: m.partitionsOptimized,
    numBatches: m.numBatches,
    totalConsideredFiles: m.totalConsideredFiles,
    totalFilesSkipped: m.totalFilesSkipped,
    // As delta-rs records them: the size summaries as JSON text, and the flag.
    filesAdded: JSON.stringify(m.filesAdded),
    filesRemoved: JSON.stringify(m.filesRemoved),
    preserveInsertionOrder: m.preserveInsertionOrder,
  }
}

/** The result of an optimize with nothing to rewrite. */
export function nothingDone(version: number, plan: { totalConsideredFiles: number; totalFilesSkipped: number }, preserveInsertionOrder: boolean): OptimizeResult {
  return {
    version, numFilesAdded: 0, numFilesRemoved: 0, filesAdded: noFiles(), filesRemoved: noFiles(), partitionsOptimized: 0,
    numBatches: 0, totalConsideredFiles: plan.totalConsideredFiles, totalFilesSkipped: plan.totalFilesSkipped,
    preserveInsertionOrder, numCommits: 0,
  }
}
