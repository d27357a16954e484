import { Field, RecordBatch, Schema, Struct, Table, makeData, type Data, type Vector } from 'apache-arrow'
import { nullData } from '../../arrow/constant.js'
import { toArrowField } from '../../arrow/types.js'
import { findField, type StructField, type StructType } from '../../model/schema.js'

/** The index of a top-level column by name: exact first, then case-insensitive, as Spark resolves. */
export function columnIndex(table: Table, name: string): number {
  const fields = table.schema.fields
  const exact = fields.findIndex((f) => f.name === name)
  if (exact >= 0) return exact
  const lower = name.toLowerCase()
  return fields.findIndex((f) => f.name.toLowerCase() === lower)
}

/** Whether the table has a top-level column for the schema field. */
export function hasColumn(table: Table, field: StructField): boolean {
  return columnIndex(table, field.name) >= 0
}

/**
 * Whether the data supplies values for a column: it has the column and at least one row is not
 * null. A column that is there but entirely null counts as not supplied, because aligning input
 * to the table schema fills the columns the input lacked with nulls.
 */
export function suppliesColumn(table: Table, field: StructField): boolean {
  const i = columnIndex(table, field.name)
  if (i < 0) return false
  const column = table.getChildAt(i)
  return column !== null && column.nullCount < column.length
}

/**
 * `table` with computed columns added (one vector per schema field name, as many rows as the
 * table) or replaced. Columns come out in schema order, followed by any the schema lacks, so a
 * generated or identity column lands where the table declares it. Record batches are kept: each
 * added vector is sliced along them.
 */
export function withColumns(table: Table, schema: StructType, added: ReadonlyMap<string, Vector>): Table {
  if (added.size === 0) return table
  type Source = { field: Field; column: (start: number, length: number, batch: RecordBatch) => Data }
  const sources = new Map<string, Source>()
  // Keyed by the schema's spelling of each name, so that case differences do not matter.
  table.schema.fields.forEach((f, i) => sources.set(findField(schema, f.name)?.name ?? f.name, { field: f, column: (_s, _l, b) => b.data.children[i]! }))
  for (const [name, vector] of added) {
    const schemaField = findField(schema, name)!
    sources.set(schemaField.name, {
      field: new Field(schemaField.name, vector.type, toArrowField(schemaField).nullable),
      column: (start, length) => vector.slice(start, start + length).data[0] ?? nullData(vector.type, 0),
    })
  }
  const ordered = [
    ...schema.fields.map((f) => f.name).filter((n) => sources.has(n)),
    ...[...sources.keys()].filter((n) => !findFieldExact(schema, n)),
  ].map((n) => sources.get(n)!)
  const arrowSchema = new Schema(ordered.map((s) => s.field), table.schema.metadata)
  const batches = pieces(table, [...added.values()]).map(({ batch, start }) => {
    const length = batch.numRows
    const children = ordered.map((s) => s.column(start, length, batch))
    return new RecordBatch(arrowSchema, makeData({ type: new Struct(arrowSchema.fields), length, nullCount: 0, children }))
  })
  return new Table(arrowSchema, batches)
}

/**
 * The table's batches cut wherever a batch or an added vector's chunk ends, so that each piece
 * lies within one chunk of every column (vectors computed elsewhere are chunked their own way).
 */
function pieces(table: Table, vectors: readonly Vector[]): { batch: RecordBatch; start: number }[] {
  const cuts = new Set<number>()
  for (const v of vectors) {
    let at = 0
    for (const d of v.data) cuts.add((at += d.length))
  }
  const out: { batch: RecordBatch; start: number }[] = []
  let start = 0
  for (const batch of table.batches) {
    const end = start + batch.numRows
    const inside = [...cuts].filter((c) => c > start && c < end).sort((a, b) => a - b)
    let from = start
    for (const cut of [...inside, end]) {
      out.push({ batch: from === start && cut === end ? batch : batch.slice(from - start, cut - start), start: from })
      from = cut
    }
    start = end
  }
  return out
}

function findFieldExact(schema: StructType, name: string): boolean {
  return schema.fields.some((f) => f.name === name)
}
