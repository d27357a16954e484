// The floor of opening a table: list the log, fetch the files a reader must fetch with the
// library's own parallelism, and decode them with nothing on top (JSON.parse of every commit
// line, parquet-wasm's decode of the checkpoint into JS Arrow).
//
// A checkpoint is decoded as the library decodes it: the same columns (the adds but their stats,
// which the open leaves for later, and every non-file action a snapshot needs), one row group at a time (the library's batches of 64Ki
// rows are whole row groups of the checkpoints it writes), in one thread, keeping each decoded
// row group's table as the library keeps its columns. Decoding the whole file in one call
// would hold all of it in wasm memory at once and time a different decode; decoding fewer
// columns would time less work than the open must do. So this is the least work an open can
// do with the same tool, and its peak memory is that of the decoded columns kept.
import { importDist } from './paths.js'
import { decodeRowGroups } from './wasm.js'

const { LOG_READ_CONCURRENCY } = await importDist('delta/log/snapshot.js')
const { mapLimit } = await importDist('delta/engine/concurrency.js')

/**
 * Read and `JSON.parse` every line of the commit files, LOG_READ_CONCURRENCY at a time, as the
 * library fetches them.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 * @param {string[]} paths
 * @returns {Promise<number>} the number of lines parsed
 */
export async function parseCommitFiles(storage, paths) {
  const decoder = new TextDecoder()
  const counts = await mapLimit(paths, LOG_READ_CONCURRENCY, async (path) => {
    const text = decoder.decode(await storage.read(path))
    let n = 0
    for (const line of text.split('\n')) {
      if (line.length === 0) continue
      JSON.parse(line)
      n++
    }
    return n
  })
  return counts.reduce((a, b) => a + b, 0)
}

/**
 * The log's commit and checkpoint files, from one listing.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 * @param {string} [startAfter]
 */
export async function listLogFiles(storage, startAfter) {
  const files = await storage.list('_delta_log', startAfter ? { startAfter } : undefined)
  return {
    commits: files.filter((f) => /\/\d{20}\.json$/.test(f.path)).map((f) => f.path),
    checkpoints: files.filter((f) => /\/\d{20}\.checkpoint\.parquet$/.test(f.path)).map((f) => f.path),
  }
}

/** The non-file actions a snapshot decodes from a checkpoint (src/delta/checkpoint/read.ts). */
const OTHER_COLUMNS = ['metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata']

/**
 * The checkpoint columns a table's open decodes: every field of the adds but their stats (read
 * later, when a question needs them) and the non-file actions; a file lacking some of them is
 * decoded without them.
 */
export const CHECKPOINT_COLUMNS = [
  ...['path', 'partitionValues', 'size', 'modificationTime', 'dataChange', 'tags', 'deletionVector',
    'baseRowId', 'defaultRowCommitVersion', 'clusteringProvider', 'partitionValues_parsed'].map((f) => `add.${f}`),
  ...OTHER_COLUMNS,
]

/**
 * The floor of opening a checkpointed table: one listing, then the checkpoint (decoded row
 * group by row group with the same columns into JS Arrow, each row group's table kept) and the
 * commits after it, fetched together.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 */
export async function readCheckpointFloor(storage) {
  const { commits, checkpoints } = await listLogFiles(storage)
  const checkpoint = checkpoints.at(-1)
  if (!checkpoint) throw new Error('the table has no classic checkpoint')
  const cpVersion = Number(/(\d{20})\.checkpoint/.exec(checkpoint)[1])
  const after = commits.filter((p) => Number(/(\d{20})\.json$/.exec(p)[1]) > cpVersion)
  const kept = []
  const [rows, lines] = await Promise.all([
    storage.read(checkpoint).then((bytes) => decodeRowGroups(bytes, CHECKPOINT_COLUMNS, (t) => kept.push(t))),
    parseCommitFiles(storage, after),
  ])
  return { rows, row_groups: kept.length, lines, tables: kept }
}

/**
 * The floor of replaying a v2 checkpoint's files: one listing, then the newest top-level v2
 * checkpoint file (its snapshot columns, which name the sidecars) and the commits after it
 * together, then the `add` column of every sidecar, one sidecar and one row group at a time,
 * each row group's table dropped once decoded. Any replay of the table's files must decode at
 * least this; what it keeps of it is the replay's own business.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 */
export async function readV2CheckpointFloor(storage) {
  const files = await storage.list('_delta_log')
  const tops = files.map((f) => f.path).filter((p) => /\/\d{20}\.checkpoint\.[^./]+\.parquet$/.test(p))
  const top = tops.at(-1)
  if (!top) throw new Error('the table has no v2 checkpoint in Parquet')
  const cpVersion = Number(/(\d{20})\.checkpoint/.exec(top)[1])
  const after = files.map((f) => f.path).filter((p) => /\/\d{20}\.json$/.test(p) && Number(/(\d{20})\.json$/.exec(p)[1]) > cpVersion)
  const sidecars = []
  const [topRows, lines] = await Promise.all([
    storage.read(top).then((bytes) => decodeRowGroups(bytes, ['add', ...OTHER_COLUMNS], (t) => sidecars.push(...sidecarPaths(t)))),
    parseCommitFiles(storage, after),
  ])
  let adds = 0
  let rowGroups = 0
  for (const path of sidecars) {
    adds += await decodeRowGroups(await storage.read(`_delta_log/_sidecars/${path}`), ['add'], () => rowGroups++)
  }
  return { top_level_rows: topRows, sidecars: sidecars.length, sidecar_rows: adds, sidecar_row_groups: rowGroups, lines }
}

/**
 * The sidecar file names a decoded top-level checkpoint table lists.
 * @param {import('apache-arrow').Table} table
 */
function sidecarPaths(table) {
  const column = table.getChild('sidecar')
  if (!column) return []
  const out = []
  for (const row of column) {
    if (!row) continue
    const path = decodeURIComponent(row.path)
    out.push(path.slice(path.lastIndexOf('/') + 1))
  }
  return out
}
