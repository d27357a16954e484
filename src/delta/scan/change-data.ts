import { RecordBatch, Schema, Struct, Table, makeData, type Field } from 'apache-arrow'
import type { Action, AddAction, CdcAction, RemoveAction } from '../model/actions.js'
import { constantVector, toArrowSchema } from '../arrow/index.js'
import { commitTimestamps, inCommitTimestampsFrom } from '../log/commit-time.js'
import { mapLimit } from '../engine/concurrency.js'
import { readDeletionVector } from '../dv/deletion-vector.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { booleanProperty, CHANGE_DATA_FEED_KEY } from '../features/table-config.js'
import { findLogSegment } from '../log/log-segment.js'
import { findCommitInfo } from '../log/replay.js'
import type { StructField, StructType } from '../model/schema.js'
import { FILE_READ_CONCURRENCY, readDataFile, type DataFileRef, type ReadOptions } from './read.js'
import { partitionFields, type ScanPlan } from './plan.js'
import { loadSnapshot, readCommits, type Snapshot } from '../log/snapshot.js'

/** The versions to read changes between, both inclusive. */
export interface ChangesOptions {
  startVersion: number
  /** The latest version when omitted. */
  endVersion?: number
  /** Cancels the read: every storage request gets it, and the read rejects with `Cancelled`. */
  signal?: AbortSignal
}

/** The columns the change data feed adds after the table's columns. */
export const CHANGE_COLUMNS: StructField[] = [
  { name: '_change_type', type: 'string', nullable: false, metadata: {} },
  { name: '_commit_version', type: 'long', nullable: false, metadata: {} },
  { name: '_commit_timestamp', type: 'timestamp', nullable: false, metadata: {} },
]

const CHANGE_TYPE: StructField = CHANGE_COLUMNS[0]!

/** One unit of change work: a file, what its rows mean, and which rows count. */
interface ChangeTask {
  version: number
  file: DataFileRef
  changeType?: 'insert' | 'delete'
  rowMask?: ReadOptions['rowMask']
}

/**
 * Read the change data feed between two versions: `_change_data` files where a commit has them,
 * else rows derived from its data-changing adds (inserts) and removes (deletes), with deletion
 * vectors turned into the rows they delete or restore. Every version of the range must have
 * `delta.enableChangeDataFeed` on. Partition values come from each action's `partitionValues`,
 * as for data files: change data files hold no partition columns (older ones of ours did; the
 * copy in the file is not read).
 */
export async function readChanges(engine: Engine, opts: ChangesOptions): Promise<Table> {
  const { startVersion } = opts
  if (!Number.isInteger(startVersion) || startVersion < 0) {
    throw new DeltaError('InvalidArgument', `startVersion must be a non-negative integer, got ${startVersion}`)
  }
  if (opts.endVersion !== undefined && opts.endVersion < startVersion) {
    throw new DeltaError('InvalidArgument', `endVersion ${opts.endVersion} is before startVersion ${startVersion}`)
  }
  const end = await loadSnapshot(engine, opts.endVersion)
  if (startVersion > end.version) {
    throw new DeltaError('InvalidArgument', `startVersion ${startVersion} is after the latest version ${end.version}`)
  }
  const start = await loadSnapshot(engine, startVersion)
  const segment = await findLogSegment(engine.storage, end.version)
  const files = segment.commits.filter((c) => c.version >= startVersion)
  if (files.length !== end.version - startVersion + 1) {
    throw new DeltaError('NotFound', `the commits from version ${startVersion} on are no longer in the log`)
  }
  const commits = await readCommits(engine, files)
  checkChangeDataEnabled(start, commits)
  const infos = new Map(commits.flatMap((c) => {
    const i = findCommitInfo(c.actions)
    return i ? [[c.version, i] as const] : []
  }))
  const times = commitTimestamps(files, infos, inCommitTimestampsFrom(end.metadata))
  const tasks = commits.flatMap((c) => changeTasks(engine, end, c.version, c.actions))
  const schema: StructType = { type: 'struct', fields: [...end.schema.fields, ...CHANGE_COLUMNS] }
  const arrowSchema = toArrowSchema(schema)
  const parts = await mapLimit(tasks, FILE_READ_CONCURRENCY, async (t) => {
    const batches = await readDataFile(engine, end, changePlan(end, t.changeType === undefined), t.file, { rowMask: t.rowMask })
    const ts = times[t.version - startVersion]!
    return batches.map((b) => withChangeColumns(arrowSchema, b, t, ts))
  })
  return new Table(arrowSchema, parts.flat().filter((b) => b.numRows > 0))
}

function checkChangeDataEnabled(start: Snapshot, commits: { version: number; actions: Action[] }[]): void {
  let enabled = booleanProperty(start.metadata.configuration, CHANGE_DATA_FEED_KEY)
  for (const c of commits) {
    const md = c.actions.find((a) => a.kind === 'metaData')
    if (md) enabled = booleanProperty(md.configuration, CHANGE_DATA_FEED_KEY)
    if (!enabled) {
      throw new DeltaError('InvalidArgument', `change data feed is not enabled at version ${c.version}: set delta.enableChangeDataFeed to read changes there`)
    }
  }
}

/** The files of one commit and how their rows become changes. */
function changeTasks(engine: Engine, snapshot: Snapshot, version: number, actions: Action[]): ChangeTask[] {
  const cdc = actions.filter((a): a is CdcAction => a.kind === 'cdc')
  if (cdc.length > 0) return cdc.map((file) => ({ version, file }))
  const adds = actions.filter((a): a is AddAction => a.kind === 'add' && a.dataChange)
  const removes = actions.filter((a): a is RemoveAction => a.kind === 'remove' && a.dataChange)
  const removedByPath = new Map(removes.map((r) => [r.path, r]))
  const tasks: ChangeTask[] = []
  for (const add of adds) {
    const removed = removedByPath.get(add.path)
    if (!removed) {
      tasks.push({ version, file: add, changeType: 'insert' })
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
    tasks.push({ version, file: add, changeType: 'delete', rowMask: diff(add.deletionVector, removed.deletionVector) })
    tasks.push({ version, file: add, changeType: 'insert', rowMask: diff(removed.deletionVector, add.deletionVector) })
  }
  for (const r of removedByPath.values()) tasks.push({ version, file: r, changeType: 'delete' })
  return tasks
}

function changePlan(snapshot: Snapshot, withChangeType: boolean): ScanPlan {
  const fields = withChangeType ? [...snapshot.schema.fields, CHANGE_TYPE] : snapshot.schema.fields
  const struct: StructType = { type: 'struct', fields }
  return {
    output: struct,
    read: struct,
    // By logical name, as scans name them: the values come from each action, never the file.
    partitionColumns: new Set(partitionFields(snapshot).map((f) => f.name)),
    files: [],
    skipped: 0,
  }
}

function withChangeColumns(schema: Schema, batch: RecordBatch, task: ChangeTask, timestamp: number): RecordBatch {
  const n = batch.numRows
  const children = batch.data.children.slice(0, schema.fields.length - CHANGE_COLUMNS.length)
  const changeType = task.changeType === undefined
    ? batch.data.children[children.length]!
    : constantVector('string', task.changeType, n).data[0]!
  children.push(
    changeType,
    constantVector('long', BigInt(task.version), n).data[0]!,
    constantVector('timestamp', BigInt(timestamp) * 1000n, n).data[0]!,
  )
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields as Field[]), length: n, nullCount: 0, children }))
}
