import type { Table } from 'apache-arrow'
import type { DeltaTable } from '../../src/index.js'
import { canonicalizeTable } from './canonical.js'
import { canonicalizeJsonValue } from './canonical-json.js'
import { diffColumnNames, diffRows } from './compare.js'
import type { ExpectedCase, ExpectedMetadata, ExpectedQuery } from './corpus.js'
import { openTable } from './library.js'
import { expectDeltaError } from './outcome.js'
import { parseColumns, toFilterString } from './query.js'

/** Change feed column left out of comparisons: it depends on file modification times. */
const COMMIT_TIMESTAMP = '_commit_timestamp'

/** Run one `expected.json` case against the table folder: undefined on a match, else why not. */
export async function checkCase(tableDir: string, c: ExpectedCase): Promise<string | undefined> {
  const q = c.query
  if (c.expectError) return expectDeltaError(() => runQuery(tableDir, q), c.reason ?? 'negative case')
  if (q.type === 'metadata') return checkMetadata(await openTable(tableDir, openOptions(q.version)), c.expectMetadata ?? {})
  return compareResult(await runQuery(tableDir, q), c, q.type === 'cdf' ? [COMMIT_TIMESTAMP] : [])
}

function openOptions(version: number | null): { version?: number } {
  return version === null ? {} : { version }
}

/** Open and read what the query asks for; a metadata query also lists the files. */
async function runQuery(tableDir: string, q: ExpectedQuery): Promise<Table | undefined> {
  if (q.type === 'cdf') {
    const t = await openTable(tableDir)
    return t.changes(q.endVersion === null ? { startVersion: q.startVersion } : { startVersion: q.startVersion, endVersion: q.endVersion })
  }
  const t = await openTable(tableDir, openOptions(q.version))
  if (q.type === 'metadata') {
    await t.files()
    return undefined
  }
  return t.toArrow({
    ...(q.columns ? { columns: q.columns } : {}),
    ...(q.filter ? { filter: toFilterString(q.filter) } : {}),
  })
}

function compareResult(table: Table | undefined, c: ExpectedCase, ignored: string[]): string | undefined {
  if (!table) return 'the query returned no table'
  const names = table.schema.fields.map((f) => f.name).filter((n) => !ignored.includes(n))
  if (c.columns) {
    const columnDiff = diffColumnNames(names, c.columns.map((col) => col.name))
    if (columnDiff) return columnDiff
  }
  if (c.rows && c.columns) {
    const specs = parseColumns(c.columns)
    const expected = c.rows.map((row, r) => specs.map((s, k) => canonicalizeJsonValue(row[k], s.type, `row ${r} ${s.name}`)))
    return diffRows(canonicalizeTable(table, specs), expected, specs.map((s) => s.name))
  }
  if (c.rowCount !== undefined && table.numRows !== c.rowCount) {
    return `row count differs: got ${table.numRows}, expected ${c.rowCount}`
  }
  return undefined
}

async function checkMetadata(t: DeltaTable, m: ExpectedMetadata): Promise<string | undefined> {
  const problems: string[] = []
  if (m.version !== undefined && t.version !== m.version) problems.push(`version: got ${t.version}, expected ${m.version}`)
  if (m.checkpointVersion !== undefined && t.checkpointVersion() !== m.checkpointVersion) {
    problems.push(`checkpointVersion: got ${String(t.checkpointVersion())}, expected ${m.checkpointVersion}`)
  }
  if (m.appTransactions) {
    const got = JSON.stringify(sortedEntries(t.appTransactions()))
    const want = JSON.stringify(sortedEntries(m.appTransactions))
    if (got !== want) problems.push(`appTransactions: got ${got}, expected ${want}`)
  }
  if (m.activeFiles) problems.push(...diffActiveFiles(await t.files(), m.activeFiles))
  return problems.length ? problems.join('\n') : undefined
}

function sortedEntries(o: Record<string, number>): [string, number][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Active files compare as a set of paths, plus the modification time where one is expected. */
function diffActiveFiles(got: { path: string; modificationTime: number }[], want: { path: string; modificationTime?: number }[]): string[] {
  const problems: string[] = []
  const gotPaths = got.map((f) => f.path)
  const pathDiff = diffColumnNames(gotPaths, want.map((f) => f.path))
  if (pathDiff || gotPaths.length !== new Set(gotPaths).size) {
    problems.push(`activeFiles: got [${gotPaths.join(', ')}], expected [${want.map((f) => f.path).join(', ')}]`)
  }
  for (const w of want) {
    const g = got.find((f) => f.path === w.path)
    if (g && w.modificationTime !== undefined && g.modificationTime !== w.modificationTime) {
      problems.push(`activeFiles ${w.path}: modificationTime ${g.modificationTime}, expected ${w.modificationTime}`)
    }
  }
  return problems
}
