import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetReadObjects } from 'hyparquet'
import { afterAll, describe, expect, it } from 'vitest'
import type { RemoveAction } from '../../../src/delta/model/actions.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { LAST_CHECKPOINT_PATH, LOG_DIR } from '../../../src/delta/log/log-path.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { createCheckpoint } from '../../../src/delta/ops/checkpoint.js'
import { cleanupMetadata } from '../../../src/delta/ops/cleanup-metadata.js'
import { compactLogs } from '../../../src/delta/ops/compact-logs.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { sparkPartition } from '../../../src/delta/checkpoint/spark-hash.js'
import { deletionVectorId } from '../../../src/delta/model/actions.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { byPath, engineOf, essence } from '../../helpers/file-essence.js'
import { checkTableProtocol } from '../../helpers/protocol-check.js'
import { buildMaintenanceTable } from './maintenance-fixture.js'
import { memoryEngine, readIds } from './fixture.js'

const temps: string[] = []
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'delta-ckpt-op-'))
  temps.push(dir)
  return dir
}

/**
 * A table on disk built by the fixture, and a copy of it taken before any checkpoint: the copy
 * replays the JSON commits alone, the state a checkpoint must reproduce.
 */
async function tableAndReplay(configuration: Record<string, string>): Promise<{ root: string; engine: Engine; replayed: Snapshot }> {
  const root = await tempDir()
  const engine = await engineOf(new NodeFsStorage(root))
  await buildMaintenanceTable(engine, configuration)
  const copy = await tempDir()
  await cp(root, copy, { recursive: true })
  expect((await readdir(join(copy, LOG_DIR))).filter((n) => n.includes('checkpoint'))).toEqual([])
  const replayed = await loadSnapshot(await engineOf(new NodeFsStorage(copy)), undefined, { tombstones: true })
  expect(replayed.segment.checkpoint).toBeUndefined()
  return { root, engine, replayed }
}

const tombstone = (r: RemoveAction): Record<string, unknown> => essence({ ...r, stats: undefined, tags: undefined })

/** The checkpointed snapshot holds exactly what the JSON replay holds, and reads no commit. */
function expectSameState(replayed: Snapshot, after: Snapshot): void {
  expect(after.version).toBe(replayed.version)
  expect(after.segment.commits).toEqual([])
  expect(after.protocol).toEqual(replayed.protocol)
  expect(after.metadata).toEqual(replayed.metadata)
  expect([...after.txns.entries()].sort()).toEqual([...replayed.txns.entries()].sort())
  expect([...after.domains.entries()].sort()).toEqual([...replayed.domains.entries()].sort())
  expect(byPath(after.files).map(essence)).toEqual(byPath(replayed.files).map(essence))
  expect(byPath(after.tombstones ?? []).map(tombstone)).toEqual(byPath(replayed.tombstones ?? []).map(tombstone))
}

async function lastCheckpoint(root: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(root, LAST_CHECKPOINT_PATH), 'utf8')) as Record<string, unknown>
}

async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const bytes = await readFile(file)
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })
}

