import { serializeValue, type Canonical } from './canonical-value.js'

/** How many differing rows a diff shows per side: enough to see the pattern, short enough to read. */
const SHOWN_ROWS = 5

/**
 * Compare two row sets as multisets (row order carries no meaning; duplicates count). Returns
 * undefined when equal, else a readable diff: row counts, the columns, and the first rows that
 * only one side has.
 */
export function diffRows(actual: Canonical[][], expected: Canonical[][], columns: readonly string[]): string | undefined {
  const counts = new Map<string, number>()
  for (const row of expected) {
    const key = serializeValue(row)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const extra: string[] = []
  for (const row of actual) {
    const key = serializeValue(row)
    const n = counts.get(key) ?? 0
    if (n > 0) counts.set(key, n - 1)
    else extra.push(key)
  }
  const missing = [...counts].flatMap(([key, n]) => Array<string>(n).fill(key))
  if (extra.length === 0 && missing.length === 0) return undefined
  return [
    `rows differ: got ${actual.length}, expected ${expected.length}`,
    `columns: [${columns.join(', ')}]`,
    ...section(`missing (expected, not read) ${missing.length}`, missing),
    ...section(`unexpected (read, not expected) ${extra.length}`, extra),
  ].join('\n')
}

function section(title: string, rows: string[]): string[] {
  if (rows.length === 0) return []
  const shown = [...rows].sort().slice(0, SHOWN_ROWS).map((r) => `    ${r}`)
  const more = rows.length > SHOWN_ROWS ? [`    ... ${rows.length - SHOWN_ROWS} more`] : []
  return [`  ${title}:`, ...shown, ...more]
}

/** Undefined when both name lists hold the same names (in any order), else what differs. */
export function diffColumnNames(actual: readonly string[], expected: readonly string[]): string | undefined {
  const missing = expected.filter((n) => !actual.includes(n))
  const extra = actual.filter((n) => !expected.includes(n))
  if (missing.length === 0 && extra.length === 0) return undefined
  return `columns differ: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}] (got [${actual.join(', ')}])`
}
