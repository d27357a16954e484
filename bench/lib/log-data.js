// Synthetic log actions for the open workloads: the files they name need not exist, since
// opening a table reads only the log.
import { intsFrom, seededRandom, seededUuid } from './rng.js'

/** The schema the synthetic adds' stats describe. */
export const LOG_SCHEMA = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'amount', type: 'double', nullable: true, metadata: {} },
    { name: 'customer', type: 'string', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
  ],
}

/** The partition column of partitioned synthetic tables (`regions` values, one per file index modulo). */
export const PARTITION_COLUMN = { name: 'region', type: 'string', nullable: true, metadata: {} }

const T0 = Date.UTC(2024, 0, 1)

/**
 * @typedef {{ regions?: number, v2Checkpoint?: boolean }} TableShape
 * `regions` > 0 partitions the table by `region` with that many values; `v2Checkpoint` makes it
 * a reader 3 / writer 7 table with the v2Checkpoint feature and `delta.checkpointPolicy=v2`.
 */

/**
 * The protocol and metaData actions of a new table: by default reader 1, writer 2 (what most
 * tables in the wild use), unpartitioned.
 * @param {number} seed
 * @param {TableShape} [shape]
 */
export function createTableActions(seed, shape = {}) {
  const random = seededRandom(seed)
  const regions = shape.regions ?? 0
  const schema = regions > 0 ? { ...LOG_SCHEMA, fields: [...LOG_SCHEMA.fields, PARTITION_COLUMN] } : LOG_SCHEMA
  return [
    shape.v2Checkpoint
      ? { kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] }
      : { kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 },
    {
      kind: 'metaData',
      id: seededUuid(random),
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify(schema),
      partitionColumns: regions > 0 ? [PARTITION_COLUMN.name] : [],
      configuration: shape.v2Checkpoint ? { 'delta.checkpointPolicy': 'v2' } : {},
      createdTime: T0,
    },
  ]
}

/**
 * The partition value of the `index`-th synthetic file of a table with `regions` values: files
 * go round the values, so each holds 1/`regions` of them.
 * @param {number} index
 * @param {number} regions
 */
export function regionOf(index, regions) {
  return `r${String(index % regions).padStart(3, '0')}`
}

/**
 * The add action of the `index`-th synthetic file, with stats as a writer would store them.
 * Deterministic in (`seed`, `index`), so any slice of a log can be built alone. With `regions`
 * > 0 the file is in partition `region=regionOf(index, regions)`.
 * @param {number} seed
 * @param {number} index
 * @param {number} [regions]
 */
export function syntheticAdd(seed, index, regions = 0) {
  const random = seededRandom(seed * 7919 + index)
  const int = intsFrom(random)
  const rows = 1000 + int(100_000)
  const first = index * 200_000
  const t = T0 + index * 60_000
  const iso = (ms) => new Date(ms).toISOString()
  const stats = {
    numRecords: rows,
    minValues: { id: first, amount: round2(random() * 10), customer: `cust-${String(int(1000)).padStart(5, '0')}`, ts: iso(t) },
    maxValues: { id: first + rows - 1, amount: round2(1000 + random() * 9000), customer: `cust-${String(90_000 + int(9999)).padStart(5, '0')}`, ts: iso(t + 59_999) },
    nullCount: { id: 0, amount: int(10), customer: int(5), ts: 0 },
  }
  const name = `part-${String(index % 100_000).padStart(5, '0')}-${seededUuid(random)}-c000.snappy.parquet`
  const region = regions > 0 ? regionOf(index, regions) : undefined
  return {
    kind: 'add',
    path: region === undefined ? name : `region=${region}/${name}`,
    partitionValues: region === undefined ? {} : { region },
    size: 1_000_000 + int(50_000_000),
    modificationTime: t,
    dataChange: true,
    stats: JSON.stringify(stats),
  }
}

function round2(x) {
  return Math.round(x * 100) / 100
}

/**
 * A blind append's transaction summary for `commitTransaction`, as the library's writer builds
 * one.
 * @param {object[]} adds
 * @param {number} readVersion
 */
export function appendTransaction(adds, readVersion) {
  return {
    actions: [
      { kind: 'commitInfo', info: { timestamp: 0, operation: 'WRITE', operationParameters: { mode: 'Append' }, readVersion, isBlindAppend: true } },
      ...adds,
    ],
    read: { files: new Set() },
    isolation: 'WriteSerializable',
    isBlindAppend: true,
  }
}

/**
 * The transaction that creates the table.
 * @param {number} seed
 * @param {TableShape} [shape]
 */
export function createTransaction(seed, shape = {}) {
  return {
    actions: [{ kind: 'commitInfo', info: { timestamp: 0, operation: 'CREATE TABLE', operationParameters: {} } }, ...createTableActions(seed, shape)],
    read: { files: new Set() },
    isolation: 'WriteSerializable',
    isBlindAppend: false,
  }
}
