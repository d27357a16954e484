import type { ColumnChunk, FileMetaData } from 'hyparquet'
import { DeltaError } from '../delta/engine/errors.js'
import { invalidParquet } from './invalid.js'

/** Where the footer sits in a file of `size` bytes: its metadata starts at `footerStart`. */
export interface FileLayout {
  size: number
  footerStart: number
}

/** A leaf column as the checked schema gives it. */
export interface CheckedLeaf {
  path: string[]
  type: string
  /** A REPEATED field lies on its path: the chunk may hold more values than rows. */
  repeated: boolean
}

/** Nesting deeper than any real writer produces is refused before anything recurses into it. */
const MAX_SCHEMA_DEPTH = 64

const PHYSICAL_TYPES = new Set(['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'])
const CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'])
const REPETITIONS = new Set(['REQUIRED', 'OPTIONAL', 'REPEATED'])

/**
 * Check a parsed footer against itself and the file before any decoder trusts it: the schema is
 * a well-formed tree, row counts add up, and every column chunk matches its schema leaf and lies
 * inside the file's data area, as do the page indexes. Hyparquet parses leniently (a corrupt
 * enum reads as undefined, an i64 may arrive as another type), so every field is checked for its
 * kind too. Throws `InvalidData` naming the file; returns the leaves in file order.
 */
export function checkMetadata(metadata: FileMetaData, layout: FileLayout, name: string | undefined): CheckedLeaf[] {
  const bad = (why: string) => invalidParquet(name, why)
  const leaves = checkSchema(metadata, bad)
  if (!Array.isArray(metadata.row_groups)) throw bad('its footer has no row group list')
  let total = 0
  metadata.row_groups.forEach((group, g) => {
    const rows = safeInt(group?.num_rows)
    if (rows === undefined || rows < 0) throw bad(`row group ${g} has an invalid row count`)
    total += rows
    if (!Array.isArray(group.columns) || group.columns.length !== leaves.length) {
      throw bad(`row group ${g} has ${Array.isArray(group.columns) ? group.columns.length : 'no'} column chunks for ${leaves.length} schema columns`)
    }
    group.columns.forEach((chunk, c) => checkChunk(chunk, leaves[c]!, rows, layout, (why) => bad(`row group ${g}, column ${leaves[c]!.path.join('.')}: ${why}`), name))
  })
  if (!Number.isSafeInteger(total) || safeInt(metadata.num_rows) !== total) {
    throw bad(`its footer says ${String(metadata.num_rows)} rows but its row groups hold ${total}`)
  }
  return leaves
}

/** The schema as a tree, walked without recursion: leaves in order, each with a known type. */
function checkSchema(metadata: FileMetaData, bad: (why: string) => DeltaError): CheckedLeaf[] {
  const schema: unknown = metadata.schema
  if (!Array.isArray(schema) || schema.length === 0) throw bad('its footer has no schema')
  const rootChildren = (schema[0] as { num_children?: unknown } | undefined)?.num_children ?? 0
  if (!isCount(rootChildren)) throw bad('its schema root has an invalid child count')
  const leaves: CheckedLeaf[] = []
  const stack: { left: number; path: string[]; repeated: boolean }[] = [{ left: rootChildren, path: [], repeated: false }]
  let i = 1
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.left === 0) {
      stack.pop()
      continue
    }
    top.left--
    const el = schema[i++] as Record<string, unknown> | undefined
    if (el === undefined) throw bad(`its schema tree needs more than the ${schema.length} elements it holds`)
    if (typeof el.name !== 'string') throw bad(`schema element ${i - 1} has no name`)
    if (typeof el.repetition_type !== 'string' || !REPETITIONS.has(el.repetition_type)) throw bad(`schema element '${el.name}' has no valid repetition`)
    const children = el.num_children ?? 0
    if (!isCount(children)) throw bad(`schema element '${el.name}' has an invalid child count`)
    const path = [...top.path, el.name]
    const repeated = top.repeated || el.repetition_type === 'REPEATED'
    if (children > 0) {
      if (stack.length >= MAX_SCHEMA_DEPTH) throw bad(`its schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`)
      stack.push({ left: children, path, repeated })
      continue
    }
    if (typeof el.type !== 'string' || !PHYSICAL_TYPES.has(el.type)) throw bad(`column '${path.join('.')}' has no valid physical type`)
    if (el.type === 'FIXED_LEN_BYTE_ARRAY' && !(isCount(el.type_length) && el.type_length > 0)) {
      throw bad(`column '${path.join('.')}' has an invalid fixed length`)
    }
    leaves.push({ path, type: el.type, repeated })
  }
  if (i !== schema.length) throw bad(`its schema holds ${schema.length - i} elements outside the schema tree`)
  return leaves
}

