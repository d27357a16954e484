// Workload 2: open a table from a classic checkpoint of many adds with stats plus 20 commits.
// ours: DeltaTable.open. floor: list the log, then fetch the checkpoint and the 20 commits
// together; parquet-wasm decodes the checkpoint's snapshot columns into JS Arrow row group by
// row group (each kept, as the library keeps its columns), JSON.parse takes the commits.
import { stringFlag } from '../lib/cli.js'
import { readCheckpointFloor } from '../lib/log-floor.js'
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
    // numFiles, not files(): making a million file objects after the runs would count in the peak.
    describe: (table) => ({ version: table.version, files: table.numFiles, checkpoint_version: table.checkpointVersion() }),
  })
} else if (opts.variant === 'floor') {
  await measure(opts, { run: () => readCheckpointFloor(storage), describe: ({ tables: _kept, ...r }) => r })
} else throw new Error(`unknown variant ${opts.variant}`)
