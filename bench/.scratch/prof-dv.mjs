import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const { DeltaTable } = await import('../../dist/index.js')
const { NodeFsStorage, nodeParquetCodec } = await import('../../dist/node.js')
const parquet = await nodeParquetCodec()
const base = process.argv[2]
const op = process.argv[3] ?? 'delete'
const times = []
const dvBase = mkdtempSync(join(tmpdir(), 'dvbase-'))
cpSync(base, dvBase, { recursive: true })
{
  const { loadSnapshot } = await import('../../dist/delta/log/snapshot.js')
  const { startTransaction } = await import('../../dist/delta/txn/transaction.js')
  const { requiredProtocol } = await import('../../dist/delta/write/features/protocol-select.js')
  const engine = { storage: new NodeFsStorage(dvBase), parquet }
  const snapshot = await loadSnapshot(engine)
  const configuration = { ...snapshot.metadata.configuration, 'delta.enableDeletionVectors': 'true' }
  const protocol = requiredProtocol({ schema: snapshot.schema, configuration, partitionColumns: snapshot.metadata.partitionColumns }, snapshot.protocol)
  await startTransaction(engine, snapshot, { operation: 'SET TBLPROPERTIES' }).setMetadata({ ...snapshot.metadata, configuration }).setProtocol(protocol).commit()
}
for (let i = 0; i < 8; i++) {
  const copy = mkdtempSync(join(tmpdir(), 'prof-'))
  cpSync(dvBase, copy, { recursive: true })
  const storage = new NodeFsStorage(copy)
  const dt = await DeltaTable.open(copy, { storage, parquet })
  const t0 = performance.now()
  const pred = 'id >= 5050000 AND id <= 5149999'
  await (op === 'delete' ? await dt.delete(pred) : await dt.update({ amount: 'amount * 2' }, { predicate: pred }))
  times.push(performance.now() - t0)
  rmSync(copy, { recursive: true, force: true })
}
console.log(times.map((t) => t.toFixed(1)).join(' '))
process.exit(0)
