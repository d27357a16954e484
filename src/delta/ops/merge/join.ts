import type { Table } from 'apache-arrow'
import { DeltaError } from '../../engine/errors.js'
import { resolveColumnChunks } from '../../arrow/columns.js'
import { and, between, col, compareScalars, evaluateSqlValues, inList, lit, type Expr, type RowValues, type SqlExpr } from '../../expr/index.js'
import { castExpr } from '../../expr/sql/coerce.js'
import { commonType } from '../../expr/sql/typing.js'
import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import type { MergeScope } from './scope.js'

/** Source keys with at most this many distinct values skip target files by `IN`; more by their range. */
const MAX_IN_VALUES = 64

/** Pairs of candidate rows beyond which a join without equality keys is refused. */
const MAX_CROSS_PAIRS = 20_000_000

/** The equality conjuncts of a merge predicate: a target-side and a source-side expression each. */
export interface JoinKeys {
  target: SqlExpr[]
  source: SqlExpr[]
}

/**
 * The `target expr = source expr` conjuncts of the merge predicate, each side cast to one type
 * so that equal values hash alike. Only candidates come from them: every pair they give is
 * checked against the whole predicate.
 */
export function equiJoinKeys(predicate: SqlExpr, scope: MergeScope): JoinKeys {
  const keys: JoinKeys = { target: [], source: [] }
  for (const c of conjuncts(predicate)) {
    if (c.kind !== 'compare' || c.op !== '=') continue
    const left = scope.sidesRead(c.left)
    const right = scope.sidesRead(c.right)
    const one = (s: Set<string>, side: string) => s.size === 1 && s.has(side)
    let pair: [SqlExpr, SqlExpr] | undefined
    if (one(left, 'target') && one(right, 'source')) pair = [c.left, c.right]
    else if (one(left, 'source') && one(right, 'target')) pair = [c.right, c.left]
    if (!pair) continue
    const typed = sameTyped(pair[0], pair[1])
    if (!typed) continue
    keys.target.push(typed[0])
    keys.source.push(typed[1])
  }
  return keys
}

function conjuncts(e: SqlExpr): SqlExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e]
}

function sameTyped(a: SqlExpr, b: SqlExpr): [SqlExpr, SqlExpr] | undefined {
  if (typeof a.type !== 'string' || typeof b.type !== 'string') return undefined
  if (a.type === b.type) return [a, b]
  const common = commonType(a.type, b.type)
  if (!common) return undefined
  try {
    const fail = (m: string): never => { throw new DeltaError('InvalidArgument', m) }
    return [castExpr(a, common, fail), castExpr(b, common, fail)]
  } catch {
    return undefined
  }
}

/** The source rows by join key, for finding the source rows each target row may match. */
export class SourceIndex {
  readonly #byKey = new Map<Key, number[]>()
  readonly #rows: number
  readonly #keyed: boolean
  /** Each key column's non-null source values, for skipping target files. */
  readonly keyValues: Array<Array<Scalar>>

