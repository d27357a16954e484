import { DeltaError } from '../delta/engine/errors.js'

/** The name of a DOMException (or any Error), or undefined for other thrown values. */
export function domErrorName(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined
  const name = (e as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

/** True when `e` says the file or folder is absent, or is the other kind of entry. */
export function isMissingEntry(e: unknown): boolean {
  const name = domErrorName(e)
  return name === 'NotFoundError' || name === 'TypeMismatchError'
}

/**
 * Map a File System Access failure on `path` to a DeltaError, so no DOMException leaks above
 * src/storage. `op` tells a folder in the way of a read (NotFound: there is no such file) from
 * one in the way of a write (InvalidArgument: the caller picked a bad path). DeltaErrors pass
 * through unchanged.
 */
export function fsaError(e: unknown, path: string, op: 'read' | 'write' = 'read'): DeltaError {
  if (e instanceof DeltaError) return e
  const options = { cause: e }
  const detail = e instanceof Error ? e.message : String(e)
  switch (domErrorName(e)) {
    case 'NotFoundError':
      return new DeltaError('NotFound', `No file at '${path}': check the path and that the table was written.`, options)
    case 'TypeMismatchError':
      if (op === 'write') return new DeltaError('InvalidArgument', `A folder and a file collide at '${path}': remove one or pick another path.`, options)
      return new DeltaError('NotFound', `No file at '${path}': a part of the path is not what it should be (file vs folder).`, options)
    case 'NotAllowedError':
    case 'SecurityError':
      return new DeltaError('AccessDenied', `Access denied to '${path}': grant the page read-write permission on the folder (pick it again) and retry.`, options)
    case 'NoModificationAllowedError':
      return new DeltaError('AccessDenied', `'${path}' cannot be modified now: another tab or worker holds it open for writing; retry later.`, options)
    case 'QuotaExceededError':
      return new DeltaError('Internal', `Out of storage quota writing '${path}': free space in the browser's storage for this site and retry.`, options)
    case 'AbortError':
      return new DeltaError('Cancelled', `The operation on '${path}' was aborted.`, options)
    case 'NotReadableError':
      return new DeltaError('Internal', `'${path}' changed while it was being read: read it again.`, options)
    default:
      return new DeltaError('Internal', `File system error on '${path}' (${detail}): check the folder and retry.`, options)
  }
}
