import { describe, expect, it } from 'vitest'
import type { Action, AddAction, MetadataAction } from '../../../src/delta/model/actions.js'
import { formatCommit } from '../../../src/delta/model/action-json.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { ABANDONED_TEMP_AGE_MS, cleanupExpiredLogs, parseInterval } from '../../../src/delta/checkpoint/log-cleanup.js'
import { LAST_CHECKPOINT_PATH, commitPath, padVersion } from '../../../src/delta/log/log-path.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 0, 1) // midnight UTC
const enc = new TextEncoder()

function metadata(configuration: Record<string, string>): MetadataAction {
  return {
    kind: 'metaData', id: 'cleanup', format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }),
    partitionColumns: [], configuration, createdTime: T0,
  }
}

function add(path: string): AddAction {
  return { kind: 'add', path, partitionValues: {}, size: 10, modificationTime: T0, dataChange: true }
}

interface Log {
  storage: MemoryStorage
  engine: Engine
  /** Set the clock that stamps the storage's modification times. */
  at(time: number): void
  /** The file list of every version, before any cleanup. */
  files: Map<number, string[]>
}

/**
 * Commits 0..12, commit v written at T0 + v days (or at `times[v]`), with a `.crc` next to
 * each, checkpoints at `checkpoints` (written when their commit is), and a compacted log 1..3.
 */
async function buildLog(configuration: Record<string, string>, opts: { checkpoints?: number[]; times?: Record<number, number> } = {}): Promise<Log> {
  let clock = T0
  const storage = new MemoryStorage({ now: () => clock })
  const engine: Engine = { storage, parquet: await nodeParquetCodec() }
  const files = new Map<number, string[]>()
  for (let v = 0; v <= 12; v++) {
    clock = opts.times?.[v] ?? T0 + v * DAY
    const actions: Action[] = [{ kind: 'commitInfo', info: { timestamp: clock } }]
    if (v === 0) actions.push({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 }, metadata(configuration))
    else actions.push(add(`f${v}.parquet`))
    if (v > 2) actions.push({ kind: 'remove', path: `f${v - 2}.parquet`, deletionTimestamp: clock, dataChange: true })
    await storage.put(commitPath(v), enc.encode(formatCommit(actions)))
    await storage.put(`_delta_log/${padVersion(v)}.crc`, enc.encode('{}'))
    if (v === 3) await storage.put(`_delta_log/${padVersion(1)}.${padVersion(3)}.compacted.json`, enc.encode(formatCommit(actions.slice(1))))
    if (opts.checkpoints?.includes(v)) await writeCheckpoint(engine, await loadSnapshot(engine, v, { tombstones: true }), { now: clock })
    files.set(v, (await loadSnapshot(engine, v)).files.map((f) => f.path).sort())
  }
  return { storage, engine, files, at: (t) => { clock = t } }
}

function names(paths: string[]): string[] {
  return paths.map((p) => p.slice(p.lastIndexOf('/') + 1))
}

describe('parseInterval', () => {
  it('reads Spark interval strings', () => {
    expect(parseInterval('interval 30 days')).toBe(30 * DAY)
    expect(parseInterval('interval 1 week')).toBe(7 * DAY)
    expect(parseInterval('INTERVAL 2 Hours')).toBe(2 * 3_600_000)
    expect(parseInterval('1 day 12 hours')).toBe(1.5 * DAY)
    expect(parseInterval('interval 90 seconds')).toBe(90_000)
    expect(parseInterval('interval 5 minutes')).toBe(300_000)
  })

  it('refuses what is not a fixed duration, naming the property', () => {
    for (const bad of ['a week', 'interval 3 months', '', 'interval', 'interval -1 days', 'interval 1.5 days']) {
      expect(() => parseInterval(bad, 'table property delta.logRetentionDuration'), bad).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining('delta.logRetentionDuration') }))
    }
  })
})

