import { RecordBatch, Schema, Struct, Table, makeData, type Field } from 'apache-arrow'
import type { Action, AddAction, CdcAction, RemoveAction } from '../model/actions.js'
import { constantVector, toArrowSchema } from '../arrow/index.js'
import { mapLimit } from '../engine/concurrency.js'
import { readDeletionVector } from '../dv/deletion-vector.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { columnsOf, parseFilter, substituteColumns, type Expr } from '../expr/index.js'
import { booleanProperty, CHANGE_DATA_FEED_KEY } from '../features/table-config.js'
import { findField, type StructField, type StructType } from '../model/schema.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { FILE_READ_CONCURRENCY, readDataFile, type DataFileRef, type ReadOptions } from './read.js'
import { partitionFields, partitionValuesOf, type ScanPlan } from './plan.js'
import { checkChangesOptions, type ChangeRequest, type ChangesOptions } from './change-options.js'
import { readChangeRange, type ChangeRange } from './change-range.js'

export type { ChangesOptions } from './change-options.js'

/** The columns the change data feed adds after the table's columns. */
export const CHANGE_COLUMNS: StructField[] = [
  { name: '_change_type', type: 'string', nullable: false, metadata: {} },
  { name: '_commit_version', type: 'long', nullable: false, metadata: {} },
  { name: '_commit_timestamp', type: 'timestamp', nullable: false, metadata: {} },
]

const CHANGE_TYPE: StructField = CHANGE_COLUMNS[0]!

/** One unit of change work: a file of a commit, what its rows mean, and which rows count. */
interface ChangeTask {
  version: number
  /** The commit's time, ms since the epoch. */
  timestamp: number
  file: DataFileRef
  changeType?: 'insert' | 'delete'
  rowMask?: ReadOptions['rowMask']
}

/** The table columns a change read returns and reads, and its row filter. */
interface ChangeSelection {
  /** The table columns of the result, in order (the change columns follow them). */
  output: StructField[]
  /** The table columns read, in schema order: the output's and those the predicate needs. */
  read: StructField[]
  predicate?: Expr
}

/**
 * Read the change data feed over a range of versions (see {@link ChangesOptions}):
 * `_change_data` files where a commit has them, else rows derived from its data-changing adds
 * (inserts) and removes (deletes), with deletion vectors turned into the rows they delete or
 * restore. Every version of the range must have `delta.enableChangeDataFeed` on. The log is
 * read up to the range's end, whatever snapshot the caller holds; the columns are those of the
 * end version. Partition values come from each action's `partitionValues`, as for data files:
 * change data files hold no partition columns (older ones of ours did; the copy in the file is
 * not read).
 */
export async function readChanges(engine: Engine, opts: ChangesOptions = {}): Promise<Table> {
  const request = checkChangesOptions(opts)
  const latest = await loadSnapshot(engine, undefined, { withoutFiles: true })
  const range = await readChangeRange(engine, request, latest)
  const end = !range || range.end === latest.version ? latest : await loadSnapshot(engine, range.end, { withoutFiles: true })
  const selection = selectChanges(end.schema, request)
  const schema = toArrowSchema({ type: 'struct', fields: [...selection.output, ...CHANGE_COLUMNS] })
  if (!range) return new Table(schema)
  await checkChangeDataEnabled(engine, range, end)
  const tasks = range.commits.flatMap((c, i) => changeTasks(engine, end, c.version, range.times[i]!, c.actions))
  const parts = await mapLimit(tasks, FILE_READ_CONCURRENCY, async (t) => {
    const filter = selection.predicate && taskFilter(selection.predicate, end, t)
    // A file whose partition values, version, time or kind of change rule out every row.
    if (filter?.kind === 'literal' && filter.value !== true) return []
    const batches = await readDataFile(engine, end, changePlan(end, selection, t.changeType === undefined, filter), t.file, { rowMask: t.rowMask })
    return batches.map((b) => withChangeColumns(schema, b, t))
  })
  return new Table(schema, parts.flat().filter((b) => b.numRows > 0))
}

/** Resolve `columns` (change column names pass, they are always there) and parse the predicate. */
function selectChanges(schema: StructType, request: ChangeRequest): ChangeSelection {
  const output = request.columns ? selectColumns(schema, request.columns) : schema.fields
  const predicate = request.predicate === undefined
    ? undefined
    : parseFilter(request.predicate, { type: 'struct', fields: [...schema.fields, ...CHANGE_COLUMNS] })
  const needed = new Set(output.map((f) => f.name))
  if (predicate) for (const path of columnsOf(predicate)) needed.add(path[0]!)
  return { output, read: schema.fields.filter((f) => needed.has(f.name)), predicate }
}

function selectColumns(schema: StructType, columns: string[]): StructField[] {
  const out: StructField[] = []
  for (const name of columns) {
    if (CHANGE_COLUMNS.some((c) => c.name === name.toLowerCase())) continue
    const field = findField(schema, name)
    if (!field) {
      throw new DeltaError('InvalidArgument', `column '${name}' is not in the table; its columns are ${schema.fields.map((f) => f.name).join(', ')}, and the change columns ${CHANGE_COLUMNS.map((c) => c.name).join(', ')}`)
    }
    if (out.includes(field)) throw new DeltaError('InvalidArgument', `column '${name}' is named twice in columns`)
    out.push(field)
  }
  return out
}

