// Where a mutation of a Parquet file fell: page headers, page bodies (data no checksum covers),
// the footer, or elsewhere (page indexes, the leading magic). For the batches run in children.
import { parquetMetadata } from 'hyparquet'
import { chunkByteRange } from '../../dist/parquet/footer-check.js'
import { checkChunkPages } from '../../dist/parquet/page-check.js'

/**
 * The byte regions of a Parquet file. `repeated(path)` says whether a column sits in a list or
 * map, where values may outnumber rows.
 */
export function regionsOf(bytes, repeated) {
  const metadata = parquetMetadata(bytes)
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true) + 8
  const regions = [{ kind: 'footer', start: bytes.length - footerLength, end: bytes.length }]
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const range = chunkByteRange(chunk)
      const meta = chunk.meta_data
      const pages = checkChunkPages(bytes.subarray(range.start, range.end), {
        ...range, codec: meta.codec, numValues: Number(meta.num_values), numRows: Number(group.num_rows), repeated: repeated(meta.path_in_schema),
      })
      for (const p of pages) regions.push({ kind: 'header', start: p.start, end: p.bodyStart }, { kind: 'body', start: p.bodyStart, end: p.end })
    }
  }
  return regions
}

/** The kind of region `[pos, end)` touches: `body` only when it lies wholly in page data. */
export function regionAt(regions, pos, end = pos + 1) {
  const hit = regions.filter((r) => r.start < end && pos < r.end).map((r) => r.kind)
  if (hit.length === 0) return 'index' // page indexes and the leading magic
  return hit.every((k) => k === 'body') ? 'body' : hit.find((k) => k !== 'body')
}
