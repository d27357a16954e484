// The options of the change data feed, as delta-rs's `load_cdf` takes them: a range by version
// or by time, columns, a predicate, and allowOutOfRange. The fixture is written by the library's
// own writer on a storage whose clock the test sets, one hour between commits; the expected rows
// come from what each commit did, not from the reader.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Table } from 'apache-arrow'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })
afterEach(() => { vi.useRealTimers() })

const T0 = Date.UTC(2024, 0, 1)
const HOUR = 3_600_000
const CDF = { 'delta.enableChangeDataFeed': 'true' }

type Row = [id: number, p: string, v: number, type: string, version: number]

/** What each version of the fixture changed: v0 creates, v1 appends, v2 deletes id 1, v3 and v4 append. */
const CHANGES: Row[] = [
  [1, 'a', 10, 'insert', 0], [2, 'b', 20, 'insert', 0],
  [3, 'a', 30, 'insert', 1],
  [1, 'a', 10, 'delete', 2],
  [4, 'b', 40, 'insert', 3],
  [5, 'c', 50, 'insert', 4],
]

interface Fixture {
  storage: MemoryStorage
  /** Each version's commit time, ms: its commit file's modification time (or in-commit timestamp). */
  times: number[]
}

/**
 * Five versions, partitioned by p, change data feed on, commit k made at about T0 + k hours
 * (the storage's clock). `configuration` adds table properties.
 */
async function fixture(configuration: Record<string, string> = {}, now?: (hourOf: number) => number): Promise<Fixture> {
  let clock = T0
  const storage = new MemoryStorage({ now: () => clock })
  const at = (k: number) => {
    clock = now ? now(k) : T0 + k * HOUR
    if (vi.isFakeTimers()) vi.setSystemTime(T0 + k * HOUR)
  }
  const opts = { storage, parquet }
  at(0)
  await writeDeltaLake('mem', [{ id: 1n, p: 'a', v: 10n }, { id: 2n, p: 'b', v: 20n }], { ...opts, partitionBy: ['p'], configuration: { ...CDF, ...configuration } })
  at(1)
  await writeDeltaLake('mem', [{ id: 3n, p: 'a', v: 30n }], { ...opts, mode: 'append' })
  at(2)
  await (await DeltaTable.open('mem', opts)).delete('id = 1')
  at(3)
  await writeDeltaLake('mem', [{ id: 4n, p: 'b', v: 40n }], { ...opts, mode: 'append' })
  at(4)
  await writeDeltaLake('mem', [{ id: 5n, p: 'c', v: 50n }], { ...opts, mode: 'append' })
  const times: number[] = []
  for (let v = 0; v <= 4; v++) times.push((await storage.head(commitPath(v)))!.lastModified)
  return { storage, times }
}

function rows(t: Table): Row[] {
  return t.toArray().map((r) => [Number(r.id), r.p, Number(r.v), r._change_type, Number(r._commit_version)] as Row).sort(byRow)
}

function byRow(a: Row, b: Row): number {
  return a[4] - b[4] || a[0] - b[0] || a[3].localeCompare(b[3])
}

function between(start: number, end: number): Row[] {
  return CHANGES.filter((r) => r[4] >= start && r[4] <= end).sort(byRow)
}

async function open(storage: MemoryStorage | CountingStorage, version?: number): Promise<DeltaTable> {
  return DeltaTable.open('mem', { storage, parquet, ...(version !== undefined && { version }) })
}

const refused = (code = 'InvalidArgument') => (e: unknown) => isDeltaError(e, code as never)

