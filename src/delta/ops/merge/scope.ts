import { Table, type Vector } from 'apache-arrow'
import { DeltaError } from '../../engine/errors.js'
import { columnsOfSql, parseExpression, type SqlExpr } from '../../expr/index.js'
import type { StructField, StructType } from '../../model/schema.js'
import type { ClauseGroup } from './clauses.js'

/** A side of a merge. */
export type Side = 'target' | 'source'

/**
 * The names a merge's expressions see. Each side's columns are `alias.column`; a column name
 * only one side has (of the sides a clause may read) can also be written bare. Expressions are
 * bound against a flat schema of those names, and evaluated over tables built with the same
 * names, so that the one expression language of updates and constraints serves merges too.
 */
export class MergeScope {
  readonly #aliases: Record<Side, string>
  readonly #fields: Record<Side, readonly StructField[]>

  constructor(readonly target: StructType, readonly source: StructType, targetAlias: string, sourceAlias: string) {
    if (targetAlias.toLowerCase() === sourceAlias.toLowerCase()) throw new DeltaError('InvalidArgument', `the target and source aliases must differ (both are '${targetAlias}')`)
    this.#aliases = { target: targetAlias, source: sourceAlias }
    this.#fields = { target: target.fields, source: source.fields }
  }

  /** The sides a clause group may read: matched rows both, inserts the source, not-matched-by-source rows the target. */
  static sidesOf(group: ClauseGroup | 'join'): Side[] {
    if (group === 'notMatched') return ['source']
    if (group === 'notMatchedBySource') return ['target']
    return ['target', 'source']
  }

  /** The flat schema expressions of a group bind against. */
  schema(group: ClauseGroup | 'join'): StructType {
    const sides = MergeScope.sidesOf(group)
    const fields: StructField[] = []
    for (const side of sides) for (const f of this.#fields[side]) fields.push({ ...f, name: this.#qualified(side, f.name), nullable: true })
    for (const { field } of this.#bare(sides)) fields.push({ ...field, nullable: true })
    return { type: 'struct', fields }
  }

  /** Parse a SQL expression of a clause group; a bare name both sides have is ambiguous. */
  parse(text: string, group: ClauseGroup | 'join'): SqlExpr {
    try {
      return parseExpression(text, this.schema(group))
    } catch (e) {
      const ambiguous = this.#ambiguous(MergeScope.sidesOf(group)).find((n) => new RegExp(`(^|[^.\\w\`])${escape(n)}([^.\\w\`]|$)`, 'i').test(text))
      if (ambiguous) throw new DeltaError('InvalidArgument', `column '${ambiguous}' is ambiguous in '${text}': both sides have it; write ${this.#aliases.target}.${ambiguous} or ${this.#aliases.source}.${ambiguous}`)
      throw e
    }
  }

  /** The side each column of an expression belongs to. */
  sidesRead(expr: SqlExpr): Set<Side> {
    const out = new Set<Side>()
    for (const c of columnsOfSql(expr)) out.add(this.sideOfName(c.path[0]!))
    return out
  }

  /** The side a flat column name belongs to. */
  sideOfName(name: string): Side {
    for (const side of ['target', 'source'] as const) {
      const prefix = `${this.#aliases[side]}.`
      if (name.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) return side
    }
    const lower = name.toLowerCase()
    return this.#fields.target.some((f) => f.name.toLowerCase() === lower) ? 'target' : 'source'
  }

  /** The name the target's column has in expressions, qualified by its alias. */
  qualified(side: Side, column: string): string {
    return this.#qualified(side, column)
  }

  /**
   * The table the expressions of `group` are evaluated over: the given sides' rows (as many on
   * each side) under the flat names of `schema(group)`.
   */
  table(group: ClauseGroup | 'join', rows: Partial<Record<Side, Table>>): Table {
    const sides = MergeScope.sidesOf(group).filter((s) => rows[s] !== undefined)
    const columns: Record<string, Vector> = {}
    for (const side of sides) {
      const t = rows[side]!
      t.schema.fields.forEach((f, i) => (columns[this.#qualified(side, f.name)] = t.getChildAt(i)!))
    }
    for (const { side, field } of this.#bare(MergeScope.sidesOf(group))) {
      const v = rows[side]?.getChild(field.name)
      if (v) columns[field.name] = v
    }
    const n = sides.map((s) => rows[s]!.numRows)
    if (n.some((x) => x !== n[0])) throw new DeltaError('Internal', `merge sides of ${n.join(' and ')} rows`)
    return new Table(columns)
  }

  #qualified(side: Side, column: string): string {
    return `${this.#aliases[side]}.${column}`
  }

  /** Columns only one of `sides` has, by name (case-insensitive), for bare references. */
  #bare(sides: Side[]): { side: Side; field: StructField }[] {
    const out: { side: Side; field: StructField }[] = []
    const aliases = new Set(Object.values(this.#aliases).map((a) => a.toLowerCase()))
    for (const side of sides) {
      for (const field of this.#fields[side]) {
        const lower = field.name.toLowerCase()
        const elsewhere = sides.some((o) => o !== side && this.#fields[o].some((f) => f.name.toLowerCase() === lower))
        if (!elsewhere && !aliases.has(lower)) out.push({ side, field })
      }
    }
    return out
  }

  #ambiguous(sides: Side[]): string[] {
    if (sides.length < 2) return []
    return this.#fields.target.map((f) => f.name).filter((n) => this.#fields.source.some((f) => f.name.toLowerCase() === n.toLowerCase()))
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
