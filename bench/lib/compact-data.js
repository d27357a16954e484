// The compaction workload's layout: `rows` rows in `files` files of equal size, file k holding
// the contiguous ids k * perFile .. (k + 1) * perFile - 1 (the rows of dml-data.js).

/** Files the compaction should end with: its target size is the table's bytes over this. */
export const COMPACT_RESULT_FILES = 10

/**
 * @param {number} rows
 * @param {number} files
 */
export function compactLayout(rows, files) {
  const perFile = Math.ceil(rows / files)
  return { rows, files: Math.ceil(rows / perFile), perFile }
}

/** @param {number} k */
export function compactFileName(k) {
  return `part-${String(k).padStart(5, '0')}-small-c000.snappy.parquet`
}
