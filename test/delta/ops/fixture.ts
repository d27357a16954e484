import { Table, Int64, Utf8, vectorFromArray } from 'apache-arrow'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage, type MemoryStorageOptions } from '../../../src/storage/memory.js'

/** An engine over a fresh memory storage, with the Node Parquet codec. */
export async function memoryEngine(opts: MemoryStorageOptions = {}): Promise<Engine & { storage: MemoryStorage }> {
  return { storage: new MemoryStorage(opts), parquet: await nodeParquetCodec() }
}

/** Rows with a long `id` column and, when given, a string partition column `p`. */
export function rows(ids: number[], p?: string[]): Table {
  const id = vectorFromArray(ids.map(BigInt), new Int64())
  return p ? new Table({ id, p: vectorFromArray(p, new Utf8()) }) : new Table({ id })
}

/** The actions of one commit, as JSON objects keyed by action name. */
export async function commitActions(engine: Engine, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const text = new TextDecoder().decode(await engine.storage.read(commitPath(version)))
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line))
}

/** The commitInfo of one commit. */
export async function commitInfoOf(engine: Engine, version: number): Promise<Record<string, unknown>> {
  const info = (await commitActions(engine, version)).find((a) => a.commitInfo)?.commitInfo
  if (!info) throw new Error(`commit ${version} has no commitInfo`)
  return info
}

/** What a refused call must leave alone: the latest version and every stored file. */
export async function tableState(engine: Engine & { storage: MemoryStorage }): Promise<{ version: number; paths: string[] }> {
  return { version: (await loadSnapshot(engine)).version, paths: engine.storage.paths() }
}

/** The sorted ids of the latest version. */
export async function readIds(engine: Engine): Promise<number[]> {
  const snapshot = await loadSnapshot(engine)
  const table = await executeScan(engine, snapshot, planScan(snapshot))
  return table.toArray().map((r) => Number(r.id)).sort((a, b) => a - b)
}
