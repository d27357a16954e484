import { DeltaError } from '../delta/engine/errors.js'
import type { DeltaWorkerApi } from './protocol.js'
import { registerDeltaTransferHandlers } from './transfer.js'

/** One member of a pool: its API (a comlink remote or an in-process object) and how to stop it. */
export interface PoolWorker {
  api: DeltaWorkerApi
  terminate(): void | Promise<void>
  /**
   * Resolves when the worker dies (its thread exited, or it threw an uncaught error such as a
   * wasm trap, after which its realm is unusable). Its in-flight calls must have been rejected
   * by then (see `settleOnDeath`); the pool replaces it through `respawn` on next use.
   */
  died?: Promise<unknown>
}

/** Options of a pool. */
export interface DeltaPoolOptions {
  /** Start a replacement for worker `index` after it died; without it a dead worker stays dead. */
  respawn?: (index: number) => PoolWorker
}

/** The default pool size for a machine with `cores` logical cores: one per core, at most 8. */
export function defaultPoolSize(cores: number | undefined): number {
  // Each worker holds its own wasm instance and buffers: past 8 memory grows faster than speed.
  return Math.max(1, Math.min(8, Math.floor(cores ?? 1)))
}

/**
 * A fixed set of workers running the Delta API. Tables are opened round robin (the snapshot
 * stays in the worker that replayed the log); a scan's files are split into tasks that idle
 * workers take in turn, and results are kept in task order. Build one with `createBrowserPool`,
 * `createNodePool` or `createInProcessPool`; `terminate()` when done.
 */
export class DeltaPool {
  readonly #workers: PoolWorker[]
  readonly #dead = new Set<number>()
  readonly #respawn: ((index: number) => PoolWorker) | undefined
  #next = 0
  #terminated = false

  /**
   * A pool of `workers`. A worker that dies (see `PoolWorker.died`) fails only its in-flight
   * calls; with `respawn`, the next use of its index starts a fresh worker, in which tables
   * opened in the dead one are unknown (`WorkerDeltaTable` then says to open them again).
   */
  constructor(workers: PoolWorker[], opts: DeltaPoolOptions = {}) {
    if (workers.length === 0) throw new DeltaError('InvalidArgument', 'a pool needs at least one worker')
    registerDeltaTransferHandlers()
    this.#workers = workers
    this.#respawn = opts.respawn
    workers.forEach((w, i) => this.#watch(w, i))
  }

  #watch(w: PoolWorker, index: number): void {
    void w.died?.then(() => {
      if (this.#workers[index] !== w || this.#terminated) return
      this.#dead.add(index)
      void Promise.resolve().then(() => w.terminate()).catch(() => undefined)
    })
  }

  /** How many workers the pool has. */
  get size(): number {
    return this.#workers.length
  }

  /** The API of worker `index`. */
  worker(index: number): DeltaWorkerApi {
    if (this.#terminated) throw new DeltaError('InvalidArgument', 'the worker pool was terminated: create a new one')
    let w = this.#workers[index]
    if (!w) throw new DeltaError('InvalidArgument', `the pool has no worker ${index} (size ${this.size})`)
    if (this.#dead.has(index) && this.#respawn) {
      // Started lazily: a worker that dies on start does not spin a respawn loop.
      w = this.#respawn(index)
      this.#dead.delete(index)
      this.#workers[index] = w
      this.#watch(w, index)
    }
    return w.api
  }

  /** The index of the worker for the next table or write: round robin spreads them. */
  nextWorker(): number {
    const i = this.#next
    this.#next = (this.#next + 1) % this.size
    return i
  }

  /**
   * Run `count` tasks on the workers, each taking the next task when it is free, starting with
   * worker `first`. Results come back in task order. The first failure stops handing out tasks
   * and rejects; so does `signal`, after `onAbort` ran (to cancel what is in flight).
   */
  async runTasks<T>(count: number, first: number, run: (worker: number, task: number) => Promise<T>, signal?: AbortSignal, onAbort?: () => void): Promise<T[]> {
    const results = new Array<T>(count)
    let next = 0
    let stopped = false
    const loop = async (worker: number): Promise<void> => {
      while (!stopped && next < count) {
        const task = next++
        try {
          results[task] = await run(worker, task)
        } catch (e) {
          stopped = true
          throw e
        }
      }
    }
    const lanes = Array.from({ length: Math.min(this.size, count) }, (_, k) => loop((first + k) % this.size))
    const all = Promise.all(lanes).then(() => results)
    if (!signal) return all
    return raceAbort(all, signal, () => {
      stopped = true
      onAbort?.()
    })
  }

  /** Stop every worker; the pool cannot be used afterwards. */
  async terminate(): Promise<void> {
    if (this.#terminated) return
    this.#terminated = true
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }
}

/** `work`, or a `Cancelled` rejection as soon as `signal` aborts (after `onAbort`). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort()
    work.catch(() => undefined)
    return Promise.reject(cancelledError())
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort()
      reject(cancelledError())
    }
    signal.addEventListener('abort', abort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

/** The error a cancelled read rejects with. */
export function cancelledError(): DeltaError {
  return new DeltaError('Cancelled', 'the read was cancelled')
}
