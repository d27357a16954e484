import { DeltaError } from '../delta/engine/errors.js'
import { checkStoragePath, shortReadError, type ByteRange } from '../delta/engine/storage.js'

/**
 * The parts of a storage path, refusing what no adapter could store (see `checkStoragePath`)
 * and characters a File System Access entry name cannot hold (`\` is a separator on Windows).
 */
export function checkFsaPath(path: string): string[] {
  checkStoragePath(path)
  if (path.includes('\\')) {
    throw new DeltaError('InvalidArgument', `Invalid storage path '${path}': a folder or file name of the File System Access API cannot hold '\\'.`)
  }
  return path.split('/')
}

/** Refuse `range` of a file of `size` bytes when it reaches past the end (`InvalidData`). */
export function checkFsaRange(path: string, range: ByteRange, size: number): void {
  if (range.offset + range.length > size) throw shortReadError(path, range, { size })
}

/** `.<name>.<16 hex digits>.tmp`: hidden, unique, and never shaped like a Delta log file. */
export function tempFileName(name: string): string {
  const random = crypto.getRandomValues(new Uint8Array(8))
  return `.${name}.${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}.tmp`
}
