// Workload 1's table: a long log without a checkpoint, one add per commit, committed through
// the library's transaction layer with each commit's read version carried from the last.
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { appendTransaction, createTransaction, syntheticAdd } from '../lib/log-data.js'
import { importDist } from '../lib/paths.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const commits = numberFlag(flags, 'commits', 10_000)
const seed = numberFlag(flags, 'seed', 1)

const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const { commitTransaction } = await importDist('delta/txn/commit.js')
const engine = { storage: new NodeFsStorage(out), parquet: await nodeParquetCodec() }

let version = (await commitTransaction(engine, -1, createTransaction(seed))).version
for (let i = 0; i < commits; i++) {
  version = (await commitTransaction(engine, version, appendTransaction([syntheticAdd(seed, i)], version))).version
}
console.log(`log table: ${commits} commits of one add each, latest version ${version}`)
