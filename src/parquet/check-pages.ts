import type { ColumnChunk, FileMetaData } from 'hyparquet'
import { chunkByteRange, safeInt, type CheckedLeaf } from './footer-check.js'
import { invalidParquet } from './invalid.js'
import { checkChunkPages, checkColumnIndex, checkIndexParses, checkOffsetIndex, PageError, type PageSpan } from './page-check.js'
import type { RangeCache } from './range-cache.js'
import { isSelected, type ReadSelection } from './read-plan.js'

/**
 * Walk the pages of every column chunk a read decodes, and check every page index the decoder
 * will load, all from bytes already fetched. `metadata` has passed `checkMetadata`, whose
 * `leaves` are given. Throws `InvalidData` naming the file, the row group and the column.
 */
export async function checkPages(cache: RangeCache, metadata: FileMetaData, leaves: readonly CheckedLeaf[], selection: ReadSelection, name: string | undefined): Promise<void> {
  const groups = selection.rowGroups ? new Set(selection.rowGroups) : undefined
  for (const [g, group] of metadata.row_groups.entries()) {
    const rows = safeInt(group.num_rows)!
    for (const [c, chunk] of group.columns.entries()) {
      const leaf = leaves[c]!
      try {
        const chosen = (!groups || groups.has(g)) && isSelected(selection, leaf.path)
        const pages = chosen ? await walkChunk(cache, chunk, leaf, rows) : undefined
        await checkIndexes(cache, chunk, pages, rows)
      } catch (e) {
        if (e instanceof PageError) throw invalidParquet(name, `row group ${g}, column ${leaf.path.join('.')}: ${e.message}`)
        throw e
      }
    }
  }
}

async function walkChunk(cache: RangeCache, chunk: ColumnChunk, leaf: CheckedLeaf, rows: number): Promise<PageSpan[]> {
  const range = chunkByteRange(chunk)!
  const meta = chunk.meta_data!
  const bytes = await cache.read(range.start, range.end)
  return checkChunkPages(bytes, { ...range, codec: meta.codec, numValues: safeInt(meta.num_values)!, numRows: rows, repeated: leaf.repeated })
}

async function checkIndexes(cache: RangeCache, chunk: ColumnChunk, pages: PageSpan[] | undefined, rows: number): Promise<void> {
  const offsetIndex = await indexBytes(cache, chunk.offset_index_offset, chunk.offset_index_length)
  const columnIndex = await indexBytes(cache, chunk.column_index_offset, chunk.column_index_length)
  if (offsetIndex) {
    if (pages) checkOffsetIndex(offsetIndex, pages, rows)
    else checkIndexParses(offsetIndex, 'offset index')
  }
  if (columnIndex) {
    if (pages) checkColumnIndex(columnIndex, pages.filter((p) => p.kind === 'data').length)
    else checkIndexParses(columnIndex, 'column index')
  }
}

async function indexBytes(cache: RangeCache, offset: unknown, length: number | undefined): Promise<Uint8Array | undefined> {
  const start = safeInt(offset)
  if (start === undefined || !length) return undefined
  return cache.read(start, start + length)
}
