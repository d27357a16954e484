import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import type { ByteRange, FileMeta, Storage, StorageCapabilities, StorageRequestOptions } from '../delta/engine/storage.js'
import type { StorageOp } from './counting.js'

/** Options of a FailingStorage. */
export interface FailingOptions {
  /** Fail the n-th counted call (1-based); never fail when omitted, to learn the total first. */
  failAt?: number
  /** The operations that count (and can fail); all when omitted. */
  ops?: readonly StorageOp[]
  /**
   * When the failing call is a `put` or `delete`, perform it on the inner storage and throw only
   * afterwards: the write landed but its acknowledgement was lost.
   */
  failAfterWrite?: boolean
  /** Keep failing every counted call after the first failure, as if the process had died. */
  sticky?: boolean
}

const INJECTED = 'injected failure at call '

/**
 * Wraps a Storage and throws a DeltaError (code `Internal`, message `injected failure at call n`)
 * on the n-th counted call, to prove that a write interrupted at any step leaves the table
 * readable. Run the operation once without `failAt` to learn `calls`, then once for each n in
 * 1..calls on a fresh copy of the table.
 */
export class FailingStorage implements Storage {
  readonly #inner: Storage
  readonly #failAt: number | undefined
  readonly #ops: ReadonlySet<StorageOp> | undefined
  readonly #failAfterWrite: boolean
  readonly #sticky: boolean
  #calls = 0
  #failures = 0

  constructor(inner: Storage, opts: FailingOptions = {}) {
    if (opts.failAt !== undefined && !(Number.isSafeInteger(opts.failAt) && opts.failAt >= 1)) {
      throw new DeltaError('InvalidArgument', `failAt must be an integer from 1, got ${opts.failAt}: calls are counted from 1.`)
    }
    this.#inner = inner
    this.#failAt = opts.failAt
    this.#ops = opts.ops === undefined ? undefined : new Set(opts.ops)
    this.#failAfterWrite = opts.failAfterWrite ?? false
    this.#sticky = opts.sticky ?? false
  }

  /** The inner storage's capabilities, unchanged. */
  get capabilities(): StorageCapabilities {
    return this.#inner.capabilities
  }

  /** Counted calls so far, the failed ones included. */
  get calls(): number {
    return this.#calls
  }

  /** Failures injected so far. */
  get failures(): number {
    return this.#failures
  }

  /** `list`, counted when `ops` includes it. */
  list(dir: string, opts?: { startAfter?: string } & StorageRequestOptions): Promise<FileMeta[]> {
    return this.#run('list', () => this.#inner.list(dir, opts))
  }

  /** `read`, counted when `ops` includes it. */
  read(path: string, range?: ByteRange, opts?: StorageRequestOptions): Promise<Uint8Array> {
    return this.#run('read', () => this.#inner.read(path, range, opts))
  }

  /** `head`, counted when `ops` includes it. */
  head(path: string, opts?: StorageRequestOptions): Promise<FileMeta | undefined> {
    return this.#run('head', () => this.#inner.head(path, opts))
  }

  /** `put`, counted when `ops` includes it. */
  put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean } & StorageRequestOptions): Promise<void> {
    return this.#run('put', () => this.#inner.put(path, data, opts))
  }

  /** `delete`, counted when `ops` includes it. */
  delete(path: string, opts?: StorageRequestOptions): Promise<void> {
    return this.#run('delete', () => this.#inner.delete(path, opts))
  }

  async #run<T>(op: StorageOp, call: () => Promise<T>): Promise<T> {
    if (this.#ops !== undefined && !this.#ops.has(op)) return call()
    const n = ++this.#calls
    const fail = n === this.#failAt || (this.#sticky && this.#failures > 0)
    if (!fail) return call()
    this.#failures += 1
    if (this.#failAfterWrite && (op === 'put' || op === 'delete')) await call()
    throw new DeltaError('Internal', `${INJECTED}${n}`)
  }
}

/** True when `e` was thrown by a FailingStorage rather than by the code under test. */
export function isInjectedFailure(e: unknown): boolean {
  return isDeltaError(e, 'Internal') && e.message.startsWith(INJECTED)
}
