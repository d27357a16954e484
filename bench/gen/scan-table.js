// Workload 4's table: `rows` mixed-type rows written by the library's writer, partitioned by a
// low-cardinality column, streamed batch by batch, rolling files at `target` bytes of Arrow data.
import { parseFlags, numberFlag, stringFlag } from '../lib/cli.js'
import { importDist } from '../lib/paths.js'
import { scanBatches } from '../lib/scan-data.js'

const flags = parseFlags(process.argv.slice(2))
const out = stringFlag(flags, 'out')
const rows = numberFlag(flags, 'rows', 10_000_000)
const target = numberFlag(flags, 'target', 6 * 2 ** 20)

const { writeDeltaLake } = await importDist('index.js')
const result = await writeDeltaLake(out, scanBatches(Math.round(rows)), { mode: 'error', partitionBy: ['region'], targetFileSize: Math.round(target) })
console.log(`scan table: ${result.rowsWritten} rows in ${result.filesAdded} files, version ${result.version}`)