describe('changes by time', () => {
  it('start at the first commit at or after startingTimestamp, end at the last at or before endingTimestamp', async () => {
    const { storage, times } = await fixture()
    const t = await open(storage)
    for (let a = 0; a <= 4; a++) {
      for (let b = a; b <= 4; b++) {
        // The exact commit times are inclusive, as Date and as ISO text.
        expect(rows(await t.changes({ startingTimestamp: new Date(times[a]!), endingTimestamp: new Date(times[b]!).toISOString() }))).toEqual(between(a, b))
      }
      // A millisecond later starts at the next commit; a millisecond earlier ends at the one before.
      if (a < 4) expect(rows(await t.changes({ startingTimestamp: new Date(times[a]! + 1) }))).toEqual(between(a + 1, 4))
      if (a > 0) expect(rows(await t.changes({ endingTimestamp: new Date(times[a]! - 1) }))).toEqual(between(0, a - 1))
    }
  })

  it('reads text without a zone as UTC, and mixes a time at one end with a version at the other', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    expect(rows(await t.changes({ startingTimestamp: '2024-01-01T01:30:00' }))).toEqual(between(2, 4))
    expect(rows(await t.changes({ startingTimestamp: '2024-01-01 01:30:00+01:00' }))).toEqual(between(1, 4))
    expect(rows(await t.changes({ startingTimestamp: '2024-01-01T00:30:00Z', endVersion: 2 }))).toEqual(between(1, 2))
    expect(rows(await t.changes({ startVersion: 2, endingTimestamp: '2024-01-01T03:30:00Z' }))).toEqual(between(2, 3))
  })

  it('gives each row its commit time in _commit_timestamp', async () => {
    const { storage, times } = await fixture()
    const c = await (await open(storage)).changes({ startingTimestamp: new Date(times[1]!) })
    const got = c.toArray().map((r) => [Number(r._commit_version), Number(r._commit_timestamp)])
    expect(got.length).toBe(4)
    for (const [version, ts] of got) expect(ts).toBe(times[version!])
  })

  it('uses in-commit timestamps where the table records them, not file times', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    // Every file gets the same modification time: only the in-commit timestamps tell commits apart.
    const { storage } = await fixture({ 'delta.enableInCommitTimestamps': 'true' }, () => T0 + 10 * HOUR)
    const ict: number[] = []
    for (let v = 0; v <= 4; v++) {
      const text = new TextDecoder().decode(await storage.read(commitPath(v)))
      ict.push(text.split('\n').map((l) => l && JSON.parse(l)).find((a) => a?.commitInfo)!.commitInfo.inCommitTimestamp)
    }
    expect(ict).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * HOUR))
    const t = await open(storage)
    expect(rows(await t.changes({ startingTimestamp: new Date(ict[2]!), endingTimestamp: new Date(ict[3]! + 1) }))).toEqual(between(2, 3))
    const c = await t.changes({ startingTimestamp: '2024-01-01T03:00:00Z' })
    expect(c.toArray().map((r) => [Number(r._commit_version), Number(r._commit_timestamp)])).toEqual([[3, ict[3]], [4, ict[4]]])
  })

  it('refuses a version and a time for the same end, and times that are not times', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    await expect(t.changes({ startVersion: 1, startingTimestamp: new Date(T0) })).rejects.toSatisfy(refused())
    await expect(t.changes({ endVersion: 1, endingTimestamp: new Date(T0) })).rejects.toSatisfy(refused())
    await expect(t.changes({ startingTimestamp: 'yesterday' })).rejects.toSatisfy(refused())
    await expect(t.changes({ endingTimestamp: new Date(Number.NaN) })).rejects.toSatisfy(refused())
    await expect(t.changes({ startingTimestamp: T0 } as never)).rejects.toSatisfy(refused())
    await expect(t.changes({ startingTimestmp: '2024-01-01' } as never)).rejects.toSatisfy(refused())
  })
})

describe('changes range', () => {
  it('starts at version 0 when no start is given', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    expect(rows(await t.changes())).toEqual(between(0, 4))
    expect(rows(await t.changes({ endVersion: 1 }))).toEqual(between(0, 1))
  })

  it('reads up to the end asked for, whatever version the table object is at', async () => {
    const { storage } = await fixture()
    const t = await open(storage, 1)
    expect(t.version).toBe(1)
    expect(rows(await t.changes({ startVersion: 0, endVersion: 4 }))).toEqual(between(0, 4))
    expect(rows(await t.changes({ startVersion: 2 }))).toEqual(between(2, 4))
    expect(t.version).toBe(1)
  })

  it('reads across checkpoints', async () => {
    // The fixture's clock is years behind: log cleanup would take every commit before the checkpoint.
    const { storage } = await fixture({ 'delta.checkpointInterval': '2', 'delta.enableExpiredLogCleanup': 'false' })
    expect(storage.paths().filter((p) => p.includes('.checkpoint.')).length).toBeGreaterThan(0)
    const t = await open(storage)
    expect(rows(await t.changes({ startVersion: 1 }))).toEqual(between(1, 4))
    expect(rows(await t.changes({ startVersion: 1, endVersion: 3 }))).toEqual(between(1, 3))
  })

  it('reads by version from a storage that cannot list, and says that times need a listing', async () => {
    const { storage } = await fixture()
    const noList = {
      capabilities: { ...storage.capabilities, list: false },
      list: () => Promise.reject(new Error('this storage cannot list')),
      read: storage.read.bind(storage),
      head: storage.head.bind(storage),
      put: storage.put.bind(storage),
      delete: storage.delete.bind(storage),
    }
    const t = await DeltaTable.open('mem', { storage: noList, parquet })
    expect(rows(await t.changes({ startVersion: 1, endVersion: 3 }))).toEqual(between(1, 3))
    expect(rows(await t.changes())).toEqual(between(0, 4))
    await expect(t.changes({ startingTimestamp: new Date(T0) })).rejects.toSatisfy(refused('UnsupportedFeature'))
  })
})

