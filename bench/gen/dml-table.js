// The row-level workloads' table (delete, update, merge): `rows` rows in DML_FILES files of
// contiguous ids (see bench/lib/dml-data.js), encoded by the library's Parquet codec with stats
// from the library's own stats collector, committed through its transaction layer: version 0
// creates the table (reader 1, writer 2, no deletion vectors), version 1 adds every file. File
// names and commit contents are fixed, so the table is the same bytes every time.
import { Table } from 'apache-arrow'
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { DML_DELTA_SCHEMA, dmlFileName, dmlLayout, fileRows } from '../lib/dml-data.js'
import { appendTransaction } from '../lib/log-data.js'
import { importDist } from '../lib/paths.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const rows = Math.round(numberFlag(flags, 'rows', 10_000_000))
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
      kind: 'metaData', id: '6d6c0000-0000-4000-a000-000000000001', format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify(DML_DELTA_SCHEMA), partitionColumns: [], configuration: {}, createdTime: T0,
    },
  ],
  read: { files: new Set() },
  isolation: 'WriteSerializable',
  isBlindAppend: false,
}
const version = (await commitTransaction(engine, -1, create)).version

const layout = dmlLayout(rows)
const adds = []
let bytesTotal = 0
for (let k = 0; k < layout.files; k++) {
  const table = new Table([fileRows(layout, k)])
  const bytes = await engine.parquet.write(table, { compression: 'snappy' })
  await storage.put(dmlFileName(k), bytes)
  bytesTotal += bytes.length
  adds.push({
    kind: 'add', path: dmlFileName(k), partitionValues: {}, size: bytes.length, modificationTime: T0, dataChange: true,
    stats: collectStats(table, DML_DELTA_SCHEMA, { columnMapping: 'none' }),
  })
}
const last = (await commitTransaction(engine, version, appendTransaction(adds, version))).version
console.log(`dml table: ${rows} rows in ${layout.files} files of ${layout.perFile} rows (${(bytesTotal / 2 ** 20).toFixed(0)} MiB), version ${last}`)
