import { DeltaError } from '../delta/engine/errors.js'

/**
 * The parts of a storage path, refusing what no adapter could store (empty, `.` or `..` parts)
 * and characters a File System Access entry name cannot hold (`\` is a separator on Windows).
 */
export function checkFsaPath(path: string): string[] {
  const parts = path.split('/')
  if (path === '' || parts.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
    throw new DeltaError('InvalidArgument', `Invalid storage path '${path}': use a relative '/'-separated path with no empty, '.' or '..' parts.`)
  }
  return parts
}

/** The length to read for `range` of a file of `size` bytes, clamped at the end of the file. */
export function checkFsaRange(path: string, range: { offset: number; length: number }, size: number): number {
  const { offset, length } = range
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset > size) {
    throw new DeltaError('InvalidArgument', `Invalid range (offset ${offset}, length ${length}) for '${path}' of ${size} bytes: pass non-negative integers with the offset inside the file.`)
  }
  return Math.min(length, size - offset)
}

/** `.<name>.<16 hex digits>.tmp`: hidden, unique, and never shaped like a Delta log file. */
export function tempFileName(name: string): string {
  const random = crypto.getRandomValues(new Uint8Array(8))
  return `.${name}.${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}.tmp`
}