/**
 * The predicate for one file's rows: the change columns that are constant over it (version,
 * time, and the kind of change unless the file records it per row) and its partition values
 * put in, so what is left varies by row, or is a literal that decides the whole file.
 */
function taskFilter(predicate: Expr, snapshot: Snapshot, task: ChangeTask): Expr {
  const partitions = partitionValuesOf(snapshot, task.file)
  return substituteColumns(predicate, (c) => {
    if (c.path.length !== 1) return undefined
    const name = c.path[0]!
    if (name === '_commit_version') return BigInt(task.version)
    if (name === '_commit_timestamp') return timestampMicros(task.timestamp)
    if (name === '_change_type') return task.changeType
    return partitions.has(name) ? partitions.get(name) ?? null : undefined
  })
}

async function checkChangeDataEnabled(engine: Engine, range: ChangeRange, end: Snapshot): Promise<void> {
  // The setting in force at the start: the first commit's own metadata replaces it at once.
  const first = range.commits[0]!
  const initial = first.actions.some((a) => a.kind === 'metaData') || range.start === end.version
    ? end.metadata
    : (await loadSnapshot(engine, range.start, { withoutFiles: true })).metadata
  let enabled = booleanProperty(initial.configuration, CHANGE_DATA_FEED_KEY)
  for (const c of range.commits) {
    const md = c.actions.find((a) => a.kind === 'metaData')
    if (md) enabled = booleanProperty(md.configuration, CHANGE_DATA_FEED_KEY)
    if (!enabled) {
      throw new DeltaError('InvalidArgument', `change data feed is not enabled at version ${c.version}: set delta.enableChangeDataFeed to read changes there`)
    }
  }
}

/** The files of one commit and how their rows become changes. */
function changeTasks(engine: Engine, snapshot: Snapshot, version: number, timestamp: number, actions: Action[]): ChangeTask[] {
  const cdc = actions.filter((a): a is CdcAction => a.kind === 'cdc')
  if (cdc.length > 0) return cdc.map((file) => ({ version, timestamp, file }))
  const adds = actions.filter((a): a is AddAction => a.kind === 'add' && a.dataChange)
  const removes = actions.filter((a): a is RemoveAction => a.kind === 'remove' && a.dataChange)
  const removedByPath = new Map(removes.map((r) => [r.path, r]))
  const tasks: ChangeTask[] = []
  for (const add of adds) {
    const removed = removedByPath.get(add.path)
    if (!removed) {
      tasks.push({ version, timestamp, file: add, changeType: 'insert' })
      continue
    }
    // The same file with a new deletion vector: rows newly deleted are deletes, rows the old
    // vector deleted and the new one does not are restored (inserts).
    removedByPath.delete(add.path)
    const diff = (a: typeof add.deletionVector, b: typeof add.deletionVector) => async (n: number) => {
      const [sa, sb] = await Promise.all([a && readDeletionVector(engine.storage, a, { tableUri: snapshot.tableUri }), b && readDeletionVector(engine.storage, b, { tableUri: snapshot.tableUri })])
      const mask = new Uint8Array(n)
      for (let i = 0; i < n; i++) mask[i] = (sa?.has(i) ?? false) && !(sb?.has(i) ?? false) ? 1 : 0
      return mask
    }
    tasks.push({ version, timestamp, file: add, changeType: 'delete', rowMask: diff(add.deletionVector, removed.deletionVector) })
    tasks.push({ version, timestamp, file: add, changeType: 'insert', rowMask: diff(removed.deletionVector, add.deletionVector) })
  }
  for (const r of removedByPath.values()) tasks.push({ version, timestamp, file: r, changeType: 'delete' })
  return tasks
}

/**
 * How to read one file of changes: the selected table columns, plus `_change_type` where the
 * file records it, filtered by what is left of the predicate once the file's constants are in.
 */
function changePlan(snapshot: Snapshot, selection: ChangeSelection, withChangeType: boolean, filter: Expr | undefined): ScanPlan {
  const extra = withChangeType ? [CHANGE_TYPE] : []
  return {
    output: { type: 'struct', fields: [...selection.output, ...extra] },
    read: { type: 'struct', fields: [...selection.read, ...extra] },
    // By logical name, as scans name them: the values come from each action, never the file.
    partitionColumns: new Set(partitionFields(snapshot).map((f) => f.name)),
    filter: filter?.kind === 'literal' ? undefined : filter,
    files: [],
    skipped: 0,
  }
}

function withChangeColumns(schema: Schema, batch: RecordBatch, task: ChangeTask): RecordBatch {
  const n = batch.numRows
  const children = batch.data.children.slice(0, schema.fields.length - CHANGE_COLUMNS.length)
  const changeType = task.changeType === undefined
    ? batch.data.children[children.length]!
    : constantVector('string', task.changeType, n).data[0]!
  children.push(
    changeType,
    constantVector('long', BigInt(task.version), n).data[0]!,
    constantVector('timestamp', timestampMicros(task.timestamp), n).data[0]!,
  )
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields as Field[]), length: n, nullCount: 0, children }))
}

function timestampMicros(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * 1000n
}
