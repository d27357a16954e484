import { RecordBatch, Schema, Struct, Table, makeData, type Data, type Field } from 'apache-arrow'
import type { DeletionVectorDescriptor } from '../model/actions.js'
import { conformTable, constantVector, filterTable, physicalColumns, toArrowSchema } from '../arrow/index.js'
import { mapLimit } from '../engine/concurrency.js'
import { resolveDataPath } from '../log/data-path.js'
import { checkDeletedRows, readDeletionVector, type RowIndexSet } from '../dv/deletion-vector.js'
import { storageSource, type Engine } from '../engine/engine.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { evaluateFilter, substituteColumns } from '../expr/index.js'
import type { StructType } from '../model/schema.js'
import { partitionValuesOf, type ScanPlan } from './plan.js'
import type { Snapshot } from '../log/snapshot.js'

/** How many data files to decode at once in one thread. */
export const FILE_READ_CONCURRENCY = 4

/** A file to read: an add action, or a cdc or remove action carrying the same fields. */
export interface DataFileRef {
  path: string
  size?: number | null
  partitionValues?: Record<string, string | null> | null
  deletionVector?: DeletionVectorDescriptor | null
}

/**
 * What reading data files needs of a snapshot: metadata (partition columns), schema, column
 * mapping and table URI, not the file list. A worker handed a slice of a planned scan reads
 * with just this.
 */
export type ReadContext = Pick<Snapshot, 'tableUri' | 'metadata' | 'schema' | 'columnMapping'>

/** Options for executing a scan. */
export interface ReadOptions {
  /** Stops the scan between files; the promise rejects with `Cancelled`. */
  signal?: AbortSignal
  /** Rows to keep by row index in the file, instead of the file's deletion vector. */
  rowMask?: (numRows: number) => Uint8Array | Promise<Uint8Array>
}

/** Read every file of a plan into one Arrow table with the plan's output schema. */
export async function executeScan(engine: Engine, snapshot: ReadContext, plan: ScanPlan, opts: ReadOptions = {}): Promise<Table> {
  const schema = toArrowSchema(plan.output)
  const parts = await mapLimit(plan.files, FILE_READ_CONCURRENCY, (add) => {
    if (opts.signal?.aborted) throw new DeltaError('Cancelled', 'the scan was cancelled')
    return readDataFile(engine, snapshot, plan, add, opts)
  })
  const batches = parts.flat().filter((b) => b.numRows > 0)
  return new Table(schema, batches)
}

/**
 * Read one data file as record batches in the plan's output schema: decode the needed physical
 * columns, map them to logical names and types, add partition values, then drop rows deleted
 * by the deletion vector and rows the filter does not keep.
 */
export async function readDataFile(engine: Engine, snapshot: ReadContext, plan: ScanPlan, add: DataFileRef, opts: ReadOptions = {}): Promise<RecordBatch[]> {
  const path = resolveDataPath(add.path, snapshot.tableUri)
  const dataFields: StructType = { type: 'struct', fields: plan.read.fields.filter((f) => !plan.partitionColumns.has(f.name)) }
  // With only partition columns wanted, one data column still gives the row count.
  const decodeFields = dataFields.fields.length > 0 ? dataFields : { type: 'struct' as const, fields: snapshot.schema.fields.filter((f) => !plan.partitionColumns.has(f.name)).slice(0, 1) }
  const columns = physicalColumns(decodeFields, snapshot.columnMapping)
  const size = add.size || (await engine.storage.head(path))?.size
  if (!size) throw new DeltaError('NotFound', `data file '${path}' named by the log does not exist`)
  const [decoded, deleted] = await Promise.all([
    engine.parquet.read(storageSource(engine.storage, path, size), { columns }),
    !opts.rowMask && add.deletionVector ? readFileDeletionVector(engine, snapshot, add.deletionVector, path) : Promise.resolve(undefined),
  ])
  const conformed = conformTable(decoded, decodeFields, { columnMapping: snapshot.columnMapping })
  if (deleted) checkDeletedRows(deleted, conformed.numRows, path)
  const keep = opts.rowMask ? await opts.rowMask(conformed.numRows) : deleted?.keepMask(conformed.numRows)
  const partitions = partitionValuesOf(snapshot, add)
  // The file's partition values are constants: rows are filtered on what varies.
  const filter = plan.filter && substituteColumns(plan.filter, (c) => (c.path.length === 1 && partitions.has(c.path[0]!) ? partitions.get(c.path[0]!) ?? null : undefined))
  const alwaysKept = filter?.kind === 'literal' && filter.value === true
  const readSchema = toArrowSchema(plan.read)
  const outSchema = toArrowSchema(plan.output)
  const out: RecordBatch[] = []
  let offset = 0
  for (const batch of conformed.batches) {
    const n = batch.numRows
    const children = readSchema.fields.map((f) =>
      plan.partitionColumns.has(f.name)
        ? constantVector(fieldType(plan.read, f.name), partitions.get(f.name) ?? null, n).data[0]!
        : childData(batch, f.name, n))
    let table = new Table([batchOf(readSchema, children, n)])
    let mask = keep ? keep.subarray(offset, offset + n) : undefined
    if (filter && !alwaysKept) mask = andMasks(mask, evaluateFilter(filter, table))
    if (mask) table = filterTable(table, mask)
    offset += n
    for (const b of table.select(outSchema.fields.map((f) => f.name)).batches) {
      out.push(new RecordBatch(outSchema, b.data))
    }
  }
  return out
}

/** The file's deletion vector; a failure names the data file too (an inline DV has no file of its own). */
async function readFileDeletionVector(engine: Engine, snapshot: ReadContext, dv: DeletionVectorDescriptor, dataPath: string): Promise<RowIndexSet> {
  try {
    return await readDeletionVector(engine.storage, dv, { tableUri: snapshot.tableUri })
  } catch (e) {
    if (!isDeltaError(e) || e.code === 'NotFound' || e.code === 'AccessDenied' || e.code === 'Cancelled') throw e
    throw new DeltaError(e.code, `${e.message} (the deletion vector of data file '${dataPath}')`, { cause: e })
  }
}

function fieldType(struct: StructType, name: string) {
  return struct.fields.find((f) => f.name === name)!.type
}

function childData(batch: RecordBatch, name: string, n: number): Data {
  const child = batch.getChild(name)
  if (!child || child.data.length !== 1) {
    throw new DeltaError('Internal', `column '${name}' came back from the decoder in ${child?.data.length ?? 0} chunks for ${n} rows`)
  }
  return child.data[0]!
}

function batchOf(schema: Schema, children: Data[], length: number): RecordBatch {
  const data = makeData({ type: new Struct(schema.fields as Field[]), length, nullCount: 0, children })
  return new RecordBatch(schema, data)
}

function andMasks(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (!a) return b
  const out = new Uint8Array(b.length)
  for (let i = 0; i < b.length; i++) out[i] = a[i]! & b[i]!
  return out
}
