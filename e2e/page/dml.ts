// Row-level changes made in the page through WorkerDeltaTable: create, delete, update and merge
// a table, reporting what each step returned and what the table then held. The test says what
// to do and computes what should come out; this only runs the steps and reads back.
import { Float64, Int64, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow'
import type { CommitEntry } from '../../src/delta/log/history.js'
import { WorkerDeltaTable, writeDeltaLakeInWorker } from '../../src/worker/client.js'
import type { DeltaPool } from '../../src/worker/pool.js'
import type { StorageDescriptor } from '../../src/worker/protocol.js'

/** A row of the table: id (long), value (double), label (string), as `sortedRows` gives it. */
export type DmlRow = [id: number, value: number, label: string]

/** What the page does, in order: each predicate and expression is SQL over the table's columns. */
export interface DmlPlan {
  rows: DmlRow[]
  configuration: Record<string, string>
  deletePredicate: string
  update: { values: Record<string, string>; predicate: string }
  merge: {
    source: DmlRow[]
    predicate: string
    sourceAlias: string
    targetAlias: string
    /** Set on matched rows where `updateWhen` holds; the other matched rows are deleted. */
    updates: Record<string, string>
    updateWhen: string
  }
}

/** An active file: its rows by the log's stats, the rows its deletion vector drops, the ids it still holds. */
export interface FileLayout {
  path: string
  numRecords: number
  deleted: number | null
  ids: number[]
}

/** The table after a step: the step's result, then the version, rows and files read back. */
export interface DmlStep<R> {
  result: R
  version: number
  rows: DmlRow[]
  files: FileLayout[]
}

/** A change row of `changes()`, flattened. */
export interface ChangeRow {
  id: number
  value: number
  label: string
  type: string
  version: number
}

/** A table opened again, from scratch, at a version or the latest. */
export interface Reopened {
  version: number
  rows: DmlRow[]
  writerFeatures: string[]
  readerFeatures: string[]
  configuration: Record<string, string>
}

/** Arrow rows in the table's schema. */
function tableOf(rows: readonly DmlRow[]): Table {
  return new Table({
    id: makeVector({ type: new Int64(), data: BigInt64Array.from(rows, (r) => BigInt(r[0])) }),
    value: makeVector({ type: new Float64(), data: Float64Array.from(rows, (r) => r[1]) }),
    label: vectorFromArray(rows.map((r) => r[2]), new Utf8()),
  })
}

function rowsOf(table: Table): DmlRow[] {
  const id = table.getChild('id')!
  const value = table.getChild('value')!
  const label = table.getChild('label')!
  return Array.from({ length: table.numRows }, (_, i): DmlRow => [Number(id.get(i)), Number(value.get(i)), String(label.get(i))])
    .sort((a, b) => a[0] - b[0])
}

async function layoutOf(t: WorkerDeltaTable): Promise<FileLayout[]> {
  const files = await t.files()
  return Promise.all(files.map(async (f) => ({
    path: f.path,
    numRecords: Number((JSON.parse(f.stats ?? '{}') as { numRecords?: number }).numRecords ?? -1),
    deleted: f.deletionVector?.cardinality ?? null,
    ids: rowsOf(await t.toArrow({ files: [f.path] })).map((r) => r[0]),
  })))
}

async function stepOf<R>(t: WorkerDeltaTable, result: R): Promise<DmlStep<R>> {
  return { result, version: t.version, rows: rowsOf(await t.toArrow()), files: await layoutOf(t) }
}

// A failing step names itself; its error keeps its code for the test.
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof Error) e.message = `${name}: ${e.message}`
    throw e
  }
}

async function reopen(pool: DeltaPool, storage: StorageDescriptor, version?: number): Promise<Reopened> {
  const t = await WorkerDeltaTable.open(pool, storage, version === undefined ? {} : { version })
  try {
    const protocol = t.protocol()
    return {
      version: t.version, rows: rowsOf(await t.toArrow()),
      writerFeatures: [...protocol.writerFeatures ?? []], readerFeatures: [...protocol.readerFeatures ?? []],
      configuration: t.metadata().configuration,
    }
  } finally {
    await t.close()
  }
}

/**
 * Create the table, then delete, update and merge through one WorkerDeltaTable, reading back
 * after each step; then the change feed of each version, the history, and the table opened
 * afresh (from a new storage descriptor) at every version.
 */
export async function runDmlScenario(pool: DeltaPool, storageOf: () => Promise<StorageDescriptor>, plan: DmlPlan) {
  const storage = await storageOf()
  const created = await step('create', () => writeDeltaLakeInWorker(pool, storage, tableOf(plan.rows), { configuration: plan.configuration }))
  const t = await step('open', () => WorkerDeltaTable.open(pool, storage))
  try {
    const create = await stepOf(t, created)
    const deleted = await step('delete', async () => stepOf(t, await t.delete(plan.deletePredicate)))
    const updated = await step('update', async () => stepOf(t, await t.update(plan.update.values, { predicate: plan.update.predicate })))
    const m = plan.merge
    const merged = await step('merge', async () => stepOf(t, await t.merge(tableOf(m.source), { predicate: m.predicate, sourceAlias: m.sourceAlias, targetAlias: m.targetAlias })
      .whenMatchedUpdate(m.updates, { predicate: m.updateWhen })
      .whenMatchedDelete()
      .whenNotMatchedInsertAll()
      .execute()))
    const changes: ChangeRow[][] = []
    for (let v = 0; v <= t.version; v++) {
      changes.push(changeRowsOf(await step(`changes ${v}`, () => t.changes({ startVersion: v, endVersion: v }))))
    }
    const allChanges = changeRowsOf(await step('changes', () => t.changes({ startVersion: 0 })))
    const history: CommitEntry[] = await step('history', () => t.history())
    const fresh = await storageOf()
    const reopened = await step('reopen', () => reopen(pool, fresh))
    const versions: Reopened[] = []
    for (let v = 0; v <= t.version; v++) versions.push(await step(`reopen at ${v}`, () => reopen(pool, fresh, v)))
    return { create, deleted, updated, merged, changes, allChanges, history, reopened, versions }
  } finally {
    await t.close()
  }
}

function changeRowsOf(table: Table): ChangeRow[] {
  const col = (name: string) => table.getChild(name)!
  const [id, value, label, type, version] = ['id', 'value', 'label', '_change_type', '_commit_version'].map(col)
  return Array.from({ length: table.numRows }, (_, i) => ({
    id: Number(id!.get(i)), value: Number(value!.get(i)), label: String(label!.get(i)),
    type: String(type!.get(i)), version: Number(version!.get(i)),
  }))
}