describe('cleanupExpiredLogs', () => {
  it('deletes files below the newest checkpoint before the cut-off, and every kept version still reads', async () => {
    const log = await buildLog({ 'delta.logRetentionDuration': 'interval 5 days' }, { checkpoints: [4, 8] })
    const now = T0 + 12 * DAY + DAY / 2
    const latest = await loadSnapshot(log.engine)
    // Cut-off: midnight of day 7. Commits 0..7 are older; the newest checkpoint at or below 7 is 4.
    const deleted = await cleanupExpiredLogs(log.engine, latest, { now })
    expect(names(deleted).sort()).toEqual([
      ...[0, 1, 2, 3].flatMap((v) => [`${padVersion(v)}.crc`, `${padVersion(v)}.json`]),
      `${padVersion(1)}.${padVersion(3)}.compacted.json`,
    ].sort())
    const left = names(log.storage.paths())
    expect(left).toContain(`${padVersion(4)}.checkpoint.parquet`)
    expect(left).toContain(`${padVersion(4)}.json`)
    expect(left).toContain('_last_checkpoint')
    for (let v = 4; v <= 12; v++) {
      const snap = await loadSnapshot(log.engine, v)
      expect(snap.files.map((f) => f.path).sort(), `version ${v}`).toEqual(log.files.get(v))
    }
    await expect(loadSnapshot(log.engine, 3)).rejects.toMatchObject({ code: 'NotFound' })
    // Running again deletes nothing more.
    expect(await cleanupExpiredLogs(log.engine, latest, { now })).toEqual([])
  })

  it('deletes older checkpoints too once a newer one is before the cut-off', async () => {
    const log = await buildLog({ 'delta.logRetentionDuration': 'interval 2 days' }, { checkpoints: [4, 8] })
    const deleted = await cleanupExpiredLogs(log.engine, await loadSnapshot(log.engine), { now: T0 + 12 * DAY + DAY / 2 })
    expect(names(deleted)).toContain(`${padVersion(4)}.checkpoint.parquet`)
    expect(names(deleted)).toContain(`${padVersion(7)}.json`)
    expect(names(deleted)).not.toContain(`${padVersion(8)}.json`)
    expect(names(log.storage.paths())).toContain(`${padVersion(8)}.checkpoint.parquet`)
    for (let v = 8; v <= 12; v++) expect((await loadSnapshot(log.engine, v)).files.map((f) => f.path).sort()).toEqual(log.files.get(v))
    expect(JSON.parse(new TextDecoder().decode(await log.storage.read(LAST_CHECKPOINT_PATH)))).toMatchObject({ version: 8 })
  })

  it('deletes nothing without a checkpoint old enough, or when disabled', async () => {
    const fresh = await buildLog({}, { checkpoints: [4, 8] })
    // Default retention is 30 days: nothing has expired.
    expect(await cleanupExpiredLogs(fresh.engine, await loadSnapshot(fresh.engine), { now: T0 + 13 * DAY })).toEqual([])
    const noCheckpoint = await buildLog({ 'delta.logRetentionDuration': 'interval 1 day' })
    expect(await cleanupExpiredLogs(noCheckpoint.engine, await loadSnapshot(noCheckpoint.engine), { now: T0 + 100 * DAY })).toEqual([])
    const disabled = await buildLog({ 'delta.logRetentionDuration': 'interval 1 day', 'delta.enableExpiredLogCleanup': 'false' }, { checkpoints: [4, 8] })
    const before = disabled.storage.paths()
    expect(await cleanupExpiredLogs(disabled.engine, await loadSnapshot(disabled.engine), { now: T0 + 100 * DAY })).toEqual([])
    expect(disabled.storage.paths()).toEqual(before)
  })

  it('lets the caller decide over the table property with enabled', async () => {
    const config = { 'delta.logRetentionDuration': 'interval 1 day', 'delta.enableExpiredLogCleanup': 'false' }
    const forced = await buildLog(config, { checkpoints: [4, 8] })
    const snapshot = await loadSnapshot(forced.engine)
    expect(await cleanupExpiredLogs(forced.engine, snapshot, { now: T0 + 100 * DAY, enabled: true })).toContain(commitPath(0))
    const off = await buildLog({ 'delta.logRetentionDuration': 'interval 1 day' }, { checkpoints: [4, 8] })
    const before = off.storage.paths()
    expect(await cleanupExpiredLogs(off.engine, await loadSnapshot(off.engine), { now: T0 + 100 * DAY, enabled: false })).toEqual([])
    expect(off.storage.paths()).toEqual(before)
  })

  it('stops at the first commit written after the cut-off, whatever the times of later ones', async () => {
    // Commit 3 carries a late time: commits after it are kept even though they look old.
    const log = await buildLog({ 'delta.logRetentionDuration': 'interval 2 days' }, { checkpoints: [2, 4, 8], times: { 3: T0 + 50 * DAY } })
    const deleted = await cleanupExpiredLogs(log.engine, await loadSnapshot(log.engine), { now: T0 + 12 * DAY })
    // The compacted log 1..3 starts at or below the kept checkpoint (2), so it goes too.
    expect(names(deleted).sort()).toEqual([
      ...[0, 1].flatMap((v) => [`${padVersion(v)}.crc`, `${padVersion(v)}.json`]),
      `${padVersion(1)}.${padVersion(3)}.compacted.json`,
    ].sort())
    for (let v = 2; v <= 12; v++) expect((await loadSnapshot(log.engine, v)).files.map((f) => f.path).sort()).toEqual(log.files.get(v))
  })

  it('keeps everything after the snapshot it is given', async () => {
    const log = await buildLog({ 'delta.logRetentionDuration': 'interval 1 day' }, { checkpoints: [4, 8] })
    const deleted = await cleanupExpiredLogs(log.engine, await loadSnapshot(log.engine, 6), { now: T0 + 100 * DAY })
    expect(names(deleted)).not.toContain(`${padVersion(4)}.json`)
    expect(names(deleted)).toContain(`${padVersion(3)}.json`)
    for (let v = 4; v <= 12; v++) expect((await loadSnapshot(log.engine, v)).files.map((f) => f.path).sort()).toEqual(log.files.get(v))
  })

  it('deletes temp files that killed writers left, only once they are an hour old', async () => {
    for (const retention of ['interval 5 days', 'interval 30 days']) {
      const log = await buildLog({ 'delta.logRetentionDuration': retention }, { checkpoints: [4, 8] })
      const now = T0 + 12 * DAY + DAY / 2
      const temp = (name: string) => `_delta_log/.${name}.0123456789abcdef.tmp`
      log.at(now - 2 * ABANDONED_TEMP_AGE_MS)
      await log.storage.put(temp(`${padVersion(13)}.json`), enc.encode('{"add":'))
      await log.storage.put(temp('_last_checkpoint'), enc.encode('{'))
      await log.storage.put('_delta_log/.hadoop-style.json.a1b2c3.tmp', enc.encode('x'))
      await log.storage.put('_delta_log/.00000000000000000012.json.crc', enc.encode('x'))
      log.at(now - 60_000) // a writer that is at it right now
      await log.storage.put(temp(`${padVersion(13)}.checkpoint.parquet`), enc.encode('PAR1'))
      const deleted = await cleanupExpiredLogs(log.engine, await loadSnapshot(log.engine), { now })
      expect(deleted.filter((p) => p.endsWith('.tmp')).sort(), retention).toEqual([
        temp(`${padVersion(13)}.json`), temp('_last_checkpoint'), '_delta_log/.hadoop-style.json.a1b2c3.tmp',
      ].sort())
      const left = log.storage.paths()
      expect(left).toContain(temp(`${padVersion(13)}.checkpoint.parquet`))
      expect(left).toContain('_delta_log/.00000000000000000012.json.crc')
      expect((await loadSnapshot(log.engine)).version).toBe(12)
    }
  })

  it('refuses a malformed retention property', async () => {
    const log = await buildLog({ 'delta.logRetentionDuration': 'thirty days' }, { checkpoints: [4] })
    await expect(cleanupExpiredLogs(log.engine, await loadSnapshot(log.engine), { now: T0 + 100 * DAY }))
      .rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('delta.logRetentionDuration') })
  })
})
