// Workload 2's tables: `adds` add actions with stats in one classic checkpoint written by the
// library's checkpoint writer, then 20 single-add commits after it. The adds reach the log
// through the transaction layer in commits of 10,000; the commits the checkpoint covers are
// then deleted, as log clean-up would, so opening reads only the checkpoint and the 20 commits.
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { appendTransaction, createTransaction, syntheticAdd } from '../lib/log-data.js'
import { importDist } from '../lib/paths.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const adds = numberFlag(flags, 'adds', 1_000_000)
const tail = numberFlag(flags, 'tail', 20)
const seed = numberFlag(flags, 'seed', 2)
const PER_COMMIT = 10_000

const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const { commitTransaction } = await importDist('delta/txn/commit.js')
const { loadSnapshot } = await importDist('delta/log/snapshot.js')
const { writeCheckpoint } = await importDist('delta/checkpoint/write.js')
const { commitPath } = await importDist('delta/log/log-path.js')
const storage = new NodeFsStorage(out)
const engine = { storage, parquet: await nodeParquetCodec() }

let version = (await commitTransaction(engine, -1, createTransaction(seed))).version
for (let start = 0; start < adds; start += PER_COMMIT) {
  const batch = []
  for (let i = start; i < Math.min(adds, start + PER_COMMIT); i++) batch.push(syntheticAdd(seed, i))
  version = (await commitTransaction(engine, version, appendTransaction(batch, version))).version
}
const snapshot = await loadSnapshot(engine, version, { tombstones: true })
const cp = await writeCheckpoint(engine, snapshot)
for (let v = 0; v <= cp.version; v++) await storage.delete(commitPath(v))
for (let i = 0; i < tail; i++) {
  version = (await commitTransaction(engine, version, appendTransaction([syntheticAdd(seed, adds + i)], version))).version
}
console.log(`checkpoint table: ${cp.numOfAddFiles} adds in a ${(cp.sizeInBytes / 2 ** 20).toFixed(1)} MiB checkpoint at version ${cp.version}, ${tail} commits after it`)
