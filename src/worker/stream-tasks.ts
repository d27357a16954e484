import { raceAbort, type DeltaPool } from './pool.js'

/** Options of `streamTasks`. */
export interface StreamTasksOptions {
  /** Rejects the step waiting on a task with `Cancelled` as soon as it aborts. */
  signal?: AbortSignal
  /** Runs when the stream ends before its last task (the consumer left, a task failed, abort). */
  onStop?: () => void
}

/**
 * Run `count` tasks on a pool and yield their results in task order, with at most `pool.size`
 * tasks running ahead of the result the consumer holds. Task k runs on worker
 * `(first + k) % size`: the task started when the consumer takes result k goes to the worker
 * that just finished k, so each worker has one task of the stream at a time and memory stays
 * about one result per worker. A stream that ends early calls `onStop` (to cancel the tasks in
 * flight) and drops their results.
 */
export async function* streamTasks<T>(
  pool: DeltaPool, count: number, first: number, run: (worker: number, task: number) => Promise<T>, opts: StreamTasksOptions = {},
): AsyncGenerator<T> {
  const { signal, onStop } = opts
  const size = pool.size
  const pending: Promise<T>[] = []
  let next = 0
  let finished = false
  const fill = (): void => {
    while (next < count && pending.length < size) {
      const task = next++
      const result = run((first + task) % size, task)
      result.catch(() => undefined) // a failure surfaces when its turn comes, not as unhandled
      pending.push(result)
    }
  }
  try {
    fill()
    while (pending.length > 0) {
      const head = pending.shift()!
      const result = await (signal ? raceAbort(head, signal, () => undefined) : head)
      fill()
      yield result
    }
    finished = true
  } finally {
    if (!finished) onStop?.()
  }
}
