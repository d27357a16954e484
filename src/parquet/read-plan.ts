import { parquetSchema, type ColumnChunk, type FileMetaData, type SchemaTree } from 'hyparquet'
import { chunkByteRange } from './footer-check.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { ParquetReadOptions } from '../delta/engine/parquet-codec.js'
import type { ByteRange } from './byte-ranges.js'

/** What a read decodes, checked against the file's footer. */
export interface ReadSelection {
  /** Paths of the chosen columns present in the file, in file order; undefined for all. */
  paths: string[][] | undefined
  /** The same as parquet-wasm names them (path parts joined by dots). */
  columns: string[] | undefined
  /** Row group indexes, ascending and distinct; undefined for all. */
  rowGroups: number[] | undefined
  /** Rows the selection yields. */
  numRows: number
  /** Rows in the largest chosen row group. */
  maxGroupRows: number
}

/**
 * Check the caller's options against the footer. Columns absent from the file are dropped (a file
 * written before a column was added simply lacks it; the scan fills it in), row groups are put
 * in file order, and an index out of range is `InvalidArgument` (parquet-wasm would trap on it).
 */
export function resolveSelection(metadata: FileMetaData, opts: ParquetReadOptions = {}): ReadSelection {
  const groups = metadata.row_groups.length
  let rowGroups: number[] | undefined
  if (opts.rowGroups) {
    for (const g of opts.rowGroups) {
      if (!Number.isInteger(g) || g < 0 || g >= groups) {
        throw new DeltaError(
          'InvalidArgument',
          `row group ${g} does not exist: the file has ${groups} row group(s), indexed from 0`,
        )
      }
    }
    rowGroups = [...new Set(opts.rowGroups)].sort((a, b) => a - b)
  }
  let paths: string[][] | undefined
  if (opts.columns) {
    const leaves = leafColumns(metadata)
    const first = (path: string[]) => leaves.findIndex((leaf) => isUnder(leaf.path, path))
    const unique = new Map(opts.columns.map((c) => (typeof c === 'string' ? [c] : c)).map((p) => [JSON.stringify(p), p]))
    paths = [...unique.values()].filter((p) => first(p) >= 0).sort((a, b) => first(a) - first(b))
  }
  if (opts.nestedInt96 === 'omit') paths = omitNestedInt96(metadata, paths)
  const columns = paths?.map((p) => p.join('.'))
  const chosen = rowGroups ?? metadata.row_groups.map((_, i) => i)
  let numRows = 0
  let maxGroupRows = 0
  // A loop, not Math.max(...sizes): a footer may list more row groups than a call can spread.
  for (const g of chosen) {
    const rows = Number(metadata.row_groups[g]!.num_rows)
    numRows += rows
    maxGroupRows = Math.max(maxGroupRows, rows)
  }
  return { paths, columns, rowGroups, numRows, maxGroupRows }
}

/** Names of the file's top-level columns, in file order. */
export function topLevelNames(metadata: FileMetaData): string[] {
  return parquetSchema(metadata).children.map((c) => c.element.name)
}

/**
 * Narrow a selection to its leaves minus nested INT96 ones, when it holds any; otherwise leave
 * it as it is.
 */
function omitNestedInt96(metadata: FileMetaData, paths: string[][] | undefined): string[][] | undefined {
  const chosen = leafColumns(metadata).filter((l) => !paths || paths.some((p) => isUnder(l.path, p)))
  const isBad = (l: LeafColumn) => l.path.length > 1 && l.type === 'INT96'
  if (!chosen.some(isBad)) return paths
  return chosen.filter((l) => !isBad(l)).map((l) => l.path)
}

/** A leaf column of a Parquet file. */
export interface LeafColumn {
  path: string[]
  type?: string
  repeated: boolean
}

/** Every leaf column of the file with its physical type, in file order. */
export function leafColumns(metadata: FileMetaData): LeafColumn[] {
  const out: LeafColumn[] = []
  const walk = (node: SchemaTree, path: string[]): void => {
    if (node.children.length === 0) out.push({ path, type: node.element.type, repeated: node.element.repetition_type === 'REPEATED' })
    for (const child of node.children) walk(child, [...path, child.element.name])
  }
  walk(parquetSchema(metadata), [])
  return out
}

/** Whether a leaf path lies at or below a selected path. */
export function isUnder(leaf: readonly string[], selected: readonly string[]): boolean {
  return selected.length <= leaf.length && selected.every((name, i) => leaf[i] === name)
}

/** Whether a selection decodes the leaf at `leaf`. */
export function isSelected(selection: ReadSelection, leaf: readonly string[]): boolean {
  return !selection.paths || selection.paths.some((p) => isUnder(leaf, p))
}

/**
 * The byte ranges a decode of `selection` touches: the column chunks of the chosen columns in the
 * chosen row groups, plus every page index (parquet-wasm loads all of them when it opens a file).
 */
export function planRanges(metadata: FileMetaData, selection: ReadSelection): ByteRange[] {
  const groups = new Set(selection.rowGroups ?? metadata.row_groups.map((_, i) => i))
  const ranges: ByteRange[] = []
  metadata.row_groups.forEach((group, g) => {
    for (const chunk of group.columns) {
      for (const range of pageIndexRanges(chunk)) ranges.push(range)
      const path = chunk.meta_data?.path_in_schema
      if (!groups.has(g) || path === undefined || !isSelected(selection, path)) continue
      const range = chunkByteRange(chunk)
      if (range) ranges.push(range)
    }
  })
  return ranges
}

function pageIndexRanges(chunk: ColumnChunk): ByteRange[] {
  const out: ByteRange[] = []
  if (chunk.column_index_offset !== undefined && chunk.column_index_length) {
    const start = Number(chunk.column_index_offset)
    out.push({ start, end: start + chunk.column_index_length })
  }
  if (chunk.offset_index_offset !== undefined && chunk.offset_index_length) {
    const start = Number(chunk.offset_index_offset)
    out.push({ start, end: start + chunk.offset_index_length })
  }
  return out
}