describe('changes out of range', () => {
  it('refuses a start after the latest version or commit, or empty with allowOutOfRange, with the columns of the result', async () => {
    const { storage, times } = await fixture()
    const t = await open(storage)
    const after = new Date(times[4]! + 1)
    for (const opts of [{ startVersion: 5 }, { startingTimestamp: after }, { startVersion: 3, endVersion: 1 }, { endingTimestamp: new Date(times[0]! - 1) }]) {
      await expect(t.changes(opts)).rejects.toSatisfy(refused())
      const empty = await t.changes({ ...opts, allowOutOfRange: true })
      expect(empty.numRows).toBe(0)
      expect(empty.schema.fields.map((f) => f.name)).toEqual(['id', 'p', 'v', '_change_type', '_commit_version', '_commit_timestamp'])
    }
    const empty = await t.changes({ startVersion: 9, columns: ['v'], allowOutOfRange: true })
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['v', '_change_type', '_commit_version', '_commit_timestamp'])
    await expect(t.changes({ startVersion: 9, columns: ['nope'], allowOutOfRange: true })).rejects.toSatisfy(refused())
  })

  it('refuses an end after the latest version, or reads up to the latest with allowOutOfRange', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    await expect(t.changes({ startVersion: 3, endVersion: 7 })).rejects.toSatisfy(refused())
    expect(rows(await t.changes({ startVersion: 3, endVersion: 7, allowOutOfRange: true }))).toEqual(between(3, 4))
    // An ending time after the latest commit simply ends there.
    expect(rows(await t.changes({ startVersion: 3, endingTimestamp: '2099-01-01T00:00:00Z' }))).toEqual(between(3, 4))
  })
})

describe('changes columns', () => {
  it('returns the columns asked for, in that order, then the change columns', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    const c = await t.changes({ columns: ['v', 'id'] })
    expect(c.schema.fields.map((f) => f.name)).toEqual(['v', 'id', '_change_type', '_commit_version', '_commit_timestamp'])
    const got = c.toArray().map((r) => [Number(r.id), Number(r.v), r._change_type, Number(r._commit_version)])
    expect(got.sort((a, b) => (a[3] as number) - (b[3] as number) || (a[0] as number) - (b[0] as number)))
      .toEqual(between(0, 4).map(([id, , v, type, version]) => [id, v, type, version]))
    // A partition column alone, and change columns named (they are always there).
    const p = await t.changes({ columns: ['p', '_change_type'], startVersion: 2, endVersion: 2 })
    expect(p.schema.fields.map((f) => f.name)).toEqual(['p', '_change_type', '_commit_version', '_commit_timestamp'])
    expect(p.toArray().map((r) => [r.p, r._change_type])).toEqual([['a', 'delete']])
    // No table column at all: still one row per change.
    const none = await t.changes({ columns: [] })
    expect(none.schema.fields.map((f) => f.name)).toEqual(['_change_type', '_commit_version', '_commit_timestamp'])
    const kinds = none.toArray().map((r) => [Number(r._commit_version), r._change_type] as [number, string])
    expect(kinds.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))).toEqual(between(0, 4).map((r) => [r[4], r[3]]))
  })

  it('refuses unknown and repeated columns', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    await expect(t.changes({ columns: ['id', 'nope'] })).rejects.toSatisfy(refused())
    await expect(t.changes({ columns: ['id', 'id'] })).rejects.toSatisfy(refused())
    await expect(t.changes({ columns: 'id' } as never)).rejects.toSatisfy(refused())
  })
})

