// The tables the hostile-input suite mutates: a dozen corpus tables chosen for the reader paths
// they cover (JSON commits, classic, multi-part and v2 checkpoints, sidecars, deletion vectors,
// column mapping, special characters), or, without the corpus, tables our own writer makes.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { DeltaTable } from '../../src/index-node.js'

/** A table read into memory, with what the mutations need to know of it. */
export interface SourceTable {
  name: string
  /** Folder on disk the table was read from. */
  root: string
  /** Every file, by path relative to the root, `/`-separated. */
  files: Map<string, Uint8Array>
  /** The checkpoint the latest snapshot starts from, if any. */
  checkpointVersion: number | undefined
  /** Paths (relative) of the data files of the latest snapshot. */
  liveDataFiles: Set<string>
  /** Whether the log holds compacted log files (a reader may read those instead of commits). */
  hasCompactedLogs: boolean
}

/** The corpus tables the suite mutates, by folder name under the corpus `tables/`. */
export const CORPUS_TABLES = [
  'basic_partitioned',
  'basic-with-checkpoint',
  'multi-part-checkpoint',
  'v2-parquet-sidecars-struct-stats-only',
  'v2-checkpoints-json-with-sidecars',
  'table-with-dv-small',
  'dv-partitioned-with-checkpoint',
  'table_with_partitioning_mapping',
  'app-txn-checkpoint',
  'data-reader-partition-values',
  'data-reader-nested-struct',
  'canonicalized-paths-special-a',
  'compacted-log-files-table',
] as const

/** Read a table folder into a SourceTable, asking the library for its live files. */
export async function loadSourceTable(name: string, root: string): Promise<SourceTable> {
  const files = new Map<string, Uint8Array>()
  for (const path of walk(root)) files.set(relative(root, path).split(sep).join('/'), new Uint8Array(readFileSync(path)))
  const table = await DeltaTable.open(root)
  const liveDataFiles = new Set((await table.files()).map((f) => decodeURIComponent(f.path)))
  return {
    name,
    root,
    files,
    checkpointVersion: table.checkpointVersion(),
    liveDataFiles,
    hasCompactedLogs: [...files.keys()].some((p) => p.endsWith('.compacted.json')),
  }
}

function walk(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) for (const inner of walk(path)) out.push(inner)
    else if (entry.isFile()) out.push(path)
  }
  return out
}
