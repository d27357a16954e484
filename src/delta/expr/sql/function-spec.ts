import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import type { Fail } from './coerce.js'
import type { SqlExpr, SqlFunctionName } from './types.js'

/**
 * The contract between the binder and the functions expressions may call, and the small helpers
 * every function's binding uses. Functions live in `functions*.ts`, grouped by what they work on.
 */

/** What binding a function may need beyond its arguments. */
export interface BindContext {
  /**
   * The instant `current_timestamp()` stands for, in microseconds since the epoch: read once per
   * parsed expression (or given by the caller), so every call in it, on every row, agrees.
   */
  nowMicros(): bigint
}

/** A function by name: checks and casts its arguments and gives the node that computes it. */
export interface FunctionBinder {
  readonly name: string
  /** Check the arguments, cast them to what the function takes; the node (or a replacement). */
  bind(args: SqlExpr[], fail: Fail, ctx: BindContext): SqlExpr
}

/** A function computed by a `call` node, row by row. */
export interface FunctionSpec extends FunctionBinder {
  readonly name: SqlFunctionName
  /**
   * One row; called only when no argument is NULL, unless `nullSafe`. `type` is the node's
   * result type.
   */
  apply(values: ReadonlyArray<Scalar | null>, types: readonly DeltaType[], type: DeltaType): Scalar | null
  readonly nullSafe?: boolean
}

/** Refuse a call with fewer than `min` or more than `max` arguments. */
export function arity(name: string, args: readonly SqlExpr[], min: number, max: number, fail: Fail): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`
    fail(`${name}() takes ${want} argument${want === '1' ? '' : 's'}, not ${args.length}`)
  }
}

/** A call node. */
export function call(name: SqlFunctionName, args: SqlExpr[], type: DeltaType): SqlExpr {
  return { kind: 'call', name, args, type }
}