function checkChunk(
  chunk: ColumnChunk,
  leaf: CheckedLeaf,
  rows: number,
  layout: FileLayout,
  bad: (why: string) => DeltaError,
  name: string | undefined,
): void {
  if (chunk.crypto_metadata !== undefined || chunk.encrypted_column_metadata !== undefined) {
    throw new DeltaError('UnsupportedFeature', `Parquet file${name === undefined ? '' : ` '${name}'`} is encrypted, which this reader does not support`)
  }
  if (typeof chunk.file_path === 'string' && chunk.file_path !== '') throw bad(`its data lives in another file ('${chunk.file_path}'), which this reader does not support`)
  const meta = chunk.meta_data
  if (!meta) throw bad('the chunk has no metadata')
  const path: unknown = meta.path_in_schema
  if (!Array.isArray(path) || path.length !== leaf.path.length || path.some((p, i) => p !== leaf.path[i])) throw bad('the chunk names another column')
  if (meta.type !== leaf.type) throw bad(`the chunk's type ${String(meta.type)} is not the schema's ${leaf.type}`)
  if (typeof meta.codec !== 'string' || !CODECS.has(meta.codec)) throw bad('the chunk has an unknown compression codec')
  const values = safeInt(meta.num_values)
  if (values === undefined || values < 0) throw bad('the chunk has an invalid value count')
  // Without repetition every row holds exactly one value (a null counts) in every leaf.
  if (leaf.repeated ? values < rows : values !== rows) throw bad(`the chunk holds ${values} values for ${rows} rows`)
  const range = chunkByteRange(chunk)
  if (!range) throw bad('the chunk has invalid page offsets or sizes')
  if (range.start < 4 || range.end > layout.footerStart) throw bad(`the chunk's bytes ${range.start}..${range.end} lie outside the data area 4..${layout.footerStart}`)
  if (rows > 0 && range.end === range.start) throw bad('the chunk has no bytes')
  checkIndexRange(chunk.column_index_offset, chunk.column_index_length, 'column index', layout, bad)
  checkIndexRange(chunk.offset_index_offset, chunk.offset_index_length, 'offset index', layout, bad)
}

function checkIndexRange(offset: unknown, length: unknown, what: string, layout: FileLayout, bad: (why: string) => DeltaError): void {
  if (offset === undefined && length === undefined) return
  const start = safeInt(offset)
  if (start === undefined || !isCount(length) || length === 0) throw bad(`the chunk's ${what} has an invalid offset or length`)
  if (start < 4 || start + length > layout.footerStart) throw bad(`the chunk's ${what} lies outside the data area`)
}

/**
 * Where a checked column chunk's pages lie, as parquet-rs locates them: from the dictionary page
 * (when it has one) for `total_compressed_size` bytes. Some writers (old Spark) put the
 * dictionary page at `data_page_offset` and leave `dictionary_page_offset` unset, which the
 * same formula covers. Undefined when the numbers are not sane.
 */
export function chunkByteRange(chunk: ColumnChunk): { start: number; end: number } | undefined {
  const meta = chunk.meta_data
  if (!meta) return undefined
  const data = safeInt(meta.data_page_offset)
  const size = safeInt(meta.total_compressed_size)
  const dictRaw: unknown = meta.dictionary_page_offset
  const dict = dictRaw === undefined ? undefined : safeInt(dictRaw)
  if (data === undefined || size === undefined || size < 0 || (dictRaw !== undefined && dict === undefined)) return undefined
  // A zero dictionary offset is how some writers say "none".
  const start = dict !== undefined && dict > 0 ? dict : data
  if (start > data) return undefined
  return { start, end: start + size }
}

/** An integer field as a safe number; hyparquet gives i64 as bigint, i32 as number. */
export function safeInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v)
  return undefined
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}
