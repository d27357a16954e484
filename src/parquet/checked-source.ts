import type { ByteSource } from '../delta/engine/parquet-codec.js'
import { invalidParquet } from './invalid.js'

/**
 * The source with its promises checked: `size` a whole number of bytes, every read exactly the
 * length asked. Node's fs stops at the end of a file and an HTTP server may send a shorter body
 * than the range asked; a decoder given such bytes reads garbage or traps, so a short (or long)
 * read fails here with `InvalidData` naming the file, before anything decodes it.
 */
export function checkedSource(source: ByteSource): ByteSource {
  const { size, name, transferable } = source
  if (!Number.isSafeInteger(size) || size < 0) {
    throw invalidParquet(name, `its recorded size ${String(size)} is not a whole number of bytes`)
  }
  return {
    size,
    name,
    transferable,
    read: async (offset, length) => {
      const bytes: unknown = await source.read(offset, length)
      if (!(bytes instanceof Uint8Array)) throw invalidParquet(name, `a read of ${length} bytes at offset ${offset} returned no bytes`)
      if (bytes.length !== length) {
        throw invalidParquet(
          name,
          `a read of ${length} bytes at offset ${offset} returned ${bytes.length}: the file is shorter than its ` +
            `recorded size of ${size} bytes, or the storage answered the read wrongly`,
        )
      }
      return bytes
    },
  }
}
