import type { ByteRange, FileMeta, Storage, StorageCapabilities, StorageRequestOptions } from '../delta/engine/storage.js'

/** The methods of a Storage, as counted by CountingStorage and FailingStorage. */
export type StorageOp = 'list' | 'read' | 'head' | 'put' | 'delete'

/** One recorded request of a CountingStorage. */
export interface StorageCall {
  readonly op: StorageOp
  /** The path, or the folder for `list`. */
  readonly path: string
  /** The byte range of a ranged `read`. */
  readonly range?: { offset: number; length: number }
  /** `performance.now()` when the call was made, in ms. */
  readonly startedAt: number
  /** `performance.now()` when it settled, in ms; undefined while it is in flight. */
  readonly endedAt: number | undefined
  /** Position of the start among all start and end events: exact order even on a coarse clock. */
  readonly startSeq: number
  /** Position of the end among all start and end events; undefined while in flight. */
  readonly endSeq: number | undefined
  /** Bytes returned by `read` or given to `put`; undefined for other operations or failures. */
  readonly bytes: number | undefined
  /** Whether the inner storage threw (a NotFound probe is a request too). */
  readonly failed: boolean
}

/** Options of a CountingStorage. */
export interface CountingOptions {
  /** Delay each call by this many ms before passing it on, to make request waves visible. */
  latencyMs?: number
}

type MutableCall = { -readonly [K in keyof StorageCall]: StorageCall[K] }

/**
 * Wraps a Storage and records every request, so tests can assert how many requests an operation
 * makes and how many round trips (waves) it waits for: opening a table is dominated by round
 * trips, and independent reads must be issued together.
 */
export class CountingStorage implements Storage {
  /** Calls made so far, per method. */
  readonly counts: Record<StorageOp, number> = emptyCounts()
  readonly #calls: MutableCall[] = []
  readonly #inner: Storage
  readonly #latencyMs: number
  #seq = 0

  constructor(inner: Storage, opts: CountingOptions = {}) {
    this.#inner = inner
    this.#latencyMs = opts.latencyMs ?? 0
  }

  /** The inner storage's capabilities, unchanged. */
  get capabilities(): StorageCapabilities {
    return this.#inner.capabilities
  }

  /** Every call since construction or the last `reset()`, in the order they were made. */
  get calls(): readonly StorageCall[] {
    return this.#calls
  }

  /** All calls so far, of every method. */
  get total(): number {
    return this.#calls.length
  }

  /** Forget every recorded call and zero the counts. */
  reset(): void {
    this.#calls.length = 0
    Object.assign(this.counts, emptyCounts())
  }

  /**
   * The number of sequential request waves (round trips) among the recorded calls. Calls are
   * taken in the order they started; the first opens wave 1. A later call joins the current wave
   * if it started before the earliest end among that wave's calls (so it cannot have waited on
   * any of them), and otherwise opens a new wave. Calls still in flight count as never ending.
   * Ordering uses event sequence numbers, not the clock, so the result is exact.
   */
  waves(): number {
    const sorted = [...this.#calls].sort((a, b) => a.startSeq - b.startSeq)
    let waves = 0
    let earliestEnd = Number.NEGATIVE_INFINITY
    for (const call of sorted) {
      const end = call.endSeq ?? Number.POSITIVE_INFINITY
      if (call.startSeq < earliestEnd) {
        earliestEnd = Math.min(earliestEnd, end)
      } else {
        waves += 1
        earliestEnd = end
      }
    }
    return waves
  }

  /** Counted `list`. */
  list(dir: string, opts?: { startAfter?: string } & StorageRequestOptions): Promise<FileMeta[]> {
    return this.#track('list', dir, undefined, () => this.#inner.list(dir, opts), () => undefined)
  }

  /** Counted `read`; records the range and the bytes returned. */
  read(path: string, range?: ByteRange, opts?: StorageRequestOptions): Promise<Uint8Array> {
    return this.#track('read', path, range, () => this.#inner.read(path, range, opts), (b) => b.length)
  }

  /** Counted `head`. */
  head(path: string, opts?: StorageRequestOptions): Promise<FileMeta | undefined> {
    return this.#track('head', path, undefined, () => this.#inner.head(path, opts), () => undefined)
  }

  /** Counted `put`; records the bytes written. */
  put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean } & StorageRequestOptions): Promise<void> {
    return this.#track('put', path, undefined, () => this.#inner.put(path, data, opts), () => data.length)
  }

  /** Counted `delete`. */
  delete(path: string, opts?: StorageRequestOptions): Promise<void> {
    return this.#track('delete', path, undefined, () => this.#inner.delete(path, opts), () => undefined)
  }

  async #track<T>(
    op: StorageOp,
    path: string,
    range: { offset: number; length: number } | undefined,
    run: () => Promise<T>,
    sizeOf: (result: T) => number | undefined,
  ): Promise<T> {
    this.counts[op] += 1
    const call: MutableCall = {
      op, path, startedAt: performance.now(), endedAt: undefined, startSeq: this.#seq++,
      endSeq: undefined, bytes: undefined, failed: false,
    }
    if (range !== undefined) call.range = { ...range }
    this.#calls.push(call)
    try {
      if (this.#latencyMs > 0) await sleep(this.#latencyMs)
      const result = await run()
      call.bytes = sizeOf(result)
      return result
    } catch (e) {
      call.failed = true
      throw e
    } finally {
      call.endedAt = performance.now()
      call.endSeq = this.#seq++
    }
  }
}

function emptyCounts(): Record<StorageOp, number> {
  return { list: 0, read: 0, head: 0, put: 0, delete: 0 }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
