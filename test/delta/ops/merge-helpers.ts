// Fixtures of the merge tests: tables in memory storage opened through the public API, rows read
// back as plain values, and the raw log of a commit.
import { Table } from 'apache-arrow'
import { expect } from 'vitest'
import { DeltaTable, type CreateTableOptions } from '../../../src/api/delta-table.js'
import type { TableApi } from '../../../src/api/table-api.js'
import { writeDeltaLake } from '../../../src/api/write-deltalake.js'
import { isDeltaError, type DeltaError } from '../../../src/delta/engine/errors.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import type { WriteOptions } from '../../../src/delta/write/write-options.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import type { Row } from './merge-reference.js'

export const URI = 'memory://t'

let codec: ParquetCodec | undefined

/** The Node Parquet codec, loaded once. */
export async function parquetCodec(): Promise<ParquetCodec> {
  codec ??= await nodeParquetCodec()
  return codec
}

/** A table in fresh memory storage written from `batches` in order (one commit, so at least one file, each). */
export async function tableOf(batches: Table[], opts: WriteOptions = {}): Promise<{ table: DeltaTable; storage: MemoryStorage }> {
  const storage = new MemoryStorage()
  const parquet = await parquetCodec()
  for (const [i, b] of batches.entries()) await writeDeltaLake(URI, b, { storage, parquet, ...(i === 0 ? opts : { mode: 'append' }) })
  return { table: await DeltaTable.open(URI, { storage, parquet }), storage }
}

/** An empty table created with a schema (field metadata kept: generated and identity columns). */
export async function createdTable(opts: Omit<CreateTableOptions, 'storage' | 'parquet'>): Promise<{ table: DeltaTable; storage: MemoryStorage }> {
  const storage = new MemoryStorage()
  return { table: await DeltaTable.create(URI, { ...opts, storage, parquet: await parquetCodec() }), storage }
}

/** Open the table in `storage` again (a fresh snapshot, nothing cached). */
export async function reopen(storage: Storage): Promise<DeltaTable> {
  return DeltaTable.open(URI, { storage, parquet: await parquetCodec() })
}

/** A value as the tests compare it: bigints as numbers. */
export function plainValue(v: unknown): Row[string] {
  if (typeof v === 'bigint') return Number(v)
  if (v === undefined) return null
  return v as Row[string]
}

/** The rows of an Arrow table as plain objects, with only the named columns when given. */
export function plainRowsOf(t: Table, columns?: string[]): Row[] {
  const names = columns ?? t.schema.fields.map((f) => f.name)
  const vectors = names.map((n) => t.getChild(n)!)
  const out: Row[] = []
  for (let i = 0; i < t.numRows; i++) out.push(Object.fromEntries(names.map((n, j) => [n, plainValue(vectors[j]!.get(i))])))
  return out
}

/** The table's rows at its version, as plain objects. */
export async function rowsOf(t: TableApi): Promise<Row[]> {
  return plainRowsOf(await t.toArrow())
}

/** The actions of commit `version`, parsed line by line from `_delta_log/<20 digits>.json`. */
export async function logActions(storage: Storage, version: number): Promise<Record<string, any>[]> {
  const text = new TextDecoder().decode(await storage.read(`_delta_log/${String(version).padStart(20, '0')}.json`))
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>)
}

/** The commitInfo of commit `version`. */
export async function commitInfo(storage: Storage, version: number): Promise<Record<string, any>> {
  const info = (await logActions(storage, version)).find((a) => a.commitInfo)?.commitInfo
  expect(info).toBeDefined()
  return info as Record<string, any>
}

/** The DeltaError a promise rejects with; any other outcome fails the test. */
export async function rejection(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p
  } catch (e) {
    if (isDeltaError(e)) return e
    throw e
  }
  throw new Error('expected the call to fail with a DeltaError')
}
