import { DeltaError } from '../../engine/errors.js'
import type { TransactionOptions, WriterProperties } from '../../txn/options.js'
import { DEFAULT_TARGET_FILE_SIZE } from '../../write/data-files.js'
import {
  checkBoolean, checkNumber, checkPredicate, DATA_WRITE_OPTIONS, fail, type OptionChecks,
} from '../check-options.js'

/** How far an optimize has got: files read so far out of those it rewrites. */
export interface OptimizeProgress {
  done: number
  total: number
  /** 'rewrite'. */
  phase: string
}

/**
 * Options of {@link optimizeZOrder}, as delta-rs's `z_order` (and of compaction, which adds
 * `preserveInsertionOrder`).
 */
export interface OptimizeZOrderOptions extends TransactionOptions {
  /**
   * A predicate on partition columns only (`"date = '2024-01-01' AND region IN ('eu', 'us')"`):
   * only the partitions it matches are optimized. All partitions when omitted.
   */
  partitionFilters?: string
  /**
   * The size in bytes files are packed toward and written at. Default: the table's
   * `delta.targetFileSize`, else 100 MiB (as delta-rs).
   */
  targetSize?: number
  /**
   * Commit every so often (milliseconds) instead of once at the end, as delta-rs's
   * `min_commit_interval`: after each bin, once this long has passed since the last commit, what
   * is done so far is committed. A long optimize then keeps its progress if it fails later.
   */
  minCommitInterval?: number
  /** How many files of a bin are read at once. Default 4. */
  maxConcurrentTasks?: number
  /** How the new files are encoded. Default zstd compression, as delta-rs's optimize. */
  writerProperties?: WriterProperties
  /** Called after each file is read. */
  onProgress?: (p: OptimizeProgress) => void
  /**
   * Stops the optimize between files with `Cancelled`. What it wrote since its last commit is
   * deleted; commits already made (with `minCommitInterval`) stay.
   */
  signal?: AbortSignal
}

/** Options of {@link optimizeCompact}, as delta-rs's `compact`. */
export interface OptimizeCompactOptions extends OptimizeZOrderOptions {
  /**
   * Pack files into bins in the order the table lists them (consecutive files together) and
   * write their rows in that order, so rows keep the order they were written in. Default false:
   * files are packed largest first (first-fit decreasing, as delta-rs), which makes fuller bins.
   */
  preserveInsertionOrder?: boolean
}

/** Sizes of a set of files, as delta-rs's `MetricDetails`. */
export interface FileSizeMetrics {
  min: number
  max: number
  avg: number
  totalFiles: number
  totalSize: number
}

/** What an optimize did: delta-rs's metrics in camelCase, and the version it committed. */
export interface OptimizeResult {
  /** The version of the last commit, or the table's version when there was nothing to do. */
  version: number
  numFilesAdded: number
  numFilesRemoved: number
  filesAdded: FileSizeMetrics
  filesRemoved: FileSizeMetrics
  /** Partitions with at least one bin rewritten. */
  partitionsOptimized: number
  /** Record batches read from the rewritten files. */
  numBatches: number
  /** Files in the partitions the filter selected. */
  totalConsideredFiles: number
  /** Considered files left as they are: already at the target size, or alone in their bin. */
  totalFilesSkipped: number
  /** Whether rows kept the order they were written in (compaction asked to; never for z-order). */
  preserveInsertionOrder: boolean
  /** How many commits the optimize made (more than one with `minCommitInterval`). */
  numCommits: number
}

const Z_ORDER_CHECKS: OptionChecks = {
  partitionFilters: (v, key) => checkPredicate(v, `option '${key}'`),
  targetSize: (v, key) => checkNumber(v, key, 1, true),
  minCommitInterval: (v, key) => checkNumber(v, key, 0),
  maxConcurrentTasks: (v, key) => checkNumber(v, key, 1, true),
  onProgress: (v, key) => { if (typeof v !== 'function') fail(key, v, 'a function') },
  signal: (v, key) => { if (!(v instanceof AbortSignal)) fail(key, v, 'an AbortSignal') },
  ...DATA_WRITE_OPTIONS,
}

/** The options of `optimizeZOrder`. */
export const OPTIMIZE_Z_ORDER_OPTIONS: OptionChecks = Z_ORDER_CHECKS

/** The options of `optimizeCompact`. */
export const OPTIMIZE_COMPACT_OPTIONS: OptionChecks = { preserveInsertionOrder: checkBoolean, ...Z_ORDER_CHECKS }

/** The table property that sets the size optimize packs toward. */
export const TARGET_FILE_SIZE_KEY = 'delta.targetFileSize'

/**
 * The target size: the option, else the table's `delta.targetFileSize` (whole bytes), else
 * 100 MiB. A property that is not a positive whole number is refused rather than guessed at.
 */
export function targetSizeOf(opts: { targetSize?: number }, configuration: Readonly<Record<string, string>>): number {
  if (opts.targetSize !== undefined) return opts.targetSize
  const text = configuration[TARGET_FILE_SIZE_KEY]
  if (text === undefined) return DEFAULT_TARGET_FILE_SIZE
  const n = Number(text.trim())
  if (!Number.isSafeInteger(n) || n < 1 || text.trim() === '') {
    throw new DeltaError('InvalidArgument', `the table property ${TARGET_FILE_SIZE_KEY} is '${text}', not a size in bytes; set it to a whole number or pass targetSize`)
  }
  return n
}
