import type { AddAction } from '../model/actions.js'
import type { AddColumns } from './add-columns.js'

/**
 * A run of live files: chosen rows of a checkpoint chunk's `add` column (`rows` ascending), or
 * add actions already parsed (from commits, or a JSON checkpoint).
 */
export type FileRun = { readonly cols: AddColumns; readonly rows: Int32Array } | { readonly adds: readonly AddAction[] }

/**
 * The active files of a snapshot, in log order (checkpoint first, then commits oldest to
 * newest), held as the checkpoint's decoded Arrow columns plus the few adds of later commits:
 * a table of a million files holds a million rows of columns, not a million objects. An
 * {@link AddAction} is made only when one is asked for (`at`, iteration, `filter`...), and
 * columnar readers (file skipping, `filesTable`, checkpoint writing) walk {@link runs}.
 */
export class ActiveFiles implements Iterable<AddAction> {
  /** How many files. */
  readonly length: number
  readonly #runs: readonly FileRun[]
  readonly #starts: number[]

  private constructor(runs: readonly FileRun[]) {
    this.#runs = runs
    this.#starts = []
    let n = 0
    for (const r of runs) {
      this.#starts.push(n)
      n += runLength(r)
    }
    this.length = n
  }

  /** Files given as add actions. */
  static of(adds: readonly AddAction[]): ActiveFiles {
    return new ActiveFiles(adds.length > 0 ? [{ adds }] : [])
  }

  /** Files given as runs, in order (empty runs are dropped). */
  static fromRuns(runs: readonly FileRun[]): ActiveFiles {
    return new ActiveFiles(runs.filter((r) => runLength(r) > 0))
  }

  /** The runs, in order, for readers that walk the columns. */
  get runs(): readonly FileRun[] {
    return this.#runs
  }

  /** The file at index `i` (0 <= i < length), as an action made now. */
  at(i: number): AddAction {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`file index ${i} is out of range (0 to ${this.length - 1})`)
    let lo = 0
    let hi = this.#starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.#starts[mid]! <= i) lo = mid
      else hi = mid - 1
    }
    return actionOf(this.#runs[lo]!, i - this.#starts[lo]!)
  }

  *[Symbol.iterator](): Iterator<AddAction> {
    for (const r of this.#runs) {
      const n = runLength(r)
      for (let j = 0; j < n; j++) yield actionOf(r, j)
    }
  }

  /** Every file as an action. */
  toArray(): AddAction[] {
    return this.map((a) => a)
  }

  /** The files `keep` accepts, as actions. */
  filter(keep: (add: AddAction) => boolean): AddAction[] {
    const out: AddAction[] = []
    for (const a of this) if (keep(a)) out.push(a)
    return out
  }

  /** `fn` of every file, in order. */
  map<T>(fn: (add: AddAction, index: number) => T): T[] {
    const out = new Array<T>(this.length)
    let k = 0
    for (const a of this) {
      out[k] = fn(a, k)
      k++
    }
    return out
  }

  /** The first file `test` accepts, or undefined. */
  find(test: (add: AddAction) => boolean): AddAction | undefined {
    for (const a of this) if (test(a)) return a
    return undefined
  }

  /** Whether every file satisfies `test` (stops at the first that does not). */
  every(test: (add: AddAction) => boolean): boolean {
    for (const a of this) if (!test(a)) return false
    return true
  }

  /** Whether some file satisfies `test` (stops at the first). */
  some(test: (add: AddAction) => boolean): boolean {
    for (const a of this) if (test(a)) return true
    return false
  }
}

/** The number of files of a run. */
export function runLength(r: FileRun): number {
  return 'adds' in r ? r.adds.length : r.rows.length
}

/** File `j` of a run, as an action. */
export function actionOf(r: FileRun, j: number): AddAction {
  return 'adds' in r ? r.adds[j]! : r.cols.add(r.rows[j]!)
}
