import { DataType, type Data, type Field, type Table } from 'apache-arrow'
import { nullMask } from '../../arrow/columns.js'
import { DeltaError } from '../../engine/errors.js'
import type { StructField, StructType } from '../../model/schema.js'
import { checkCondition, type TableCondition } from './constraint-check.js'
import { columnIndex } from './table-columns.js'

/** Field metadata key of a column invariant: JSON `{"expression": {"expression": "<SQL>"}}`. */
export const INVARIANTS_KEY = 'delta.invariants'

/** A column invariant: the column it is declared on and its SQL condition. */
export interface ColumnInvariant {
  path: string[]
  expression: string
}

function invariantExpression(raw: unknown, path: string[]): string {
  let json: unknown = raw
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw)
    } catch (e) {
      throw new DeltaError('InvalidLog', `the invariant of column '${path.join('.')}' is not valid JSON: ${raw}`, { cause: e })
    }
  }
  const inner = (json as { expression?: { expression?: unknown } } | null)?.expression?.expression
  if (typeof inner !== 'string') {
    throw new DeltaError('InvalidLog', `the invariant of column '${path.join('.')}' has no expression.expression: ${JSON.stringify(raw)}`)
  }
  return inner
}

/** Every column invariant of the schema, nested struct fields included, in schema order. */
export function invariantsOf(schema: StructType): ColumnInvariant[] {
  const out: ColumnInvariant[] = []
  const visit = (fields: readonly StructField[], parent: string[]): void => {
    for (const f of fields) {
      const path = [...parent, f.name]
      if (f.metadata[INVARIANTS_KEY] !== undefined) out.push({ path, expression: invariantExpression(f.metadata[INVARIANTS_KEY], path) })
      if (typeof f.type !== 'string' && f.type.type === 'struct') visit(f.type.fields, path)
    }
  }
  visit(schema.fields, [])
  return out
}

/**
 * Check every column invariant on the rows to be written: a row where one is FALSE or NULL is a
 * `ConstraintViolation` (the protocol: writers must abort such a transaction).
 */
export function checkInvariants(table: Table, schema: StructType): void {
  for (const inv of invariantsOf(schema)) {
    const condition: TableCondition = { label: `invariant of column '${inv.path.join('.')}'`, expression: inv.expression }
    checkCondition(table, schema, condition)
  }
}

function childIndex(fields: readonly Field[], name: string): number {
  const exact = fields.findIndex((f) => f.name === name)
  return exact >= 0 ? exact : fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase())
}

/** Count rows where `data` is null while its parent (per `parentValid`) is not; first such row. */
function nullsUnder(data: Data | undefined, length: number, parentValid: Uint8Array | null): { count: number; first: number } {
  const nulls = data ? nullMask(data) : new Uint8Array(length).fill(1)
  let count = 0
  let first = -1
  if (!nulls) return { count, first }
  for (let i = 0; i < length; i++) {
    if (nulls[i] && (!parentValid || parentValid[i])) {
      count++
      if (first < 0) first = i
    }
  }
  return { count, first }
}

/** Rows of `data` (a struct) that are present: 1 where it and all its parents are non-null. */
function presentRows(data: Data, parentValid: Uint8Array | null): Uint8Array {
  const nulls = nullMask(data)
  const out = new Uint8Array(data.length)
  for (let i = 0; i < out.length; i++) out[i] = (!nulls || !nulls[i]) && (!parentValid || parentValid[i]) ? 1 : 0
  return out
}

interface NullViolation { path: string; count: number; first: number }

function checkFields(fields: readonly StructField[], children: (name: string) => Data | undefined, length: number, parentValid: Uint8Array | null, parent: string, report: (v: NullViolation) => void): void {
  for (const f of fields) {
    const path = parent ? `${parent}.${f.name}` : f.name
    const data = children(f.name)
    if (!f.nullable) {
      const { count, first } = nullsUnder(data, length, parentValid)
      if (count > 0) report({ path, count, first })
    }
    if (data && typeof f.type !== 'string' && f.type.type === 'struct' && DataType.isStruct(data.type)) {
      const arrowFields = data.type.children
      const valid = presentRows(data, parentValid)
      checkFields(f.type.fields, (name) => data.children[childIndex(arrowFields, name)], length, valid, path, report)
    }
  }
}

/**
 * NOT NULL: every non-nullable field must have a value, at any depth; a field inside a struct is
 * only required where the struct itself is present (Spark's rule). Fields inside arrays and maps
 * are not checked. A missing column counts as all null. Throws `ConstraintViolation`.
 */
export function checkNotNull(table: Table, schema: StructType): void {
  const found = new Map<string, { count: number; first: number }>()
  let offset = 0
  for (const batch of table.batches) {
    const children = (name: string) => {
      const i = columnIndex(table, name)
      return i < 0 ? undefined : batch.data.children[i]
    }
    const base = offset
    checkFields(schema.fields, children, batch.numRows, null, '', (v) => {
      const seen = found.get(v.path)
      if (seen) seen.count += v.count
      else found.set(v.path, { count: v.count, first: base + v.first })
    })
    offset += batch.numRows
  }
  for (const [path, v] of found) {
    throw new DeltaError(
      'ConstraintViolation',
      `column '${path}' is NOT NULL, but ${v.count} of ${table.numRows} row${table.numRows === 1 ? '' : 's'} have no value for it (the first is row ${v.first}); fill it in or make the column nullable`,
    )
  }
}
