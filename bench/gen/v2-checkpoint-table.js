// A simulated table of many files behind a v2 checkpoint: `files` synthetic adds (the files need
// not exist), partitioned by `region` with `regions` values so one partition holds 1/regions of
// them, in a v2 checkpoint with `sidecars` sidecars, then `tail` single-add commits after it.
// The table is created through the transaction layer as reader 3 / writer 7 with the v2Checkpoint
// feature. The checkpoint is written by the library's own writer pieces, one sidecar at a time
// from adds generated for that sidecar alone, so the generator's memory is bounded by one
// sidecar, not by the table. The checkpoint stands for version 0, whose commit is then deleted
// as log clean-up would: opening reads only the checkpoint, its sidecars and the tail.
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { appendTransaction, createTransaction, syntheticAdd } from '../lib/log-data.js'
import { importDist } from '../lib/paths.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const files = numberFlag(flags, 'files', 10_000_000)
const sidecarCount = numberFlag(flags, 'sidecars', 20)
const tail = numberFlag(flags, 'tail', 20)
const regions = numberFlag(flags, 'regions', 100)
const seed = numberFlag(flags, 'seed', 3)
if (!Number.isSafeInteger(sidecarCount) || sidecarCount > files) throw new Error(`--sidecars must be a whole number of at most --files (${files}), got ${sidecarCount}`)

const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const { commitTransaction } = await importDist('delta/txn/commit.js')
const { loadSnapshot } = await importDist('delta/log/snapshot.js')
const { writeSidecar, writeV2CheckpointFile } = await importDist('delta/checkpoint/write-v2.js')
const { commitPath } = await importDist('delta/log/log-path.js')
const storage = new NodeFsStorage(out)
const engine = { storage, parquet: await nodeParquetCodec() }
const t0 = performance.now()
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1)

let version = (await commitTransaction(engine, -1, createTransaction(seed, { regions, v2Checkpoint: true }))).version
// The state a checkpoint needs besides its files; the created table has none yet.
const { protocol, metadata, schema, columnMapping, txns, domains } = await loadSnapshot(engine, version)
const state = { version, protocol, metadata, schema, columnMapping, txns, domains }

/**
 * The adds of files [from, to), generated as they are consumed.
 * @param {number} from
 * @param {number} to
 */
function* addsOf(from, to) {
  for (let i = from; i < to; i++) yield syntheticAdd(seed, i, regions)
}

const sidecars = []
for (let s = 0; s < sidecarCount; s++) {
  // Sidecar s holds files [files * s / n, files * (s + 1) / n): sizes differ by one at most.
  const from = Math.floor((files * s) / sidecarCount)
  const to = Math.floor((files * (s + 1)) / sidecarCount)
  const sidecar = await writeSidecar(engine, state, addsOf(from, to))
  sidecars.push(sidecar)
  const rss = process.memoryUsage().rss
  console.log(`  sidecar ${s + 1}/${sidecarCount}: ${sidecar.numOfAddFiles} adds, ${mib(sidecar.action.sizeInBytes)} MiB (${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${mib(rss)} MiB)`)
}
const cp = await writeV2CheckpointFile(engine, state, sidecars)
await storage.delete(commitPath(version))
for (let i = 0; i < tail; i++) {
  version = (await commitTransaction(engine, version, appendTransaction([syntheticAdd(seed, files + i, regions)], version))).version
}

const sizes = sidecars.map((s) => s.action.sizeInBytes)
const topLevel = cp.sizeInBytes - sizes.reduce((a, b) => a + b, 0)
// maxRSS is in KiB.
const peak = process.resourceUsage().maxRSS * 1024
console.log(
  `v2 checkpoint table: ${cp.numOfAddFiles} adds in ${regions} partitions, checkpoint at version ${cp.version} ` +
  `(${cp.path}, ${(topLevel / 1024).toFixed(1)} KiB) with ${sidecars.length} sidecars of ${mib(Math.min(...sizes))}-${mib(Math.max(...sizes))} MiB ` +
  `(${mib(cp.sizeInBytes)} MiB in all), ${tail} commits after it; ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${mib(peak)} MiB`,
)
