import { DeltaError } from '../delta/engine/errors.js'
import {
  checkByteRange,
  checkStoragePath,
  shortReadError,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'
import { sanitizeError } from './redact.js'

/**
 * The one gate every request of an engine's storage passes, put around each storage the API is
 * given or makes (a user's own Storage included), so the contract holds whatever is inside:
 *
 * - paths that could leave the table (`..`, `%2e%2e`, empty parts, a leading `/`...) are
 *   refused with `InvalidArgument` before the storage sees them (`checkStoragePath`);
 * - a ranged read returns exactly the bytes asked, or fails with `InvalidData`;
 * - a bound `AbortSignal` (the operation's) reaches every request, and the request rejects with
 *   `Cancelled` as soon as it is aborted, even when the storage underneath ignores signals;
 * - anything else a storage throws becomes a DeltaError, with no URL query in its text.
 */
export class GuardedStorage implements Storage {
  readonly #inner: Storage
  readonly #signal: AbortSignal | undefined

  private constructor(inner: Storage, signal: AbortSignal | undefined) {
    this.#inner = inner
    this.#signal = signal
  }

  /** `storage` behind the guard (not wrapped twice), with `signal` bound to every request. */
  static wrap(storage: Storage, signal?: AbortSignal): GuardedStorage {
    const inner = storage instanceof GuardedStorage ? storage.#inner : storage
    return new GuardedStorage(inner, signal ?? (storage instanceof GuardedStorage ? storage.#signal : undefined))
  }

  /** The same storage with another operation's signal bound (or none). */
  withSignal(signal: AbortSignal | undefined): GuardedStorage {
    return new GuardedStorage(this.#inner, signal)
  }

  /** The inner storage's capabilities, unchanged (but `listTree` only where it has the method). */
  get capabilities(): StorageCapabilities {
    const inner = this.#inner.capabilities
    return inner.listTree && typeof this.#inner.listTree !== 'function' ? { ...inner, listTree: false } : inner
  }

  /** Guarded `list`; `''` lists the root. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    const trimmed = dir.replace(/\/+$/, '')
    if (trimmed !== '') checkStoragePath(trimmed)
    return this.#run('list', dir, opts.signal, (signal) => {
      const { signal: _, ...rest } = opts
      return this.#inner.list(dir, signal ? { ...rest, signal } : rest)
    })
  }

  /** Guarded `listTree`, when the inner storage walks folders (see `capabilities.listTree`). */
  async listTree(dir: string, opts: StorageRequestOptions = {}): Promise<FileMeta[]> {
    const trimmed = dir.replace(/\/+$/, '')
    if (trimmed !== '') checkStoragePath(trimmed)
    const inner = this.#inner
    if (!inner.listTree || !inner.capabilities.listTree) throw new DeltaError('UnsupportedFeature', 'this storage cannot list folders at every depth')
    return this.#run('list', dir, opts.signal, (signal) => inner.listTree!(dir, signal ? { signal } : {}))
  }

  /** Guarded `read`: exactly `range.length` bytes, or `InvalidData`. */
  async read(path: string, range?: ByteRange, opts: StorageRequestOptions = {}): Promise<Uint8Array> {
    checkStoragePath(path)
    if (range !== undefined) checkByteRange(path, range)
    const bytes = await this.#run('read', path, opts.signal, (signal) => this.#inner.read(path, range, signal ? { signal } : {}))
    if (!(bytes instanceof Uint8Array)) throw new DeltaError('Internal', `The storage gave no bytes for '${path}': its read must return a Uint8Array.`)
    if (range === undefined) return bytes
    if (bytes.length < range.length) throw shortReadError(path, range, { bytes: bytes.length })
    return bytes.length === range.length ? bytes : bytes.subarray(0, range.length)
  }

  /** Guarded `head`. */
  async head(path: string, opts: StorageRequestOptions = {}): Promise<FileMeta | undefined> {
    checkStoragePath(path)
    return this.#run('head', path, opts.signal, (signal) => this.#inner.head(path, signal ? { signal } : {}))
  }

  /** Guarded `put`. */
  async put(path: string, data: Uint8Array, opts: { ifAbsent?: boolean } & StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    return this.#run('put', path, opts.signal, (signal) => {
      const { signal: _, ...rest } = opts
      return this.#inner.put(path, data, signal ? { ...rest, signal } : rest)
    })
  }

  /** Guarded `delete`. */
  async delete(path: string, opts: StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    return this.#run('delete', path, opts.signal, (signal) => this.#inner.delete(path, signal ? { signal } : {}))
  }

  async #run<T>(op: string, path: string, callSignal: AbortSignal | undefined, call: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const signal = combineSignals(this.#signal, callSignal)
    const cancelled = (): DeltaError => new DeltaError('Cancelled', `The ${op} of '${path}' was cancelled.`)
    if (signal?.aborted) throw cancelled()
    let stop: (() => void) | undefined
    try {
      const work = call(signal)
      if (!signal) return await work
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = (): void => reject(cancelled())
        signal.addEventListener('abort', onAbort, { once: true })
        stop = () => signal.removeEventListener('abort', onAbort)
      })
      return await Promise.race([work, aborted])
    } catch (e) {
      if (signal?.aborted) throw cancelled()
      throw e instanceof DeltaError ? e : sanitizeError(e, [], `The storage failed the ${op} of '${path}': ${describe(e)}. Check the storage and retry.`)
    } finally {
      stop?.()
    }
  }
}

/** One signal that aborts when either does; undefined when neither is given. */
export function combineSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a || a === b) return b
  if (!b) return a
  if (a.aborted) return a
  if (b.aborted) return b
  // AbortSignal.any lets the combined signal be collected with the request; the fallback
  // listeners live as long as the two signals.
  const withAny = AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }
  if (typeof withAny.any === 'function') return withAny.any([a, b])
  const both = new AbortController()
  const abort = (): void => both.abort()
  a.addEventListener('abort', abort, { once: true })
  b.addEventListener('abort', abort, { once: true })
  return both.signal
}

function describe(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 300)
}
