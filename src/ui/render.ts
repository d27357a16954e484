import type { Table } from 'apache-arrow'
import type { DeltaType, StructType } from '../index.js'

/** A Delta type as people write it: `long`, `decimal(10,2)`, `array<string>`, `struct<…>`. */
export function formatType(type: DeltaType): string {
  if (typeof type === 'string') return type
  if (type.type === 'array') return `array<${formatType(type.elementType)}>`
  if (type.type === 'map') return `map<${formatType(type.keyType)}, ${formatType(type.valueType)}>`
  return `struct<${type.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')}>`
}

function cells(tag: 'th' | 'td', values: readonly string[]): HTMLTableRowElement {
  const row = document.createElement('tr')
  for (const v of values) {
    const cell = document.createElement(tag)
    cell.textContent = v
    row.append(cell)
  }
  return row
}

/** Fill `target` with one row per column: name, type, nullable, partition. */
export function renderSchema(target: HTMLTableElement, schema: StructType, partitionColumns: readonly string[]): void {
  // Appended one by one: a schema may have more columns than a call can take as arguments.
  target.replaceChildren(cells('th', ['column', 'type', 'nullable', 'partition']))
  for (const f of schema.fields) target.append(cells('td', [f.name, formatType(f.type), f.nullable ? 'yes' : 'no', partitionColumns.includes(f.name) ? 'yes' : '']))
}

/** Fill `target` with the first `limit` rows of `table` (values as text; null shown as ∅). */
export function renderRows(target: HTMLTableElement, table: Table, limit = 20): void {
  const names = table.schema.fields.map((f) => f.name)
  const rows: HTMLTableRowElement[] = [cells('th', names)]
  const n = Math.min(limit, table.numRows)
  for (let i = 0; i < n; i++) {
    rows.push(cells('td', names.map((name) => {
      const v: unknown = table.getChild(name)?.get(i)
      return v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)
    })))
  }
  target.replaceChildren()
  for (const row of rows) target.append(row)
}
