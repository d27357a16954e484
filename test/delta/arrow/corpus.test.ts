import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tableFromIPC, type Table } from 'apache-arrow'
import { readParquet } from 'parquet-wasm/node'
import { describe, expect, it } from 'vitest'
import { arrowToPlain, conformTable, toArrowSchema } from '../../../src/delta/arrow/index.js'
import type { ColumnMappingMode } from '../../../src/delta/features/column-mapping.js'
import { parseSchema, type StructType } from '../../../src/delta/model/schema.js'

// Real files written by Spark, read by parquet-wasm, conformed to the table schema and compared
// with what the reference implementations expect.
const CORPUS = process.env.DELTA_CORPUS ?? fileURLToPath(new URL('../../../../shared/delta-corpus', import.meta.url))
const HAVE_CORPUS = existsSync(join(CORPUS, 'manifest.json'))

function readParquetFile(path: string): Table {
  return tableFromIPC(readParquet(readFileSync(path)).intoIPCStream())
}

function parquetFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.parquet')).sort().map((n) => join(dir, n))
}

/** The latest schema of a table, from the last metaData action of its JSON commits. */
function latestSchema(table: string): StructType {
  const log = join(CORPUS, 'tables', table, '_delta_log')
  let schema: string | undefined
  for (const f of readdirSync(log).filter((n) => n.endsWith('.json')).sort()) {
    for (const line of readFileSync(join(log, f), 'utf8').split('\n')) {
      if (line.includes('"metaData"')) schema = JSON.parse(line).metaData.schemaString
    }
  }
  return parseSchema(schema!)
}

/** Rows of every data file of a table (one with no removes), conformed to its schema. */
function readTable(table: string, mode: ColumnMappingMode): Record<string, unknown>[] {
  const schema = latestSchema(table)
  return parquetFiles(join(CORPUS, 'tables', table)).flatMap((f) => {
    const conformed = conformTable(readParquetFile(f), schema, { columnMapping: mode })
    expect(conformed.schema).toEqual(toArrowSchema(schema))
    return arrowToPlain(conformed)
  })
}

/** A value in the corpus's canonical form: bigints as text, bytes as hex, keys sorted. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return String(v)
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (Array.isArray(v)) return v.map(canonical)
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)]))
  }
  return v
}

function sortedRows(rows: unknown[]): string[] {
  return rows.map((r) => JSON.stringify(canonical(r))).sort()
}

describe.skipIf(!HAVE_CORPUS)('conform against the conformance corpus', () => {
  it('type-widening: narrow files read as the widened types, exactly', () => {
    const expected = JSON.parse(readFileSync(join(CORPUS, 'expected/type-widening/expected.json'), 'utf8'))
    const c = expected.cases[0]
    const names: string[] = c.columns.map((col: { name: string }) => col.name)
    const rows = readTable('type-widening', 'none').map((r) => names.map((n) => r[n]))
    expect(sortedRows(rows)).toEqual(sortedRows(c.rows))
  })

  for (const mode of ['name', 'id'] as const) {
    it(`table-with-columnmapping-mode-name: physical columns found in ${mode} mode`, () => {
      const schema = latestSchema('table-with-columnmapping-mode-name')
      const expected = parquetFiles(join(CORPUS, 'expected/table-with-columnmapping-mode-name'))
        .flatMap((f) => arrowToPlain(conformTable(readParquetFile(f), schema, { columnMapping: 'none' })))
      const actual = readTable('table-with-columnmapping-mode-name', mode)
      expect(actual).toHaveLength(6)
      // Every logical column is found: nothing came back all-null by a failed match.
      for (const f of schema.fields) expect(actual.some((r) => r[f.name] !== null), f.name).toBe(true)
      expect(sortedRows(actual)).toEqual(sortedRows(expected))
    })
  }

  for (const table of ['parquet-all-types', 'decimal-various-scale-precision']) {
    it(`${table}: every type matches the expected result`, () => {
      const schema = latestSchema(table)
      const expected = parquetFiles(join(CORPUS, 'expected', table))
        .flatMap((f) => arrowToPlain(conformTable(readParquetFile(f), schema, { columnMapping: 'none' })))
      const actual = readTable(table, 'none')
      expect(actual.length).toBeGreaterThan(0)
      expect(sortedRows(actual)).toEqual(sortedRows(expected))
    })
  }
})
