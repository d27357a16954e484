import { DeltaError } from '../../engine/errors.js'
import { columnsOf, parseFilter } from '../../expr/index.js'
import type { Snapshot } from '../../log/snapshot.js'
import type { AddAction } from '../../model/actions.js'
import { fileMayMatch, partitionFields, rawPartitionValues } from '../../scan/plan.js'

/** Files of one partition rewritten together into new files. */
export interface OptimizeBin {
  /** The partition's values as the log writes them, as text: bins of one partition share it. */
  partition: string
  files: AddAction[]
}

/** What an optimize will rewrite, worked out from the log alone before any data is read. */
export interface OptimizePlan {
  bins: OptimizeBin[]
  totalConsideredFiles: number
  totalFilesSkipped: number
  partitionsOptimized: number
}

/**
 * The active files of the partitions `partitionFilters` selects (all without it). The filter
 * may name partition columns only: optimize rewrites whole partitions' files, and a filter on
 * data could only ever be half-applied to them. Refused with `InvalidArgument` otherwise.
 */
export function selectFiles(snapshot: Snapshot, partitionFilters: string | undefined): AddAction[] {
  if (partitionFilters === undefined) return snapshot.files.toArray()
  const expr = parseFilter(partitionFilters, snapshot.schema)
  const partitionColumns = new Set(partitionFields(snapshot).map((f) => f.name))
  const others = columnsOf(expr).map((p) => p.join('.')).filter((c) => !partitionColumns.has(c))
  if (others.length > 0) {
    const which = partitionColumns.size > 0 ? `its partition columns are ${[...partitionColumns].join(', ')}` : 'the table has no partition columns'
    throw new DeltaError('InvalidArgument', `partitionFilters may only name partition columns, not ${[...new Set(others)].join(', ')} (${which})`)
  }
  return snapshot.files.filter((f) => fileMayMatch(snapshot, f, expr))
}

/** The files grouped by partition, in the order first met. */
function byPartition(snapshot: Snapshot, files: readonly AddAction[]): Map<string, AddAction[]> {
  const groups = new Map<string, AddAction[]>()
  for (const f of files) {
    const key = JSON.stringify(rawPartitionValues(snapshot, f))
    let group = groups.get(key)
    if (!group) groups.set(key, group = [])
    group.push(f)
  }
  return groups
}

/**
 * Compaction's bins, as delta-rs packs them: per partition, files at or above `target` are left
 * alone, the others go into bins of at most `target` bytes (first-fit, largest file first; or
 * consecutive files in the order they were written when `inOrder`), and a bin of one file is
 * dropped, as rewriting it alone changes nothing.
 */
export function planCompaction(snapshot: Snapshot, files: readonly AddAction[], target: number, inOrder: boolean): OptimizePlan {
  const bins: OptimizeBin[] = []
  let skipped = 0
  const partitions = new Set<string>()
  for (const [partition, group] of byPartition(snapshot, files)) {
    const small = group.filter((f) => f.size < target)
    skipped += group.length - small.length
    const packed = inOrder ? packInOrder(writeOrder(small), target) : packFirstFit(small, target)
    for (const bin of packed) {
      if (bin.length < 2) {
        skipped += bin.length
        continue
      }
      bins.push({ partition, files: bin })
      partitions.add(partition)
    }
  }
  return { bins, totalConsideredFiles: files.length, totalFilesSkipped: skipped, partitionsOptimized: partitions.size }
}

/** Z-order's bins: every file of a partition in one bin, as delta-rs does. */
export function planZOrder(snapshot: Snapshot, files: readonly AddAction[]): OptimizePlan {
  const bins = [...byPartition(snapshot, files)].map(([partition, group]) => ({ partition, files: group }))
  return { bins, totalConsideredFiles: files.length, totalFilesSkipped: 0, partitionsOptimized: bins.length }
}

function packFirstFit(files: readonly AddAction[], target: number): AddAction[][] {
  const bins: { size: number; files: AddAction[] }[] = []
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    const bin = bins.find((b) => b.size + f.size <= target)
    if (bin) {
      bin.size += f.size
      bin.files.push(f)
    } else bins.push({ size: f.size, files: [f] })
  }
  return bins.map((b) => b.files)
}

function packInOrder(files: readonly AddAction[], target: number): AddAction[][] {
  const bins: AddAction[][] = []
  let current: AddAction[] = []
  let size = 0
  for (const f of files) {
    if (current.length > 0 && size + f.size > target) {
      bins.push(current)
      current = []
      size = 0
    }
    current.push(f)
    size += f.size
  }
  if (current.length > 0) bins.push(current)
  return bins
}

/**
 * Files in the order they were written: by modification time, then by name (the files of one
 * write are numbered in the order they were written).
 */
function writeOrder(files: readonly AddAction[]): AddAction[] {
  return [...files].sort((a, b) => a.modificationTime - b.modificationTime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