describe('createCheckpoint', () => {
  it('writes a classic checkpoint that reads back as the JSON log replays', async () => {
    const { root, engine, replayed } = await tableAndReplay({})
    // The fixture covers every kind of action a checkpoint keeps.
    expect(replayed.txns.size).toBe(2)
    expect([...replayed.domains.keys()]).toEqual(['app.one'])
    expect(replayed.tombstones?.length).toBeGreaterThan(0)
    expect(replayed.files.some((f) => !!f.deletionVector)).toBe(true)
    const result = await createCheckpoint(engine)
    expect(result).toMatchObject({ version: 8, kind: 'classic', files: [`${LOG_DIR}/00000000000000000008.checkpoint.parquet`], numOfAddFiles: replayed.files.length })
    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: 8, format: 'classic' })
    expectSameState(replayed, after)
    // Partition 'c' (ids 2, 5, 12...) was overwritten by 40 and 41; 1 and 11 were deleted.
    expect(await readIds(engine)).toEqual([0, 3, 4, 10, 13, 14, 20, 21, 23, 24, 30, 31, 33, 34, 40, 41])
    const hint = await lastCheckpoint(root)
    const file = join(root, result.files[0]!)
    const rows = await parquetRows(file)
    expect(hint).toMatchObject({ version: 8, size: rows.length, sizeInBytes: (await stat(file)).size, numOfAddFiles: rows.filter((r) => r.add).length })
    expect(hint.parts).toBeUndefined()
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('writes a v2 checkpoint with sidecars when the table asks for v2 checkpoints', async () => {
    const { root, engine, replayed } = await tableAndReplay({ 'delta.checkpointPolicy': 'v2' })
    expect(replayed.protocol.readerFeatures).toContain('v2Checkpoint')
    const result = await createCheckpoint(engine)
    expect(result.kind).toBe('v2')
    expect(result.path).toMatch(/^_delta_log\/00000000000000000008\.checkpoint\.[0-9a-f-]{36}\.parquet$/)
    expect(result.files.at(-1)).toBe(result.path)
    expect(result.files.slice(0, -1).every((f) => f.startsWith(`${LOG_DIR}/_sidecars/`))).toBe(true)
    expect(result.files.length).toBeGreaterThan(1)
    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: 8, format: 'uuid' })
    expectSameState(replayed, after)
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('writes a multi-part checkpoint, clustered by Spark hash partitioning, when the table sets a part size', async () => {
    const { root, engine, replayed } = await tableAndReplay({ 'delta.checkpoint.partSize': '4' })
    const fileActions = replayed.files.length + (replayed.tombstones?.length ?? 0)
    const parts = Math.ceil(fileActions / 4)
    expect(parts).toBeGreaterThanOrEqual(4)
    const result = await createCheckpoint(engine)
    const names = Array.from({ length: parts }, (_, i) => `${LOG_DIR}/00000000000000000008.checkpoint.${String(i + 1).padStart(10, '0')}.${String(parts).padStart(10, '0')}.parquet`)
    expect(result).toMatchObject({ version: 8, kind: 'multipart', parts, files: names, path: names[0] })
    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: 8, format: 'multipart' })
    expect(after.segment.checkpoint?.files.map((f) => f.path)).toEqual(names)
    expectSameState(replayed, after)

    // Each action sits in the part Spark's partitioning of its key gives; the keyless ones together.
    const hint = await lastCheckpoint(root)
    let size = 0
    let bytes = 0
    let adds = 0
    const nonEmpty = new Set<number>()
    for (const [i, name] of names.entries()) {
      const rows = await parquetRows(join(root, name))
      size += rows.length
      bytes += (await stat(join(root, name))).size
      if (rows.length > 0) nonEmpty.add(i)
      for (const row of rows) {
        const action = (row.add ?? row.remove) as { path: string; deletionVector?: Parameters<typeof deletionVectorId>[0] | null } | null
        if (row.add) adds++
        const key = action ? [action.path, ...(action.deletionVector ? [deletionVectorId(action.deletionVector)] : [])] : []
        expect(sparkPartition(key, parts)).toBe(i)
      }
    }
    expect(nonEmpty.size).toBeGreaterThan(1)
    expect(hint).toMatchObject({ version: 8, parts, size, sizeInBytes: bytes, numOfAddFiles: adds })
    expect(adds).toBe(replayed.files.length)
    expect(await checkTableProtocol(root)).toEqual([])

    // A part missing: readers ignore the checkpoint and replay the commits (PROTOCOL.md), and the check names the part.
    await rm(join(root, names[1]!))
    const fallback = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(fallback.segment.checkpoint).toBeUndefined()
    expect(byPath(fallback.files).map(essence)).toEqual(byPath(replayed.files).map(essence))
    expect(await checkTableProtocol(root)).toContain(`_last_checkpoint names a ${parts}-part checkpoint, but ${names[1]!.slice(LOG_DIR.length + 1)} is absent`)
  })

  it('writes one file when the actions fit in one part, and never multi-part on a v2-checkpoint table', async () => {
    const small = await tableAndReplay({ 'delta.checkpoint.partSize': '1000' })
    expect((await createCheckpoint(small.engine)).kind).toBe('classic')
    const v2 = await tableAndReplay({ 'delta.checkpoint.partSize': '2', 'delta.checkpointPolicy': 'v2' })
    expect((await createCheckpoint(v2.engine)).kind).toBe('v2')
  })

  it('puts a checksum in _last_checkpoint that PROTOCOL.md canonical form gives', async () => {
    const { root, engine } = await tableAndReplay({ 'delta.checkpoint.partSize': '4' })
    await createCheckpoint(engine)
    const hint = await lastCheckpoint(root)
    const { checksum, ...rest } = hint
    const canonical = Object.keys(rest).sort().map((k) => `"${k}"=${String(rest[k])}`).join(',')
    expect(checksum).toBe(createHash('md5').update(canonical).digest('hex'))
  })

  it('refuses unknown options before writing, and a folder without a table', async () => {
    const { root, engine } = await tableAndReplay({})
    const before = await readdir(join(root, LOG_DIR))
    await expect(createCheckpoint(engine, { nw: 1 } as never)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/unknown createCheckpoint option 'nw'/) })
    expect(await readdir(join(root, LOG_DIR))).toEqual(before)
    const empty = await engineOf(new NodeFsStorage(await tempDir()))
    await expect(createCheckpoint(empty)).rejects.toMatchObject({ code: 'NotFound' })
  })
})

