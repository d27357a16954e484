// What the scan and write workloads need to know about the generated scan table, worked out
// once per process before anything is timed: its data files, and the filter of the pruned scan.
import { join } from 'node:path'
import { importDist } from './paths.js'

/** The two columns of the projected scan: a long and a double. */
export const TWO_COLUMNS = ['id', 'amount']
/** The partition the filtered scan keeps. */
export const FILTER_REGION = 'europe'

/**
 * The table's active files with their stats parsed, in log order.
 * @param {string} dir
 */
export async function describeTable(dir) {
  const { DeltaTable } = await importDist('index.js')
  const table = await DeltaTable.open(dir)
  const files = (await table.files()).map((f) => {
    const stats = f.stats ? JSON.parse(f.stats) : undefined
    return {
      path: decodeURIComponent(f.path),
      absolute: join(dir, ...decodeURIComponent(f.path).split('/')),
      region: f.partitionValues.region,
      minId: stats?.minValues?.id,
      maxId: stats?.maxValues?.id,
      rows: stats?.numRecords,
    }
  })
  return { version: table.version, files }
}

/**
 * A filter that file statistics can prune to one file: a partition value and a narrow id range
 * inside the middle file of that partition. Also returns the files that can match, worked out
 * here from the stats alone, to check that the scan reads exactly those.
 * @param {Awaited<ReturnType<typeof describeTable>>['files']} files
 */
export function chooseFilter(files) {
  const inRegion = files.filter((f) => f.region === FILTER_REGION && f.minId !== undefined).sort((a, b) => a.minId - b.minId)
  const middle = inRegion[inRegion.length >> 1]
  if (!middle) throw new Error(`the scan table has no files with stats in region '${FILTER_REGION}'`)
  const span = middle.maxId - middle.minId
  const lo = middle.minId + Math.floor(span / 3)
  const hi = lo + Math.min(999, Math.floor(span / 3))
  const text = `region = '${FILTER_REGION}' AND id >= ${lo} AND id <= ${hi}`
  const matching = files.filter((f) => f.region === FILTER_REGION && !(f.maxId < lo || f.minId > hi))
  return { text, lo, hi, matching }
}

/**
 * A DuckDB list literal of file paths.
 * @param {{ absolute: string }[]} files
 */
export function sqlFileList(files) {
  return `[${files.map((f) => `'${f.absolute.replace(/'/g, "''")}'`).join(', ')}]`
}