describe('changes predicate', () => {
  it('keeps the rows where it is TRUE, over table and change columns', async () => {
    const { storage, times } = await fixture()
    const t = await open(storage)
    const cases: [string, (r: Row) => boolean][] = [
      ["_change_type = 'delete'", (r) => r[3] === 'delete'],
      ["p = 'a'", (r) => r[1] === 'a'],
      ["p = 'a' AND _change_type = 'insert'", (r) => r[1] === 'a' && r[3] === 'insert'],
      ['v > 15 AND _commit_version >= 1', (r) => r[2] > 15 && r[4] >= 1],
      ["p IN ('b', 'c') OR id = 1", (r) => r[1] === 'b' || r[1] === 'c' || r[0] === 1],
      [`_commit_timestamp >= '${new Date(times[3]!).toISOString()}'`, (r) => r[4] >= 3],
      ['NOT (v < 40)', (r) => r[2] >= 40],
    ]
    for (const [predicate, keep] of cases) {
      expect(rows(await t.changes({ predicate })), predicate).toEqual(between(0, 4).filter(keep))
    }
  })

  it('filters on columns that are not returned', async () => {
    const { storage } = await fixture()
    const c = await (await open(storage)).changes({ columns: ['id'], predicate: 'v >= 30' })
    expect(c.schema.fields.map((f) => f.name)).toEqual(['id', '_change_type', '_commit_version', '_commit_timestamp'])
    expect(c.toArray().map((r) => [Number(r.id), r._change_type]).sort()).toEqual([[3, 'insert'], [4, 'insert'], [5, 'insert']])
  })

  it('reads no file that its partition values, version or kind of change rule out', async () => {
    const { storage } = await fixture()
    const counting = new CountingStorage(storage)
    const t = await open(counting)
    const dataReads = () => [...new Set(counting.calls.filter((c) => c.op === 'read' && c.path.endsWith('.parquet')).map((c) => c.path))]
    counting.reset()
    expect(rows(await t.changes({ predicate: "p = 'c'" }))).toEqual(between(4, 4))
    expect(dataReads().length).toBe(1)
    expect(dataReads()[0]).toMatch(/^p=c\//)
    counting.reset()
    expect(rows(await t.changes({ predicate: '_commit_version = 3' }))).toEqual(between(3, 3))
    expect(dataReads().length).toBe(1)
    expect(dataReads()[0]).toMatch(/^p=b\//)
    // The delete removed a whole file, so its rows are derived from the remove (no change data
    // file): rows from added files are all inserts, and a predicate on deletes reads only that file.
    counting.reset()
    expect(rows(await t.changes({ predicate: "_change_type = 'delete'" }))).toEqual(between(2, 2))
    expect(dataReads().length).toBe(1)
    expect(dataReads()[0]).toMatch(/^p=a\//)
    counting.reset()
    expect(rows(await t.changes({ predicate: "_change_type = 'insert' AND p = 'a'" }))).toEqual(between(0, 4).filter((r) => r[3] === 'insert' && r[1] === 'a'))
    expect(dataReads().every((path) => path.startsWith('p=a/'))).toBe(true)
  })

  it('filters a change data file by row, reading it for the kinds of change it may hold', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n, p: 'a', v: 10n }, { id: 2n, p: 'a', v: 20n }], { storage, parquet, partitionBy: ['p'], configuration: CDF })
    // Half a file goes: the commit writes a change data file with the deleted row.
    await (await DeltaTable.open('mem', { storage, parquet })).update({ v: 'v + 1' }, { predicate: 'id = 1' })
    const counting = new CountingStorage(storage)
    const t = await open(counting)
    const c = await t.changes({ startVersion: 1, predicate: "_change_type = 'update_postimage'" })
    expect(c.toArray().map((r) => [Number(r.id), Number(r.v), r._change_type])).toEqual([[1, 11, 'update_postimage']])
    const reads = [...new Set(counting.calls.filter((x) => x.op === 'read' && x.path.endsWith('.parquet')).map((x) => x.path))]
    expect(reads).toEqual([expect.stringMatching(/^_change_data\/p=a\//)])
  })

  it('refuses a predicate that does not parse, names an unknown column, or is blank', async () => {
    const { storage } = await fixture()
    const t = await open(storage)
    for (const predicate of ['id >', 'nope = 1', '  ']) {
      await expect(t.changes({ predicate })).rejects.toSatisfy(refused())
    }
  })
})
