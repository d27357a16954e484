// Workload 1: open a table whose log is 10,000 commits of one add each, no checkpoint.
// ours: DeltaTable.open. floor: list the log, read every commit with the library's parallelism
// and JSON.parse every line.
import { stringFlag } from '../lib/cli.js'
import { listLogFiles, parseCommitFiles } from '../lib/log-floor.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const { DeltaTable } = await importDist('index.js')
const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const storage = new NodeFsStorage(dir)
const parquet = await nodeParquetCodec()

if (opts.variant === 'ours') {
  await measure(opts, {
    run: () => DeltaTable.open(dir, { storage, parquet }),
    describe: async (table) => ({ version: table.version, files: (await table.files()).length }),
  })
} else if (opts.variant === 'floor') {
  await measure(opts, {
    run: async () => parseCommitFiles(storage, (await listLogFiles(storage)).commits),
    describe: (lines) => ({ lines }),
  })
} else throw new Error(`unknown variant ${opts.variant}`)
