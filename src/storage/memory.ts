import { DeltaError } from '../delta/engine/errors.js'
import {
  checkByteRange,
  checkStoragePath,
  shortReadError,
  throwIfCancelled,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'

interface MemoryEntry {
  bytes: Uint8Array
  lastModified: number
}

/** Options of a MemoryStorage. */
export interface MemoryStorageOptions {
  /** Clock for `lastModified`, in ms since the epoch; `Date.now` when omitted. */
  now?: () => number
}

/**
 * A Storage held in a Map, for tests and for tables built in the page before they are saved.
 * It keeps its own copies of the bytes, so callers may reuse their buffers. `lastModified`
 * strictly increases from one write to the next (the clock is bumped by 1 ms when it has not
 * moved), so commit times, and anything ordered by them, are deterministic in tests.
 */
export class MemoryStorage implements Storage {
  /** Every operation works; `ifAbsent` is atomic because check and set happen in one tick. */
  readonly capabilities: StorageCapabilities = { atomicCreate: true, list: true, write: true, listTree: true }
  readonly #files = new Map<string, MemoryEntry>()
  readonly #now: () => number
  #lastTime = Number.NEGATIVE_INFINITY

  constructor(opts: MemoryStorageOptions = {}) {
    this.#now = opts.now ?? Date.now
  }

  /** Every stored path, sorted; for tests that check what a write left behind. */
  paths(): string[] {
    return [...this.#files.keys()].sort(comparePaths)
  }

  /** Files directly under `dir` (never those of subfolders), sorted, after `startAfter`. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    throwIfCancelled(opts.signal, `The listing of '${dir}'`)
    const prefix = folderPrefix(dir)
    const { startAfter } = opts
    const found: FileMeta[] = []
    for (const [path, entry] of this.#files) {
      if (!path.startsWith(prefix) || path.includes('/', prefix.length)) continue
      if (startAfter !== undefined && path <= startAfter) continue
      found.push(toMeta(path, entry))
    }
    return found.sort((a, b) => comparePaths(a.path, b.path))
  }

  /** Every file under `dir` at any depth (see `Storage.listTree`). */
  async listTree(dir: string, opts: StorageRequestOptions = {}): Promise<FileMeta[]> {
    throwIfCancelled(opts.signal, `The listing of '${dir}'`)
    const prefix = folderPrefix(dir)
    const found: FileMeta[] = []
    for (const [path, entry] of this.#files) if (path.startsWith(prefix)) found.push(toMeta(path, entry))
    return found.sort((a, b) => comparePaths(a.path, b.path))
  }

  /** A copy of the file's bytes, or of exactly `range` of them (`InvalidData` past the end). */
  async read(path: string, range?: ByteRange, opts: StorageRequestOptions = {}): Promise<Uint8Array> {
    checkStoragePath(path)
    if (range !== undefined) checkByteRange(path, range)
    throwIfCancelled(opts.signal, `The read of '${path}'`)
    const entry = this.#files.get(path)
    if (entry === undefined) throw new DeltaError('NotFound', `No file at '${path}': check the path and that the table was written.`)
    if (range === undefined) return entry.bytes.slice()
    if (range.offset + range.length > entry.bytes.length) throw shortReadError(path, range, { size: entry.bytes.length })
    return entry.bytes.slice(range.offset, range.offset + range.length)
  }

  /** Size and write time of the file, or undefined when absent. */
  async head(path: string, opts: StorageRequestOptions = {}): Promise<FileMeta | undefined> {
    checkStoragePath(path)
    throwIfCancelled(opts.signal, `The head of '${path}'`)
    const entry = this.#files.get(path)
    return entry === undefined ? undefined : toMeta(path, entry)
  }

  /** Store a copy of `data`; with `ifAbsent`, only when no file has that path yet. */
  async put(path: string, data: Uint8Array, opts: { ifAbsent?: boolean } & StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    throwIfCancelled(opts.signal, `The put of '${path}'`)
    // Check and set with no await in between: JS runs this without interleaving.
    if (opts.ifAbsent === true && this.#files.has(path)) {
      throw new DeltaError('FileAlreadyExists', `'${path}' already exists: another writer created it first; re-read the table and retry.`)
    }
    this.#files.set(path, { bytes: data.slice(), lastModified: this.#nextTime() })
  }

  /** Remove the file; an absent file is not an error. */
  async delete(path: string, opts: StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    throwIfCancelled(opts.signal, `The delete of '${path}'`)
    this.#files.delete(path)
  }

  #nextTime(): number {
    const now = this.#now()
    this.#lastTime = now > this.#lastTime ? now : this.#lastTime + 1
    return this.#lastTime
  }
}

function toMeta(path: string, entry: MemoryEntry): FileMeta {
  return { path, size: entry.bytes.length, lastModified: entry.lastModified }
}

/** Code-unit order, the same for every adapter (and byte order for the ASCII of Delta paths). */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `dir` as a key prefix: '' for the root, else the folder with one trailing slash. */
function folderPrefix(dir: string): string {
  const trimmed = dir.replace(/\/+$/, '')
  if (trimmed === '') return ''
  checkStoragePath(trimmed)
  return `${trimmed}/`
}
