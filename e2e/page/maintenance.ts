// Maintenance through WorkerDeltaTable in the page: a table built from small appends, compacted,
// vacuumed and Z-ordered, reading back after each step. The test computes what should come out;
// this only runs the steps and reports what the table and its OPFS folder then held.
import { Int64, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow'
import type { CommitEntry } from '../../src/delta/log/history.js'
import type { OptimizeResult } from '../../src/delta/ops/optimize/options.js'
import { WorkerDeltaTable, writeDeltaLakeInWorker } from '../../src/worker/client.js'
import type { DeltaPool } from '../../src/worker/pool.js'
import type { StorageDescriptor } from '../../src/worker/protocol.js'
import { opfsFolder } from './fsa-bridge.js'

/** A row of the table: id (long), part (string, the partition column), n (long). */
export type MaintRow = [id: number, part: string, n: number]

/** What the page does: one append per batch of rows, the first creating the table. */
export interface MaintenancePlan {
  appends: MaintRow[][]
  zOrderColumns: string[]
}

/** The table at one point: version, rows, active files with their partition value. */
export interface MaintSnapshot {
  version: number
  rows: MaintRow[]
  files: { path: string; part: string | null }[]
}

function tableOf(rows: readonly MaintRow[]): Table {
  return new Table({
    id: makeVector({ type: new Int64(), data: BigInt64Array.from(rows, (r) => BigInt(r[0])) }),
    part: vectorFromArray(rows.map((r) => r[1]), new Utf8()),
    n: makeVector({ type: new Int64(), data: BigInt64Array.from(rows, (r) => BigInt(r[2])) }),
  })
}

function rowsOf(table: Table): MaintRow[] {
  const [id, part, n] = ['id', 'part', 'n'].map((c) => table.getChild(c)!)
  return Array.from({ length: table.numRows }, (_, i): MaintRow => [Number(id!.get(i)), String(part!.get(i)), Number(n!.get(i))])
    .sort((a, b) => a[0] - b[0])
}

async function snapshot(t: WorkerDeltaTable): Promise<MaintSnapshot> {
  const files = await t.files()
  return {
    version: t.version, rows: rowsOf(await t.toArrow()),
    files: files.map((f) => ({ path: f.path, part: f.partitionValues?.['part'] ?? null })),
  }
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof Error) e.message = `${name}: ${e.message}`
    throw e
  }
}

/** Every file path under an OPFS folder, relative to it. */
async function listOpfs(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const entry of folder.values()) {
      if (entry.kind === 'directory') await walk(entry, `${prefix}${entry.name}/`)
      else out.push(prefix + entry.name)
    }
  }
  await walk(await opfsFolder(dir), '')
  return out.sort()
}

/** The actions of one commit file, as parsed JSON lines. */
async function commitActions(dir: string, version: number): Promise<Record<string, unknown>[]> {
  const log = await (await opfsFolder(dir)).getDirectoryHandle('_delta_log')
  const file = await (await log.getFileHandle(`${String(version).padStart(20, '0')}.json`)).getFile()
  return (await file.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>)
}

/**
 * Append each batch, compact (with progress), vacuum dry and for real, Z-order, and open the
 * table afresh; report each step's result and what the table and folder held after it.
 */
export async function runMaintenanceScenario(pool: DeltaPool, storageOf: () => Promise<StorageDescriptor>, dir: string, plan: MaintenancePlan) {
  const storage = await storageOf()
  for (const [i, rows] of plan.appends.entries()) {
    await step(`append ${i}`, () => writeDeltaLakeInWorker(pool, storage, tableOf(rows), { mode: 'append', partitionBy: ['part'] }))
  }
  const t = await step('open', () => WorkerDeltaTable.open(pool, storage))
  try {
    const before = await snapshot(t)
    const progress: { done: number; total: number; phase: string }[] = []
    const compacted: OptimizeResult = await step('compact', () => t.optimize.compact({ onProgress: (p) => progress.push({ ...p }) }))
    const afterCompact = await snapshot(t)
    const compactActions = await commitActions(dir, t.version)
    const history: CommitEntry[] = await step('history', () => t.history())
    const folderBeforeVacuum = await listOpfs(dir)
    const dryRun = await step('vacuum dry run', () => t.vacuum({ retentionHours: 0, enforceRetentionDuration: false }))
    const folderAfterDryRun = await listOpfs(dir)
    const vacuumed = await step('vacuum', () => t.vacuum({ retentionHours: 0, enforceRetentionDuration: false, dryRun: false }))
    const folderAfterVacuum = await listOpfs(dir)
    const afterVacuum = await snapshot(t)
    const zOrdered = await step('zOrder', () => t.optimize.zOrder(plan.zOrderColumns))
    const afterZOrder = await snapshot(t)
    const fresh = await WorkerDeltaTable.open(pool, await storageOf())
    let reopened: MaintSnapshot
    try {
      reopened = await snapshot(fresh)
    } finally {
      await fresh.close()
    }
    return {
      before, progress, compacted, afterCompact, compactActions, history: history.slice(0, 1),
      folderBeforeVacuum, dryRun, folderAfterDryRun, vacuumed, folderAfterVacuum, afterVacuum,
      zOrdered, afterZOrder, reopened,
    }
  } finally {
    await t.close()
  }
}
