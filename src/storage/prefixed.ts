import { DeltaError } from '../delta/engine/errors.js'
import type { FileMeta, Storage, StorageCapabilities } from '../delta/engine/storage.js'

/**
 * A view of one folder of another Storage, so a table stored below a bucket's or a folder's
 * root opens with paths relative to the table. Paths given in are prefixed; paths coming back
 * from `list` and `head` have the prefix removed.
 */
export class PrefixedStorage implements Storage {
  /** The folder of the inner storage, with one trailing slash ('' for the root). */
  readonly prefix: string
  readonly #inner: Storage

  constructor(inner: Storage, prefix: string) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '')
    if (trimmed.split('/').some((s) => s === '.' || s === '..') || trimmed.includes('//')) {
      throw new DeltaError('InvalidArgument', `Invalid storage prefix '${prefix}': use a '/'-separated folder path with no empty, '.' or '..' parts.`)
    }
    this.#inner = inner
    this.prefix = trimmed === '' ? '' : `${trimmed}/`
  }

  /** The inner storage's capabilities, unchanged. */
  get capabilities(): StorageCapabilities {
    return this.#inner.capabilities
  }

  /** `list` of the prefixed folder; `startAfter` is relative too. */
  async list(dir: string, opts: { startAfter?: string } = {}): Promise<FileMeta[]> {
    const inner = this.#toInner(dir.replace(/\/+$/, '')).replace(/\/+$/, '')
    const startAfter = opts.startAfter === undefined ? undefined : this.#toInner(opts.startAfter)
    const files = await this.#inner.list(inner, startAfter === undefined ? {} : { startAfter })
    return files.map((f) => this.#toOuter(f))
  }

  /** `read` of the prefixed path. */
  read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    return this.#inner.read(this.#toInner(path), range)
  }

  /** `head` of the prefixed path, with the path given back relative. */
  async head(path: string): Promise<FileMeta | undefined> {
    const meta = await this.#inner.head(this.#toInner(path))
    return meta === undefined ? undefined : this.#toOuter(meta)
  }

  /** `put` of the prefixed path. */
  put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void> {
    return this.#inner.put(this.#toInner(path), data, opts)
  }

  /** `delete` of the prefixed path. */
  delete(path: string): Promise<void> {
    return this.#inner.delete(this.#toInner(path))
  }

  #toInner(path: string): string {
    return this.prefix + path
  }

  #toOuter(meta: FileMeta): FileMeta {
    if (!meta.path.startsWith(this.prefix)) {
      throw new DeltaError('Internal', `Storage returned '${meta.path}' outside its prefix '${this.prefix}': report this as a bug in the storage adapter.`)
    }
    return { ...meta, path: meta.path.slice(this.prefix.length) }
  }
}
