// What a merge should do, worked out row by row in plain JS as Spark's MERGE defines it, so that
// the merge tests compare the library against an answer it did not compute: each target row is
// paired with the source rows the join holds for; a matched pair takes the first matched clause
// whose condition holds, a source row no target row matched the first insert clause whose
// condition holds, a target row no source row matched the first not-matched-by-source clause.

/** A value as the tests compare them: bigints read back as numbers. */
export type Value = string | number | boolean | null

/** A row as the tests compare them. */
export type Row = Record<string, Value>

/** New values of a clause; a column read from a row that lacks it is undefined, stored as NULL. */
export type Values = Record<string, Value | undefined>

/** One WHEN clause of the reference: the group it is about, what it does, and when. */
export interface RefClause {
  group: 'matched' | 'notMatched' | 'notMatchedBySource'
  action: 'update' | 'delete' | 'insert'
  /** The clause's condition; absent means always. Sides absent from the group are undefined. */
  when?: (t: Row | undefined, s: Row | undefined) => boolean
  /** New values: for an update the columns it sets (others keep theirs), for an insert the whole row. */
  set?: (t: Row | undefined, s: Row | undefined) => Values
}

/** One change data row. */
export interface RefChange {
  kind: 'insert' | 'delete' | 'update_preimage' | 'update_postimage'
  row: Row
}

/** What the reference merge gives: the table's rows after, the change rows, and the counts. */
export interface RefResult {
  rows: Row[]
  changes: RefChange[]
  inserted: number
  matchedUpdated: number
  matchedDeleted: number
  bySourceUpdated: number
  bySourceDeleted: number
  /** Target rows that are changed or deleted, by their index in the target. */
  touched: Set<number>
}

/** SQL `=`: NULL on either side is never equal. */
export function eq(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && a === b
}

/** Run the reference merge. Throws when a target row is matched twice and there are matched clauses. */
export function referenceMerge(target: readonly Row[], source: readonly Row[], on: (t: Row, s: Row) => boolean, clauses: readonly RefClause[]): RefResult {
  const out: RefResult = { rows: [], changes: [], inserted: 0, matchedUpdated: 0, matchedDeleted: 0, bySourceUpdated: 0, bySourceDeleted: 0, touched: new Set() }
  const matchedClauses = clauses.filter((c) => c.group === 'matched')
  const sourceMatched = new Set<number>()
  target.forEach((t, ti) => {
    const hits = source.map((s, si) => (on(t, s) ? si : -1)).filter((i) => i >= 0)
    hits.forEach((i) => sourceMatched.add(i))
    if (hits.length > 1 && matchedClauses.length > 0) throw new Error(`reference: target row ${JSON.stringify(t)} matched ${hits.length} source rows`)
    const s = hits.length === 1 ? source[hits[0]!] : undefined
    const group = hits.length > 0 ? 'matched' : 'notMatchedBySource'
    const clause = clauses.find((c) => c.group === group && (!c.when || c.when(t, s)))
    if (!clause) {
      out.rows.push(t)
      return
    }
    out.touched.add(ti)
    if (clause.action === 'delete') {
      out.changes.push({ kind: 'delete', row: t })
      if (group === 'matched') out.matchedDeleted++
      else out.bySourceDeleted++
      return
    }
    const after = { ...t, ...defined(clause.set!(t, s)) }
    out.rows.push(after)
    out.changes.push({ kind: 'update_preimage', row: t }, { kind: 'update_postimage', row: after })
    if (group === 'matched') out.matchedUpdated++
    else out.bySourceUpdated++
  })
  source.forEach((s, si) => {
    if (sourceMatched.has(si)) return
    const clause = clauses.find((c) => c.group === 'notMatched' && (!c.when || c.when(undefined, s)))
    if (!clause) return
    const row = defined(clause.set!(undefined, s))
    out.rows.push(row)
    out.changes.push({ kind: 'insert', row })
    out.inserted++
  })
  return out
}

function defined(values: Values): Row {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? null]))
}

/** Rows in one order (by their JSON with keys sorted), for comparing sets of rows. */
export function sortRows<T extends object>(rows: readonly T[]): T[] {
  const key = (r: T) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)))
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}