const DAY = 86_400_000
const HOUR = 3_600_000
// Noon on 1 January: version v is committed at T0 + v days.
const T0 = Date.UTC(2026, 0, 1, 12)

describe('cleanupMetadata', () => {
  /**
   * A v2-checkpoint table keeping 2 days of log, with checkpoints of versions 3 and 5, a log
   * compaction of 1 to 3, and orphan sidecars of three ages. Returns what each wrote.
   */
  async function agedTable(configuration: Record<string, string> = {}) {
    let clock = T0
    const engine = await memoryEngine({ now: () => clock })
    const written: Record<string, string[]> = {}
    // The storage's clock only moves forward, so files are written in time order.
    const orphan = async (name: string): Promise<string[]> => {
      const path = `${LOG_DIR}/_sidecars/${name}.parquet`
      await engine.storage.put(path, new Uint8Array([1, 2, 3]))
      return [path]
    }
    await buildMaintenanceTable(engine, { 'delta.checkpointPolicy': 'v2', 'delta.logRetentionDuration': 'interval 2 days', ...configuration }, async (step) => {
      clock = T0 + (step - 1) * DAY + HOUR
      if (step === 2) written.oldOrphan = await orphan('old-orphan')
      if (step === 4) written.checkpoint3 = (await createCheckpoint(engine)).files
      if (step === 5) written.compaction = [(await compactLogs(engine, { startVersion: 1, endVersion: 3 })).path]
      if (step === 6) written.checkpoint5 = (await createCheckpoint(engine)).files
      // 8 January, 13:00: after the retention cut-off (midnight on the 8th), though more than a day old.
      if (step === 8) written.keptOrphan = await orphan('kept-orphan')
      clock = T0 + step * DAY
    })
    clock = T0 + 8 * DAY + 11 * HOUR
    written.newOrphan = await orphan('new-orphan')
    return { engine, written, now: T0 + 8 * DAY + 12 * HOUR }
  }

  it('deletes the expired commits, checkpoints and compactions, and the sidecars no kept checkpoint names', async () => {
    const { engine, written, now } = await agedTable()
    expect(written.checkpoint3!.length).toBeGreaterThan(1)
    const before = engine.storage.paths()
    const latest = await loadSnapshot(engine, undefined, { tombstones: true })
    const atFive = await loadSnapshot(engine, 5)

    const deleted = await cleanupMetadata(engine, { now })
    // The cut-off is midnight on 8 January: commit 6 (7 January, noon) is the newest before it,
    // and the checkpoint of version 5 the newest at or below it, so everything before 5 goes.
    const logs = [0, 1, 2, 3, 4].map(commitPath)
    const checkpoint3 = written.checkpoint3!.at(-1)!
    const expiredSidecars = [...written.checkpoint3!.slice(0, -1), ...written.oldOrphan!].sort()
    expect([...deleted].sort()).toEqual([...logs, checkpoint3, written.compaction![0]!, ...expiredSidecars].sort())
    expect(deleted.slice(-expiredSidecars.length)).toEqual(expiredSidecars)
    expect(engine.storage.paths()).toEqual(before.filter((p) => !deleted.includes(p)))
    for (const kept of [...written.checkpoint5!, ...written.keptOrphan!, ...written.newOrphan!, commitPath(5)]) expect(engine.storage.paths()).toContain(kept)

    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint?.version).toBe(5)
    expect(byPath(after.files).map(essence)).toEqual(byPath(latest.files).map(essence))
    expect(byPath((await loadSnapshot(engine, 5)).files).map(essence)).toEqual(byPath(atFive.files).map(essence))
    await expect(loadSnapshot(engine, 4)).rejects.toMatchObject({ code: 'NotFound' })
    // Nothing more is due at the same time.
    expect(await cleanupMetadata(engine, { now })).toEqual([])
  })

  it('keeps everything while no checkpoint is old enough, whatever delta.enableExpiredLogCleanup says', async () => {
    const { engine, written } = await agedTable({ 'delta.enableExpiredLogCleanup': 'false' })
    const before = engine.storage.paths()
    // On 6 January the cut-off is midnight on 4 January: no checkpoint (3 was written on the 4th at 13:00) is before it.
    expect(await cleanupMetadata(engine, { now: T0 + 4 * DAY + 12 * HOUR })).toEqual(written.oldOrphan)
    expect(engine.storage.paths()).toEqual(before.filter((p) => p !== written.oldOrphan![0]))
    // Later, the property does not stop an explicit clean-up.
    expect(await cleanupMetadata(engine, { now: T0 + 8 * DAY + 12 * HOUR })).toContain(commitPath(0))
  })

  it('reads classic checkpoints for sidecars they may name, on a folder without a sidecar folder too', async () => {
    const { root, engine } = await tableAndReplay({})
    await createCheckpoint(engine)
    const later = Date.now() + 60 * DAY
    // No _sidecars folder: only the expired commits go.
    expect(await cleanupMetadata(engine, { now: later })).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(commitPath))
    await mkdir(join(root, LOG_DIR, '_sidecars'))
    const orphan = join(root, LOG_DIR, '_sidecars', 'orphan.parquet')
    await writeFile(orphan, new Uint8Array([1]))
    const old = new Date(Date.now() - 40 * DAY)
    await utimes(orphan, old, old)
    expect(await cleanupMetadata(engine, { now: later })).toEqual([`${LOG_DIR}/_sidecars/orphan.parquet`])
    expect(await readIds(engine)).toEqual([0, 3, 4, 10, 13, 14, 20, 21, 23, 24, 30, 31, 33, 34, 40, 41])
  })

  it('refuses unknown options before deleting anything', async () => {
    const { engine } = await agedTable()
    const before = engine.storage.paths()
    await expect(cleanupMetadata(engine, { now: -1 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(cleanupMetadata(engine, { retention: 1 } as never)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(engine.storage.paths()).toEqual(before)
  })
})
