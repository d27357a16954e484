import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { tableFromIPC, type Table } from 'apache-arrow'
import { initSync, ParquetFile } from 'parquet-wasm/esm'
import { parseSchema, type StructType } from '../../src/delta/model/schema.js'
import type { ExpectedRef } from './corpus.js'

let wasmReady = false

/** Load parquet-wasm's module once per test file, from the installed package (no network). */
function ensureParquetWasm(): void {
  if (wasmReady) return
  const wasmPath = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')
  initSync({ module: readFileSync(wasmPath) })
  wasmReady = true
}

/**
 * Decode one Parquet file to an Arrow table with parquet-wasm, independently of the library's
 * own codec so a codec bug cannot hide in both sides of a comparison. Expected files are
 * written by Spark (no INT96), which parquet-wasm decodes exactly.
 */
export async function decodeParquet(bytes: Uint8Array): Promise<Table> {
  ensureParquetWasm()
  // Blob wants an ArrayBuffer-backed view; a Node Buffer may sit on a shared pool.
  const file = await ParquetFile.fromFile(new Blob([new Uint8Array(bytes)]))
  try {
    const wasmTable = await file.read()
    return tableFromIPC(wasmTable.intoIPCStream())
  } finally {
    file.free()
  }
}

/** The `*.parquet` files of a `parquet-dir` expectation, sorted by name, decoded. */
export async function readExpectedParquet(corpus: string, ref: ExpectedRef): Promise<{ file: string; table: Table }[]> {
  const dir = join(corpus, ref.path)
  const names = readdirSync(dir).filter((n) => n.endsWith('.parquet')).sort()
  const out: { file: string; table: Table }[] = []
  for (const file of names) out.push({ file, table: await decodeParquet(readFileSync(join(dir, file))) })
  return out
}

const COMMIT_NAME = /^\d{20}\.json$/

/**
 * The table schema from the newest `metaData` action in the JSON commits of `_delta_log` (up to
 * `version` when given), read without the library under test so it can serve as an independent
 * type guide. Undefined when no JSON commit carries one (checkpoint-only logs).
 */
export function readLogSchema(tableDir: string, version?: number): StructType | undefined {
  const logDir = join(tableDir, '_delta_log')
  const commits = readdirSync(logDir)
    .filter((n) => COMMIT_NAME.test(n) && (version === undefined || Number(n.slice(0, 20)) <= version))
    .sort()
  for (const name of commits.reverse()) {
    const lines = readFileSync(join(logDir, name), 'utf8').split('\n')
    for (const line of lines.reverse()) {
      if (!line.trim()) continue
      const action = JSON.parse(line) as { metaData?: { schemaString?: string } }
      const schemaString = action.metaData?.schemaString
      if (typeof schemaString === 'string') return parseSchema(schemaString)
    }
  }
  return undefined
}
