import { parseSchema } from '../../src/delta/model/schema.js'
import type { ColumnSpec } from './canonical.js'
import type { ExpectedColumn, ExpectedFilter, ExpectedQuery } from './corpus.js'

/** A query in a few words, for failure messages. */
export function describeQuery(q: ExpectedQuery): string {
  if (q.type === 'cdf') return `cdf ${q.startVersion}..${q.endVersion ?? 'latest'}`
  const at = `@${q.version ?? 'latest'}`
  if (q.type === 'metadata') return `metadata ${at}`
  const cols = q.columns ? ` columns [${q.columns.join(', ')}]` : ''
  return `snapshot ${at}${cols}${q.filter ? ` where ${toFilterString(q.filter)}` : ''}`
}

/** The library's filter syntax for a corpus filter: backticked column, single-quoted strings. */
export function toFilterString(f: ExpectedFilter): string {
  const column = `\`${f.column.replaceAll('`', '``')}\``
  const v = f.value
  const literal = v === null ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v)
  return `${column} ${f.op} ${literal}`
}

/** Case columns as canonicalizer specs; types parse with the library's schema parser. */
export function parseColumns(columns: readonly ExpectedColumn[]): ColumnSpec[] {
  const fields = columns.map((c) => ({ name: c.name, type: c.type, nullable: true, metadata: {} }))
  return parseSchema(JSON.stringify({ type: 'struct', fields })).fields.map((f) => ({ name: f.name, type: f.type }))
}
