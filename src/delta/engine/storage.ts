import { DeltaError } from './errors.js'

/** A file as the storage sees it. `path` is relative to the storage root, `/`-separated. */
export interface FileMeta {
  path: string
  size: number
  /** Milliseconds since the epoch. */
  lastModified: number
}

/** What a backend can and cannot do; callers check it before relying on a behaviour. */
export interface StorageCapabilities {
  /** `put(..., { ifAbsent: true })` is atomic: of racing creates exactly one succeeds. */
  atomicCreate: boolean
  /** `list` works; without it, versions are probed from `_last_checkpoint` onwards. */
  list: boolean
  /** `put` and `delete` work. */
  write: boolean
  /** `listTree` works: every file under a folder, at any depth (convert and a full vacuum use it). */
  listTree?: boolean
}

/** A byte range of a file: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number
  length: number
}

/** What every storage request may take besides its own arguments. */
export interface StorageRequestOptions {
  /**
   * Cancels the request: it rejects promptly with `Cancelled` once the signal is aborted (a
   * backend that cannot stop the work underneath still stops waiting for it).
   */
  signal?: AbortSignal
}

/**
 * The storage contract the protocol core is handed. Paths are relative to the table's root,
 * `/`-separated, with no leading slash, and never leave the root: a path with an empty, `.` or
 * `..` part (also when percent-decoded, and with `\` taken as a separator) is refused with
 * `InvalidArgument` before any I/O (see {@link checkStoragePath}). Every failure is a
 * `DeltaError`: `NotFound` for a missing file, `FileAlreadyExists` for a lost create race,
 * `AccessDenied` for a refused request, `Cancelled` when the request's signal was aborted.
 *
 * Every method takes an optional last argument with an `AbortSignal` (for `list` and `put`, in
 * the options they already take).
 */
export interface Storage {
  /**
   * Files directly under `dir` (never recursive, no folders), sorted by full path, only those
   * whose path sorts after `startAfter` when given. A missing folder lists as empty. `dir` may be
   * `''` for the root.
   */
  list(dir: string, opts?: { startAfter?: string } & StorageRequestOptions): Promise<FileMeta[]>
  /**
   * Every file under `dir` at any depth, sorted by full path (`capabilities.listTree`). Storages
   * that cannot walk folders leave it out; callers then list the folders they know of.
   */
  listTree?(dir: string, opts?: StorageRequestOptions): Promise<FileMeta[]>
  /**
   * The bytes of a file, or of `range` of it: exactly `range.length` bytes, never fewer. A range
   * that reaches past the end of the file fails with `InvalidData` naming the file (the log or a
   * footer claimed more bytes than the file holds); a range that is not two non-negative safe
   * integers fails with `InvalidArgument`. `NotFound` when the file is absent.
   */
  read(path: string, range?: ByteRange, opts?: StorageRequestOptions): Promise<Uint8Array>
  /** Size and time of a file, or undefined when absent. */
  head(path: string, opts?: StorageRequestOptions): Promise<FileMeta | undefined>
  /**
   * Write a whole file. With `ifAbsent`, create it only if no file has that path: exactly one of
   * racing writers succeeds, the others get `FileAlreadyExists`. A backend whose
   * `capabilities.atomicCreate` is false only approximates this (check-then-write).
   */
  put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean } & StorageRequestOptions): Promise<void>
  /** Remove a file; removing an absent file is not an error. */
  delete(path: string, opts?: StorageRequestOptions): Promise<void>
  readonly capabilities: StorageCapabilities
}

// Percent-escapes of ASCII only: enough to see the `.`, `/` and `\` a server might decode.
const ASCII_ESCAPE = /%([0-7][0-9a-fA-F])/g

function decodeAsciiEscapes(text: string): string {
  return text.replace(ASCII_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

// A part a server could take for "this folder" or "the parent folder": `.` or `..` once every
// layer of percent-encoding is removed, with `/` and `\` as separators.
function isDotPart(segment: string): boolean {
  let text = segment
  // A server may decode more than once; four layers is more than any real name carries.
  for (let i = 0; i < 4; i++) {
    if (text.split(/[/\\]/).some((p) => p === '.' || p === '..')) return true
    const decoded = decodeAsciiEscapes(text)
    if (decoded === text) return false
    text = decoded
  }
  return true
}

/**
 * Why `path` cannot be a storage path, or undefined when it can. Refused: the empty path, a
 * leading `/`, empty parts (`a//b`), `.` and `..` parts, also once percent-decoded and with `\`
 * as a separator (`%2e%2e/x`, `..%2Fx`, `..\x`), and NUL. Names with spaces, `%20` or `%2F`
 * (partition values) pass: they cannot step out of a folder.
 */
export function storagePathProblem(path: string): string | undefined {
  if (typeof path !== 'string') return 'it is not a string'
  if (path === '') return 'it is empty'
  if (path.includes('\0')) return 'it holds a NUL character'
  const segments = path.split('/')
  if (segments[0] === '') return 'it starts with /'
  if (segments.some((s) => s === '')) return 'it has an empty part'
  if (segments.some(isDotPart)) return "it has a '.' or '..' part (maybe percent-encoded)"
  return undefined
}

/**
 * Refuse a path that could leave the storage root, with `InvalidArgument` naming it (see
 * {@link storagePathProblem}). Every storage of the library calls it on every request, and the
 * guard the API puts around every engine's storage (user-supplied ones included) does too: this
 * is the one rule that keeps requests inside the table. Returns the path.
 */
export function checkStoragePath(path: string): string {
  const problem = storagePathProblem(path)
  if (problem !== undefined) {
    throw new DeltaError('InvalidArgument', `Invalid storage path '${String(path)}': ${problem}. Use a relative '/'-separated path inside the table, with no empty, '.' or '..' parts.`)
  }
  return path
}

/**
 * Refuse a byte range that is not two non-negative safe integers whose end is a safe integer
 * too (say from `add.size = 1e300` in a log), with `InvalidArgument`, before any I/O.
 */
export function checkByteRange(path: string, range: ByteRange): void {
  const { offset, length } = range ?? ({} as Partial<ByteRange>)
  const ok = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset! >= 0 && length! >= 0 && Number.isSafeInteger(offset! + length!)
  if (!ok) {
    throw new DeltaError('InvalidArgument', `Invalid byte range (offset ${String(offset)}, length ${String(length)}) for '${path}': a range is two non-negative whole numbers; the log or a file footer may hold a wrong size.`)
  }
}

/**
 * The error of a read that got fewer bytes than its range asked: the file is shorter than what
 * named the range (the log's `size`, a footer, `_last_checkpoint`) claims. `size` is the file's
 * length when known.
 */
export function shortReadError(path: string, range: ByteRange, got: { size?: number; bytes?: number }): DeltaError {
  const end = range.offset + range.length
  const what = got.size !== undefined ? `it holds ${got.size} bytes` : `only ${got.bytes ?? 0} of the ${range.length} bytes asked came back`
  return new DeltaError('InvalidData', `'${path}' is shorter than the log or the file's footer claims: bytes ${range.offset} to ${end} were asked but ${what}. The file may be truncated or replaced, or the log names a wrong size.`)
}

/** Throw `Cancelled` when `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DeltaError('Cancelled', `${what} was cancelled.`)
}
