import { parquetMetadata, type FileMetaData } from 'hyparquet'
import { DeltaError } from '../delta/engine/errors.js'
import type { RangeCache } from './range-cache.js'

/** "PAR1", little-endian: the magic number at both ends of a Parquet file. */
const MAGIC = 0x31524150

/**
 * Read and parse the footer of a Parquet file through the cache, which keeps the bytes
 * (parquet-wasm reads the footer again when it opens the file). One read of the last
 * `guessBytes` usually holds the whole footer; a larger footer costs a second read.
 */
export async function readFooter(cache: RangeCache, guessBytes: number): Promise<FileMetaData> {
  const size = cache.size
  if (size < 12) throw invalidFile(`it is only ${size} bytes long`)
  const tailStart = Math.max(0, size - Math.max(guessBytes, 8))
  await cache.fetch([{ start: tailStart, end: size }])
  const tail = await cache.read(tailStart, size)
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength)
  if (view.getUint32(tail.length - 4, true) !== MAGIC) throw invalidFile('it does not end with PAR1')
  const footerLength = view.getUint32(tail.length - 8, true) + 8
  if (footerLength > size - 4) throw invalidFile(`its footer length ${footerLength} exceeds the file`)
  let footer = tail.subarray(Math.max(0, tail.length - footerLength))
  if (footerLength > tail.length) {
    await cache.fetch([{ start: size - footerLength, end: tailStart }])
    footer = await cache.read(size - footerLength, size)
  }
  try {
    return parquetMetadata(footer, { geoparquet: false })
  } catch (e) {
    throw invalidFile(`its footer does not parse (${errorText(e)})`, e)
  }
}

function invalidFile(why: string, cause?: unknown): DeltaError {
  return new DeltaError(
    'InvalidData',
    `not a readable Parquet file: ${why}. Check that the path points to an intact Parquet data file.`,
    { cause },
  )
}

/** The message of any thrown value (wasm and hyparquet throw plain Errors or strings). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
