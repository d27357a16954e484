import { join } from 'node:path'
import { findField } from '../../src/delta/model/schema.js'
import { canonicalizeTable, type ColumnSpec } from './canonical.js'
import type { Canonical } from './canonical-value.js'
import { checkCase } from './check-case.js'
import { diffColumnNames, diffRows } from './compare.js'
import { loadExpectedCases, type ManifestEntry } from './corpus.js'
import { readExpectedParquet, readLogSchema } from './expected.js'
import { openTable } from './library.js'
import { describeError, isFeatureRefusal } from './outcome.js'
import { describeQuery } from './query.js'

/**
 * Columns left out of a table's comparison because the shipped expectation is known to be
 * wrong. `data-reader-partition-values`: the expected `as_timestamp` is 2021-09-08T18:11:11Z,
 * Spark's reading of the zone-less partition string '2021-09-08 11:11:11' in its
 * America/Los_Angeles session zone; PROTOCOL.md makes zone-less partition timestamps UTC
 * (11:11:11Z). The corpus README documents this deviation.
 */
export const IGNORED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'data-reader-partition-values': ['as_timestamp'],
}

/** True when the notes allow the reader to refuse the table for an unimplemented feature. */
function refusalAllowed(entry: ManifestEntry): boolean {
  return entry.expected === null || /must refuse/i.test(entry.notes)
}

/** What checking one table found. */
export interface TableResult {
  /** Why the table does not conform; empty when it does. */
  failures: string[]
  /** Accepted refusals (UnsupportedFeature naming the table's feature), worth seeing in reports. */
  refusals: string[]
}

/**
 * Check one corpus table against its expectation. Never rejects, so every case of a table gets
 * reported.
 */
export async function checkTable(corpus: string, entry: ManifestEntry): Promise<TableResult> {
  const tableDir = join(corpus, entry.table)
  const result: TableResult = { failures: [], refusals: [] }
  try {
    if (entry.expected === null) await checkReadable(tableDir)
    else if (entry.expected.kind === 'parquet-dir') result.failures.push(...await checkParquetDir(corpus, entry, tableDir))
    else await checkJsonCases(corpus, entry, tableDir, result)
  } catch (e) {
    recordError(e, entry, result)
  }
  return result
}

function recordError(e: unknown, entry: ManifestEntry, result: TableResult, prefix = ''): void {
  if (refusalAllowed(entry) && isFeatureRefusal(e, entry)) result.refusals.push(`${prefix}${describeError(e)}`)
  else result.failures.push(`${prefix}${describeError(e)}`)
}

async function checkReadable(tableDir: string): Promise<void> {
  const t = await openTable(tableDir)
  await t.toArrow()
}

async function checkJsonCases(corpus: string, entry: ManifestEntry, tableDir: string, result: TableResult): Promise<void> {
  const cases = loadExpectedCases(corpus, entry.expected!)
  for (const [k, c] of cases.entries()) {
    const prefix = `case ${k} (${describeQuery(c.query)}):\n`
    try {
      const problem = await checkCase(tableDir, c)
      if (problem) result.failures.push(`${prefix}${indent(problem)}`)
    } catch (e) {
      recordError(e, entry, result, prefix)
    }
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n')
}

async function checkParquetDir(corpus: string, entry: ManifestEntry, tableDir: string): Promise<string[]> {
  const version = typeof entry.version === 'number' ? entry.version : undefined
  const t = await openTable(tableDir, version === undefined ? {} : { version })
  const actual = await t.toArrow()
  const files = await readExpectedParquet(corpus, entry.expected!)
  const ignored = IGNORED_COLUMNS[entry.name] ?? []
  const keep = (n: string): boolean => !ignored.includes(n)
  const expectedNames = (files[0]?.table.schema.fields ?? []).map((f) => f.name).filter(keep)
  const columnDiff = diffColumnNames(actual.schema.fields.map((f) => f.name).filter(keep), expectedNames)
  if (columnDiff) return [columnDiff]
  // The log's own schema is the type guide for both sides, independent of the reader's answer.
  const schema = readLogSchema(tableDir, version) ?? t.schema()
  const specs: ColumnSpec[] = expectedNames.map((name) => {
    const field = findField(schema, name)
    if (!field) throw new Error(`expected column '${name}' is not in the table schema`)
    return { name, type: field.type }
  })
  const expected: Canonical[][] = files.flatMap((f) => canonicalizeTable(f.table, specs))
  const diff = diffRows(canonicalizeTable(actual, specs), expected, expectedNames)
  return diff ? [diff] : []
}
