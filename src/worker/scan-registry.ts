import { DeltaError } from '../delta/engine/errors.js'

/** How many cancelled scan ids a worker remembers for tasks that arrive after the cancel. */
const REMEMBERED_CANCELS = 1024

/**
 * The scans (and other long operations, such as a vacuum) running in one worker, by id, so a
 * `cancel` from the page reaches the tasks of that scan: each task runs with an AbortSignal the scan checks between files. A cancel that
 * comes before a task (messages may cross) is remembered, and the task fails at once.
 */
export class ScanRegistry {
  readonly #running = new Map<string, { controller: AbortController; tasks: number }>()
  readonly #cancelled = new Set<string>()

  /** Run `task` under the scan's signal; without an id it cannot be cancelled. */
  async run<T>(scanId: string | undefined, task: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    if (scanId === undefined) return task(undefined)
    if (this.#cancelled.has(scanId)) throw cancelled()
    let entry = this.#running.get(scanId)
    if (!entry) {
      entry = { controller: new AbortController(), tasks: 0 }
      this.#running.set(scanId, entry)
    }
    entry.tasks++
    try {
      return await task(entry.controller.signal)
    } finally {
      if (--entry.tasks === 0) this.#running.delete(scanId)
    }
  }

  /** Abort the scan's running tasks here and refuse its later ones. */
  cancel(scanId: string): void {
    this.#cancelled.add(scanId)
    if (this.#cancelled.size > REMEMBERED_CANCELS) this.#cancelled.delete(this.#cancelled.values().next().value!)
    this.#running.get(scanId)?.controller.abort()
  }
}

function cancelled(): DeltaError {
  return new DeltaError('Cancelled', 'the operation was cancelled')
}
