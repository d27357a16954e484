import { DeltaError } from '../delta/engine/errors.js'
import {
  checkStoragePath,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'

/**
 * A view of one folder of another Storage, so a table stored below a bucket's or a folder's
 * root opens with paths relative to the table. Paths given in are checked (no part may step out
 * of the folder) and prefixed; paths coming back from `list` and `head` have the prefix removed.
 * Options (a signal) pass through.
 */
export class PrefixedStorage implements Storage {
  /** The folder of the inner storage, with one trailing slash ('' for the root). */
  readonly prefix: string
  readonly #inner: Storage

  constructor(inner: Storage, prefix: string) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '')
    if (trimmed !== '') {
      try {
        checkStoragePath(trimmed)
      } catch (cause) {
        throw new DeltaError('InvalidArgument', `Invalid storage prefix '${prefix}': use a '/'-separated folder path with no empty, '.' or '..' parts.`, { cause })
      }
    }
    this.#inner = inner
    this.prefix = trimmed === '' ? '' : `${trimmed}/`
  }

  /** The inner storage's capabilities, unchanged. */
  get capabilities(): StorageCapabilities {
    return this.#inner.capabilities
  }

  /** `list` of the prefixed folder; `startAfter` is relative too. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    const trimmed = dir.replace(/\/+$/, '')
    if (trimmed !== '') checkStoragePath(trimmed)
    const inner = (this.prefix + trimmed).replace(/\/+$/, '')
    const { startAfter, ...rest } = opts
    const files = await this.#inner.list(inner, startAfter === undefined ? rest : { ...rest, startAfter: this.prefix + startAfter })
    return files.map((f) => this.#toOuter(f))
  }

  /** `read` of the prefixed path. */
  async read(path: string, range?: ByteRange, opts?: StorageRequestOptions): Promise<Uint8Array> {
    return this.#inner.read(this.#toInner(path), range, opts)
  }

  /** `head` of the prefixed path, with the path given back relative. */
  async head(path: string, opts?: StorageRequestOptions): Promise<FileMeta | undefined> {
    const meta = await this.#inner.head(this.#toInner(path), opts)
    return meta === undefined ? undefined : this.#toOuter(meta)
  }

  /** `put` of the prefixed path. */
  async put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean } & StorageRequestOptions): Promise<void> {
    return this.#inner.put(this.#toInner(path), data, opts)
  }

  /** `delete` of the prefixed path. */
  async delete(path: string, opts?: StorageRequestOptions): Promise<void> {
    return this.#inner.delete(this.#toInner(path), opts)
  }

  // A path checked on its own, before the prefix could hide a leading `..` from the inner check.
  #toInner(path: string): string {
    return this.prefix + checkStoragePath(path)
  }

  #toOuter(meta: FileMeta): FileMeta {
    if (!meta.path.startsWith(this.prefix)) {
      throw new DeltaError('Internal', `Storage returned '${meta.path}' outside its prefix '${this.prefix}': report this as a bug in the storage adapter.`)
    }
    return { ...meta, path: meta.path.slice(this.prefix.length) }
  }
}
