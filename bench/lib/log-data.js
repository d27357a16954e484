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

const T0 = Date.UTC(2024, 0, 1)

/**
 * The protocol and metaData actions of a new table (reader 1, writer 2: what most tables in the
 * wild use).
 * @param {number} seed
 */
export function createTableActions(seed) {
  const random = seededRandom(seed)
  return [
    { kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 },
    {
      kind: 'metaData',
      id: seededUuid(random),
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify(LOG_SCHEMA),
      partitionColumns: [],
      configuration: {},
      createdTime: T0,
    },
  ]
}

/**
 * The add action of the `index`-th synthetic file, with stats as a writer would store them.
 * Deterministic in (`seed`, `index`), so any slice of a log can be built alone.
 * @param {number} seed
 * @param {number} index
 */
export function syntheticAdd(seed, index) {
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
  return {
    kind: 'add',
    path: `part-${String(index % 100_000).padStart(5, '0')}-${seededUuid(random)}-c000.snappy.parquet`,
    partitionValues: {},
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
 */
export function createTransaction(seed) {
  return {
    actions: [{ kind: 'commitInfo', info: { timestamp: 0, operation: 'CREATE TABLE', operationParameters: {} } }, ...createTableActions(seed)],
    read: { files: new Set() },
    isolation: 'WriteSerializable',
    isBlindAppend: false,
  }
}
