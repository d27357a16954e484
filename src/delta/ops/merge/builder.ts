import { DeltaError } from '../../engine/errors.js'
import type { AllColumnsOptions, ClauseOptions, MergeClause, MergeResult, MergeSpec, MergeOptions } from './clauses.js'

/**
 * A merge being described, as delta-rs's `TableMerger`: add WHEN clauses in the order they are
 * to be tried, then `execute()`. The first clause of a kind whose condition holds takes a row,
 * as in Spark. `DeltaTable.merge` runs it in this thread; `WorkerDeltaTable.merge` in a worker.
 */
export class MergeBuilder {
  readonly #options: MergeOptions
  readonly #clauses: MergeClause[] = []
  readonly #run: (spec: MergeSpec) => Promise<MergeResult>
  #executed = false

  constructor(options: MergeOptions, run: (spec: MergeSpec) => Promise<MergeResult>) {
    this.#options = options
    this.#run = run
  }

  /** Set columns of matched target rows to SQL expressions over both sides (`{ amount: 's.amount' }`). */
  whenMatchedUpdate(updates: Record<string, string>, opts: ClauseOptions = {}): this {
    return this.#add({ kind: 'matchedUpdate', updates, ...clauseOptions(opts) })
  }

  /** Set every target column the source has (by name) to the source's value. */
  whenMatchedUpdateAll(opts: AllColumnsOptions = {}): this {
    return this.#add({ kind: 'matchedUpdateAll', ...allOptions(opts) })
  }

  /** Delete matched target rows. */
  whenMatchedDelete(opts: ClauseOptions = {}): this {
    return this.#add({ kind: 'matchedDelete', ...clauseOptions(opts) })
  }

  /** Insert a row for a source row no target row matched, with columns from SQL expressions over the source. */
  whenNotMatchedInsert(updates: Record<string, string>, opts: ClauseOptions = {}): this {
    return this.#add({ kind: 'notMatchedInsert', updates, ...clauseOptions(opts) })
  }

  /** Insert source rows no target row matched, every target column the source has taken by name. */
  whenNotMatchedInsertAll(opts: AllColumnsOptions = {}): this {
    return this.#add({ kind: 'notMatchedInsertAll', ...allOptions(opts) })
  }

  /** Set columns of target rows no source row matched, to SQL expressions over the target. */
  whenNotMatchedBySourceUpdate(updates: Record<string, string>, opts: ClauseOptions = {}): this {
    return this.#add({ kind: 'notMatchedBySourceUpdate', updates, ...clauseOptions(opts) })
  }

  /** Delete target rows no source row matched. */
  whenNotMatchedBySourceDelete(opts: ClauseOptions = {}): this {
    return this.#add({ kind: 'notMatchedBySourceDelete', ...clauseOptions(opts) })
  }

  /** Add clauses given as data (a `MergeSpec`'s, as a worker receives them), in order. */
  withClauses(clauses: readonly MergeClause[]): this {
    for (const c of clauses) this.#add(c)
    return this
  }

  /** Run the merge, commit it, and move the table to the version it committed. Runs once. */
  async execute(): Promise<MergeResult> {
    if (this.#executed) throw new DeltaError('InvalidArgument', 'this merge has already been executed; start a new one with merge()')
    this.#executed = true
    return this.#run({ options: this.#options, clauses: [...this.#clauses] })
  }

  #add(clause: MergeClause): this {
    this.#clauses.push(clause)
    return this
  }
}

function clauseOptions(opts: ClauseOptions): ClauseOptions {
  return opts.predicate === undefined ? {} : { predicate: opts.predicate }
}

function allOptions(opts: AllColumnsOptions): AllColumnsOptions {
  return { ...clauseOptions(opts), ...(opts.except === undefined ? {} : { except: opts.except }) }
}
