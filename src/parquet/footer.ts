import { parquetMetadata, type FileMetaData } from 'hyparquet'
import type { FileLayout } from './footer-check.js'
import { errorText, invalidParquet } from './invalid.js'
import type { RangeCache } from './range-cache.js'

export { errorText } from './invalid.js'

/** "PAR1", little-endian: the magic number at both ends of a Parquet file. */
const MAGIC = 0x31524150

/**
 * Read and parse the footer of a Parquet file through the cache, which keeps the bytes
 * (parquet-wasm reads the footer again when it opens the file). One read of the last
 * `guessBytes` usually holds the whole footer; a larger footer costs a second read. Checks the
 * magic numbers and the footer length; the parsed content is checked by `checkMetadata`.
 */
export async function readFooter(cache: RangeCache, guessBytes: number, name?: string): Promise<{ metadata: FileMetaData; layout: FileLayout }> {
  const size = cache.size
  if (size < 12) throw invalidParquet(name, size === 0 ? 'it is empty' : `it is only ${size} bytes long`)
  const tailStart = Math.max(0, size - Math.max(guessBytes, 8))
  await cache.fetch([{ start: tailStart, end: size }])
  const tail = await cache.read(tailStart, size)
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  if (view.getUint32(tail.length - 4, true) !== MAGIC) throw invalidParquet(name, 'it does not end with PAR1')
  const footerLength = view.getUint32(tail.length - 8, true) + 8
  if (footerLength > size - 4) throw invalidParquet(name, `its footer length ${footerLength} exceeds the file`)
  let footer = tail.subarray(Math.max(0, tail.length - footerLength))
  if (footerLength > tail.length) {
    await cache.fetch([{ start: size - footerLength, end: tailStart }])
    footer = await cache.read(size - footerLength, size)
  }
  // The leading magic is checked when the first bytes are at hand anyway (a small file read
  // whole); fetching them only for this would cost a request per ranged read.
  const head = cache.peek(0, 4)
  if (head && new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) !== MAGIC) throw invalidParquet(name, 'it does not start with PAR1')
  let metadata: FileMetaData
  try {
    metadata = parquetMetadata(footer, { geoparquet: false })
  } catch (e) {
    throw invalidParquet(name, `its footer does not parse (${errorText(e)})`, e)
  }
  return { metadata, layout: { size, footerStart: size - footerLength } }
}
