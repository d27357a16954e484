// The compaction workload's table: `rows` rows in `files` small files of contiguous ids, the
// rows of bench/lib/dml-data.js (same columns, values seeded by id), encoded by the library's
// Parquet codec (snappy) with stats from its own collector, committed through its transaction
// layer: version 0 creates the table, version 1 adds every file. Names and commits are fixed,
// so the table is the same bytes every time.
import { Table } from 'apache-arrow'
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { DML_DELTA_SCHEMA, fileRows } from '../lib/dml-data.js'
import { compactFileName, compactLayout } from '../lib/compact-data.js'
import { appendTransaction } from '../lib/log-data.js'
import { importDist } from '../lib/paths.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const layout = compactLayout(Math.round(numberFlag(flags, 'rows', 10_000_000)), Math.round(numberFlag(flags, 'files', 1000)))
const T0 = Date.UTC(2024, 0, 1)

const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const { commitTransaction } = await importDist('delta/txn/commit.js')
const { collectStats } = await importDist('delta/stats/collect.js')
const storage = new NodeFsStorage(out)
const engine = { storage, parquet: await nodeParquetCodec() }

const create = {
  actions: [
    { kind: 'commitInfo', info: { timestamp: 0, operation: 'CREATE TABLE', operationParameters: {} } },
    { kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 },
    {
      kind: 'metaData', id: '636f0000-0000-4000-a000-000000000001', format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify(DML_DELTA_SCHEMA), partitionColumns: [], configuration: {}, createdTime: T0,
    },
  ],
  read: { files: new Set() },
  isolation: 'WriteSerializable',
  isBlindAppend: false,
}
const version = (await commitTransaction(engine, -1, create)).version

const adds = []
let bytesTotal = 0
for (let k = 0; k < layout.files; k++) {
  const table = new Table([fileRows(layout, k)])
  const bytes = await engine.parquet.write(table, { compression: 'snappy' })
  await storage.put(compactFileName(k), bytes)
  bytesTotal += bytes.length
  adds.push({
    kind: 'add', path: compactFileName(k), partitionValues: {}, size: bytes.length, modificationTime: T0, dataChange: true,
    stats: collectStats(table, DML_DELTA_SCHEMA, { columnMapping: 'none' }),
  })
}
const last = (await commitTransaction(engine, version, appendTransaction(adds, version))).version
console.log(`compact table: ${layout.rows} rows in ${layout.files} files of ${layout.perFile} rows (${(bytesTotal / 2 ** 20).toFixed(1)} MiB), version ${last}`)
