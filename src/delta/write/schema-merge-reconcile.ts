import { FIELD_ID_KEY, PHYSICAL_NAME_KEY } from '../features/column-mapping.js'
import { describeDeltaType } from '../arrow/types.js'
import { DeltaError } from '../engine/errors.js'
import type { DeltaType, PrimitiveType, StructField } from '../model/schema.js'
import { GENERATION_EXPRESSION_KEY } from './features/generated.js'
import { isIdentityColumn } from './features/identity.js'
import { relatePrimitives } from './schema-merge-types.js'

/** Field metadata key of a column's type change history (the protocol's type widening). */
export const TYPE_CHANGES_KEY = 'delta.typeChanges'

/** One entry of `delta.typeChanges`, as the protocol defines it. */
export interface TypeChange {
  fromType: DeltaType
  toType: DeltaType
  /** `element`, `key`, `value` (dot-joined when nested) when an array element or map key/value changed. */
  fieldPath?: string
}

/** What one reconciliation of the table's schema with incoming data found and decided. */
export interface ReconcileState {
  /** Add new columns and widen types (schema evolution), or only check. */
  readonly merge: boolean
  /** The table allows type widening (`delta.enableTypeWidening`). */
  readonly allowWidening: boolean
  /** One line per difference the write cannot accept. */
  readonly diffs: string[]
  /** Paths of the fields schema evolution added. */
  readonly added: string[][]
  /** A type was widened. */
  widened: boolean
  /** Whether some widening was refused because the table does not allow it. */
  wideningRefused: boolean
}

/**
 * True for columns the writer computes itself (identity columns, generated columns), which
 * data may leave out even when they are NOT NULL.
 */
export function isComputedColumn(field: StructField): boolean {
  return isIdentityColumn(field) || field.metadata[GENERATION_EXPRESSION_KEY] !== undefined
}

function join(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name
}

/** The field of `fields` with this name, case-insensitively (Spark resolves columns so). */
function matchByName(fields: readonly StructField[], name: string): StructField | undefined {
  const lower = name.toLowerCase()
  return fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === lower)
}

function checkUniqueNames(fields: readonly StructField[], parent: string): void {
  const seen = new Map<string, string>()
  for (const f of fields) {
    const lower = f.name.toLowerCase()
    const other = seen.get(lower)
    if (other !== undefined) {
      throw new DeltaError('SchemaMismatch', `the data has both '${join(parent, other)}' and '${join(parent, f.name)}'; Delta column names are case-insensitive: rename one of them`)
    }
    seen.set(lower, f.name)
  }
}

/**
 * The fields of a struct after writing `data` into a table whose struct has `table`: table
 * fields in table order (case-insensitive match, the table's spelling kept), then, when merging,
 * the new fields at the end. Differences the write cannot accept go to `state.diffs`.
 */
export function reconcileFields(table: readonly StructField[], data: readonly StructField[], parent: string, state: ReconcileState): StructField[] {
  checkUniqueNames(data, parent)
  const out = table.map((t) => {
    const d = matchByName(data, t.name)
    if (d) return reconcileField(t, d, parent, state)
    if (!t.nullable && !isComputedColumn(t)) state.diffs.push(`- ${join(parent, t.name)}: ${describeDeltaType(t.type)} (not nullable)`)
    return t
  })
  for (const d of data) {
    if (matchByName(table, d.name)) continue
    const path = join(parent, d.name)
    if (!state.merge) {
      state.diffs.push(`+ ${path}: ${describeDeltaType(d.type)} (not in table)`)
      continue
    }
    state.added.push(path.split('.'))
    out.push(newField(d))
  }
  return out
}

/**
 * A field new to the table: nullable, since the rows already written have no value for it, and
 * without column mapping metadata, which the table assigns.
 */
function newField(d: StructField): StructField {
  const metadata = { ...d.metadata }
  delete metadata[FIELD_ID_KEY]
  delete metadata[PHYSICAL_NAME_KEY]
  return { ...d, type: stripMapping(d.type), nullable: true, metadata }
}

function stripMapping(t: DeltaType): DeltaType {
  if (typeof t === 'string') return t
  switch (t.type) {
    case 'struct': return { ...t, fields: t.fields.map((f) => ({ ...newField(f), nullable: f.nullable })) }
    case 'array': return { ...t, elementType: stripMapping(t.elementType) }
    case 'map': return { ...t, keyType: stripMapping(t.keyType), valueType: stripMapping(t.valueType) }
  }
}

function reconcileField(t: StructField, d: StructField, parent: string, state: ReconcileState): StructField {
  const changes: TypeChange[] = []
  const type = reconcileType(t.type, d.type, join(parent, t.name), '', changes, state)
  if (type === t.type) return t
  if (changes.length === 0) return { ...t, type }
  const history = Array.isArray(t.metadata[TYPE_CHANGES_KEY]) ? (t.metadata[TYPE_CHANGES_KEY] as unknown[]) : []
  return { ...t, type, metadata: { ...t.metadata, [TYPE_CHANGES_KEY]: [...history, ...changes] } }
}

function subPath(fieldPath: string, part: string): string {
  return fieldPath ? `${fieldPath}.${part}` : part
}

/**
 * The table's type of a column after writing data of type `d` into it: kept when the data fits
 * it, widened when merging allows, else unchanged with a difference recorded. `fieldPath`
 * locates an array element or map key/value below the nearest struct field, for type changes.
 */
function reconcileType(t: DeltaType, d: DeltaType, path: string, fieldPath: string, changes: TypeChange[], state: ReconcileState): DeltaType {
  if (typeof t === 'string' && typeof d === 'string') return reconcilePrimitive(t, d, path, fieldPath, changes, state)
  if (typeof t !== 'string' && typeof d !== 'string') {
    if (t.type === 'struct' && d.type === 'struct') {
      const fields = reconcileFields(t.fields, d.fields, path, state)
      return fields.every((f, i) => f === t.fields[i]) && fields.length === t.fields.length ? t : { ...t, fields }
    }
    if (t.type === 'array' && d.type === 'array') {
      const elementType = reconcileType(t.elementType, d.elementType, `${path}[]`, subPath(fieldPath, 'element'), changes, state)
      return elementType === t.elementType ? t : { ...t, elementType }
    }
    if (t.type === 'map' && d.type === 'map') {
      const keyType = reconcileType(t.keyType, d.keyType, `${path}.key`, subPath(fieldPath, 'key'), changes, state)
      const valueType = reconcileType(t.valueType, d.valueType, `${path}.value`, subPath(fieldPath, 'value'), changes, state)
      return keyType === t.keyType && valueType === t.valueType ? t : { ...t, keyType, valueType }
    }
  }
  state.diffs.push(`~ ${path}: ${describeDeltaType(d)} in data, ${describeDeltaType(t)} in table`)
  return t
}

function reconcilePrimitive(
  t: PrimitiveType, d: PrimitiveType, path: string, fieldPath: string, changes: TypeChange[], state: ReconcileState,
): DeltaType {
  const relation = relatePrimitives(t, d)
  if (relation === 'same' || relation === 'castable') return t
  if (relation === 'widen' && state.merge && state.allowWidening) {
    changes.push({ fromType: t, toType: d, ...(fieldPath && { fieldPath }) })
    state.widened = true
    return d
  }
  if (relation === 'widen') state.wideningRefused = true
  const note = relation === 'widen' ? ' (the table type would need widening)' : ''
  state.diffs.push(`~ ${path}: ${d} in data, ${t} in table${note}`)
  return t
}
