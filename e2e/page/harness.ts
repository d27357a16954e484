// The page the browser tests drive: the library's worker client on the main thread, a pool of
// Web Workers doing the reading and writing. Node calls `window.harness` through Playwright;
// Arrow results travel back as IPC bytes posted to the harness server.
import { installFetchSpy, mainRealmReport } from './spy.js'

installFetchSpy()

import { Table, tableToIPC, type RecordBatch } from 'apache-arrow'
import { azureSasSigner } from '../../src/storage/signers/azure.js'
import { createBrowserPool } from '../../src/worker/browser-pool.js'
import { WorkerDeltaTable, writeDeltaLakeInWorker } from '../../src/worker/client.js'
import { fsaStorageDescriptor, httpStorageDescriptor, publicHttpStorageDescriptor } from '../../src/worker/descriptors.js'
import type { OpenRequest, StorageDescriptor } from '../../src/worker/protocol.js'
import type { WriteOptions } from '../../src/delta/write/write-options.js'
import { exportOpfsFolder, fsaCall, opfsFolder, removeOpfsFolder, type FsaOp } from './fsa-bridge.js'
import { makeRows, type RowSpec } from './rows.js'
import { runDmlScenario, type DmlPlan } from './dml.js'
import { runMaintenanceScenario, type MaintenancePlan } from './maintenance.js'

/** A storage the tests can name in JSON; the page turns it into a descriptor. */
export type StorageSpec =
  | { kind: 'public-http'; baseUrl: string; listing?: 's3' | 'none'; root?: string }
  | { kind: 'opfs'; dir: string; lockName?: string }
  | { kind: 'azure'; accountUrl: string; container: string; prefix?: string; sas: string }

/** A harness call's outcome: errors come back as data so their code survives Playwright. */
export type Outcome<T> = { ok: T } | { error: { name: string; code?: string; message: string } }

const pool = createBrowserPool({ size: Number(new URLSearchParams(location.search).get('workers') ?? 2) })
const tables = new Map<string, WorkerDeltaTable>()

async function descriptorOf(spec: StorageSpec): Promise<StorageDescriptor> {
  if (spec.kind === 'public-http') return publicHttpStorageDescriptor(spec.baseUrl, { listing: spec.listing ?? 's3', ...(spec.root ? { root: spec.root } : {}) })
  // Every page names the lock after the folder, so two tabs writing one table share it.
  if (spec.kind === 'opfs') return fsaStorageDescriptor(await opfsFolder(spec.dir), { lockName: spec.lockName ?? spec.dir })
  // The SAS stays on this thread: the workers get a proxied signer and ask it per request.
  return httpStorageDescriptor(azureSasSigner({ accountUrl: spec.accountUrl, container: spec.container, prefix: spec.prefix ?? '', sas: spec.sas }))
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await run() }
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string }
    return { error: { name: err.name ?? 'Error', ...(err.code ? { code: err.code } : {}), message: err.message ?? String(e) } }
  }
}

/** Post Arrow IPC bytes to the harness server; Node picks them up by the returned id. */
async function upload(table: Table): Promise<string> {
  const res = await fetch('/__blob', { method: 'POST', body: tableToIPC(table, 'stream') as Uint8Array<ArrayBuffer> })
  return res.text()
}

function tableOf(id: string): WorkerDeltaTable {
  const t = tables.get(id)
  if (!t) throw new Error(`no table ${id} in the page`)
  return t
}

function summary(t: WorkerDeltaTable) {
  return {
    version: t.version, schema: t.schema(), metadata: t.metadata(), protocol: t.protocol(), numFiles: t.numFiles,
    checkpointVersion: t.checkpointVersion() ?? null, appTransactions: t.appTransactions(),
  }
}

const harness = {
  poolSize: pool.size,
  open: (spec: StorageSpec, req: OpenRequest = {}) => outcome(async () => {
    const started = performance.now()
    const t = await WorkerDeltaTable.open(pool, await descriptorOf(spec), req)
    const openMs = performance.now() - started
    const id = crypto.randomUUID()
    tables.set(id, t)
    return { id, openMs, ...summary(t) }
  }),
  toArrow: (id: string, opts: { columns?: string[]; filter?: string; files?: string[] } = {}) =>
    outcome(async () => upload(await tableOf(id).toArrow(opts))),
  // The stream joined into one table, with how many batches it came in.
  toBatches: (id: string, opts: { columns?: string[]; filter?: string; files?: string[] } = {}) => outcome(async () => {
    const batches: RecordBatch[] = []
    for await (const b of tableOf(id).toBatches(opts)) batches.push(b)
    return { table: await upload(new Table(batches)), batches: batches.length }
  }),
  changes: (id: string, opts: { startVersion: number; endVersion?: number }) => outcome(async () => upload(await tableOf(id).changes(opts))),
  files: (id: string) => outcome(() => tableOf(id).files()),
  history: (id: string, limit?: number) => outcome(() => tableOf(id).history(limit)),
  loadAsVersion: (id: string, version: number | string) => outcome(async () => {
    await tableOf(id).loadAsVersion(version)
    return summary(tableOf(id))
  }),
  close: (id: string) => outcome(async () => {
    await tables.get(id)?.close()
    tables.delete(id)
  }),
  write: (spec: StorageSpec, rows: RowSpec, opts: WriteOptions = {}) =>
    outcome(async () => writeDeltaLakeInWorker(pool, await descriptorOf(spec), makeRows(rows), opts)),
  // Create, delete, update and merge a table, reading back after each step (see dml.ts).
  dml: (spec: StorageSpec, plan: DmlPlan) => outcome(() => runDmlScenario(pool, () => descriptorOf(spec), plan)),
  // Appends, compact, vacuum and Z-order on an OPFS table (see maintenance.ts).
  maintenance: (spec: StorageSpec & { kind: 'opfs' }, plan: MaintenancePlan) =>
    outcome(() => runMaintenanceScenario(pool, () => descriptorOf(spec), spec.dir, plan)),
  fsa: (dir: string, op: FsaOp, args: unknown[]) => outcome(() => fsaCall(dir, op, args)),
  removeOpfs: (dir: string) => outcome(() => removeOpfsFolder(dir)),
  exportOpfs: (dir: string) => outcome(() => exportOpfsFolder(dir)),
  workerStats: () => outcome(() => Promise.all(Array.from({ length: pool.size }, (_, i) => pool.worker(i).realmStats()))),
  mainRealm: () => mainRealmReport(),
}

/** What the tests see on `window.harness`. */
export type Harness = typeof harness

;(globalThis as { harness?: Harness }).harness = harness
document.getElementById('status')!.textContent = 'ready'