  constructor(keys: JoinKeys, source: Table) {
    this.#rows = source.numRows
    this.#keyed = keys.source.length > 0
    const columns = keys.source.map((k) => evaluateSqlValues(k, source))
    this.keyValues = columns.map((c) => c.filter((v): v is Scalar => v !== null))
    if (!this.#keyed) return
    for (let i = 0; i < this.#rows; i++) {
      const key = rowKey(columns, i)
      if (key === undefined) continue
      const list = this.#byKey.get(key)
      if (list) list.push(i)
      else this.#byKey.set(key, [i])
    }
  }

  /**
   * The (target row, source row) pairs that may match, target rows in order: those with equal
   * keys, or every pair when the predicate has no equality between the sides.
   */
  candidates(targetKeys: readonly SqlExpr[], target: Table): { t: Int32Array; s: Int32Array } {
    const n = target.numRows
    if (!this.#keyed) {
      if (n * this.#rows > MAX_CROSS_PAIRS) {
        throw new DeltaError('UnsupportedFeature', `the merge predicate has no equality between a target and a source column, and ${n} target rows by ${this.#rows} source rows are too many pairs to try; add an equality such as t.id = s.id`)
      }
      const t = new Int32Array(n * this.#rows)
      const s = new Int32Array(n * this.#rows)
      for (let i = 0, k = 0; i < n; i++) for (let j = 0; j < this.#rows; j++, k++) { t[k] = i; s[k] = j }
      return { t, s }
    }
    const keys = targetKeys.length === 1 ? longKeys(targetKeys[0]!, target) : undefined
    const columns = keys ? [] : targetKeys.map((k) => evaluateSqlValues(k, target))
    const t: number[] = []
    const s: number[] = []
    for (let i = 0; i < n; i++) {
      const key = keys ? keys[i] : rowKey(columns, i)
      const hits = key === undefined ? undefined : this.#byKey.get(key)
      if (hits) for (const j of hits) { t.push(i); s.push(j) }
    }
    return { t: Int32Array.from(t), s: Int32Array.from(s) }
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * The keys of a plain `long` column read straight from its 64-bit words, as `rowKey` gives them
 * (a number when safe, else the bigint), without making a bigint per row; undefined when the
 * expression is anything else. Typed arrays share the platform's byte order, little-endian on
 * every platform this runs on.
 */
function longKeys(expr: SqlExpr, table: Table): Array<Key | undefined> | undefined {
  if (expr.kind !== 'column' || expr.type !== 'long') return undefined
  const out: Array<Key | undefined> = new Array(table.numRows)
  let at = 0
  for (const chunk of resolveColumnChunks(table, expr.path)) {
    const values: unknown = chunk.data.values
    if (!(values instanceof BigInt64Array)) return undefined
    const words = new Int32Array(values.buffer, values.byteOffset, chunk.length * 2)
    for (let i = 0; i < chunk.length; i++, at++) {
      if (chunk.nulls?.[i]) continue
      const hi = words[2 * i + 1]!
      // With the high word within +-2^21, |v| <= 2^53 and the double is exact.
      const v = hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + (words[2 * i]! >>> 0) : NaN
      out[at] = Number.isSafeInteger(v) ? v : values[i]!
    }
  }
  return out
}

/** A join key as a Map compares it: a primitive value as it is, else text. */
type Key = string | number | bigint | boolean

/** A row's key, or undefined when a part is NULL (`=` never matches NULL). */
function rowKey(columns: readonly RowValues[], i: number): Key | undefined {
  if (columns.length === 1) {
    const v = columns[0]![i]
    if (v === null || v === undefined) return undefined
    // A Map compares primitives by value (NaN equal to NaN); -0 is made 0, as SQL's = has them equal.
    if (typeof v === 'number') return v === 0 ? 0 : v
    // A safe bigint keys as a number: Map lookups of numbers are the faster ones.
    if (typeof v === 'bigint') return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v
    return v instanceof Uint8Array ? keyPart(v) : v
  }
  const parts: string[] = []
  for (const c of columns) {
    const v = c[i]
    if (v === null || v === undefined) return undefined
    parts.push(keyPart(v))
  }
  return JSON.stringify(parts)
}

function keyPart(v: Scalar): string {
  switch (typeof v) {
    case 'number': return `n${v === 0 ? 0 : v}`
    case 'bigint': return `b${v}`
    case 'string': return `s${v}`
    case 'boolean': return v ? 'T' : 'F'
    default: return `x${Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('')}`
  }
}

/**
 * A filter over the target table that every target row a source row can match satisfies: for
 * each key that is a plain target column, the source's values (`IN`) or their range (`BETWEEN`).
 * Files it rules out (by partition values and stats) are not read. Undefined when no key is a
 * plain column; `false`-like (an empty `IN`) when the source has no key value at all.
 */
export function targetSkipping(keys: JoinKeys, index: SourceIndex, scope: MergeScope): Expr | undefined {
  const parts: Expr[] = []
  keys.target.forEach((k, i) => {
    if (k.kind !== 'column' || typeof k.type !== 'string') return
    const name = targetColumnName(k.path[0]!, scope)
    if (name === undefined) return
    const column = col([name], k.type)
    const values = distinct(index.keyValues[i]!, k.type)
    if (values.length <= MAX_IN_VALUES) parts.push(inList(column, values.map((v) => lit(v, k.type))))
    else parts.push(between(column, lit(values[0]!, k.type), lit(values[values.length - 1]!, k.type)))
  })
  return parts.length === 0 ? undefined : and(...parts)
}

function targetColumnName(flat: string, scope: MergeScope): string | undefined {
  if (scope.sideOfName(flat) !== 'target') return undefined
  const lower = flat.toLowerCase()
  const field = scope.target.fields.find((f) => scope.qualified('target', f.name).toLowerCase() === lower || f.name.toLowerCase() === lower)
  return field?.name
}

/** The distinct values, sorted. */
function distinct(values: readonly Scalar[], type: DeltaType): Scalar[] {
  const sorted = [...values].sort((a, b) => compareScalars(a, b, type))
  return sorted.filter((v, i) => i === 0 || compareScalars(sorted[i - 1]!, v, type) !== 0)
}
