import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
const { DeltaTable } = await import('../../dist/index.js')
const { NodeFsStorage, nodeParquetCodec } = await import('../../dist/node.js')
const parquet = await nodeParquetCodec()
const base = process.argv[2]
const first = await DeltaTable.open(base, { storage: new NodeFsStorage(base), parquet })
const sample = await first.toArrow({ filter: 'id >= 9500000 AND id < 9505000' })
const n = 10000
const id = new BigInt64Array(n); const amount = new Float64Array(n)
for (let i = 0; i < n; i++) { id[i] = BigInt(i < 5000 ? 9500000 + i * 100 : 10000000 + i); amount[i] = i }
const grp = Array.from({ length: n }, (_, i) => `g${i % 10}`)
const ts = sample.getChild('ts').slice(0, 1).toArray()
const source = tableFromArrays({ id, grp, amount })
const times = []
for (let i = 0; i < 6; i++) {
  const copy = mkdtempSync(join(tmpdir(), 'prof-'))
  cpSync(base, copy, { recursive: true })
  const dt = await DeltaTable.open(copy, { storage: new NodeFsStorage(copy), parquet })
  const t0 = performance.now()
  const r = await dt.merge(source, { predicate: 't.id = s.id', sourceAlias: 's', targetAlias: 't' }).whenMatchedUpdate({ amount: 's.amount' }).whenNotMatchedInsert({ id: 's.id', grp: 's.grp', amount: 's.amount' }).execute()
  times.push(performance.now() - t0)
  if (i === 0) console.log(r.numTargetFilesScanned, r.numTargetRowsUpdated, r.numTargetRowsInserted, r.scanTimeMs, r.rewriteTimeMs)
  rmSync(copy, { recursive: true, force: true })
}
console.log(times.map((t) => t.toFixed(1)).join(' '), ts.length)
process.exit(0)
