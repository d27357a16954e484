import { Float64, Int64, makeVector, Table } from 'apache-arrow'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import { addAction, createActions, removeAction, writeCommit } from '../helpers/log-builder.js'

/** Rows per data file of the fixture table. */
export const ROWS_PER_FILE = 5

/** The data file paths of the fixture, in the order they are added. */
export const FIXTURE_FILES = Array.from({ length: 13 }, (_, k) => `part=${k % 2 === 0 ? 'even' : 'odd'}/part-${String(k).padStart(4, '0')}.parquet`)

/**
 * A small partitioned table written without the library's writer: version 0 creates it with
 * six files, version 1 adds seven more, version 2 removes file 0. Each file k holds ids
 * 5k..5k+4 (`value` = id / 2) and carries id min/max stats, so filters can skip files.
 */
export async function writeFixtureTable(storage: Storage, codec: ParquetCodec): Promise<void> {
  const adds = await Promise.all(FIXTURE_FILES.map(async (path, k) => {
    const ids = BigInt64Array.from({ length: ROWS_PER_FILE }, (_, i) => BigInt(k * ROWS_PER_FILE + i))
    const table = new Table({
      id: makeVector({ type: new Int64(), data: ids }),
      value: makeVector({ type: new Float64(), data: Float64Array.from(ids, (v) => Number(v) / 2) }),
    })
    const bytes = await codec.write(table)
    await storage.put(path, bytes)
    const stats = { numRecords: ROWS_PER_FILE, minValues: { id: k * ROWS_PER_FILE }, maxValues: { id: k * ROWS_PER_FILE + ROWS_PER_FILE - 1 }, nullCount: { id: 0, value: 0 } }
    return addAction(path, { size: bytes.length, partitionValues: { part: k % 2 === 0 ? 'even' : 'odd' }, stats: JSON.stringify(stats) })
  }))
  const create = createActions({ partitionColumns: ['part'] })
  const schema = { type: 'struct', fields: [long('id'), double('value'), string('part')] }
  const meta = create[2] as { metaData: { schemaString: string } }
  meta.metaData.schemaString = JSON.stringify(schema)
  await writeCommit(storage, 0, [...create, ...adds.slice(0, 6)])
  await writeCommit(storage, 1, [{ commitInfo: { timestamp: 2, operation: 'WRITE' } }, ...adds.slice(6)])
  await writeCommit(storage, 2, [{ commitInfo: { timestamp: 3, operation: 'DELETE' } }, removeAction(FIXTURE_FILES[0]!)])
}

function long(name: string): object {
  return { name, type: 'long', nullable: true, metadata: {} }
}

function double(name: string): object {
  return { name, type: 'double', nullable: true, metadata: {} }
}

function string(name: string): object {
  return { name, type: 'string', nullable: true, metadata: {} }
}
