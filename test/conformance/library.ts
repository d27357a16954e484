import type { DeltaTable, OpenOptions } from '../../src/index.js'

/**
 * Open a table with the library under test. The library is imported on first use, not at load
 * time, so the suite still collects (and skips cleanly without a corpus) while the library is
 * mid-change, and an import failure shows up as each table's failure.
 */
export async function openTable(tableDir: string, opts: OpenOptions = {}): Promise<DeltaTable> {
  const { DeltaTable: Table } = await import('../../src/index.js')
  return Table.open(tableDir, opts)
}
