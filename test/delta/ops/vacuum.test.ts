// Vacuum on memory and node-fs storages. The clock is pinned (only `Date` is faked), so each
// remove's deletionTimestamp and each memory file's time are known; the files expected to go
// are worked out here from the actions each commit wrote, not by the code under test.
import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import { deletionVectorPath } from '../../../src/delta/dv/deletion-vector.js'
import type { AddAction } from '../../../src/delta/model/actions.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { vacuum } from '../../../src/delta/ops/vacuum.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { startTransaction } from '../../../src/delta/txn/transaction.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { commitActions, commitInfoOf, readIds, rows } from './fixture.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const temps: string[] = []
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

// Node-fs files carry the real time they were written: the fake clock starts there.
let base = 0
beforeEach(() => {
  base = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(base)
})
afterEach(() => {
  vi.useRealTimers()
})

const at = (days: number) => vi.setSystemTime(base + days * DAY)

type Kind = 'memory' | 'node-fs'

async function makeEngine(kind: Kind): Promise<Engine> {
  const parquet = await nodeParquetCodec()
  if (kind === 'memory') return { storage: new MemoryStorage({ now: () => Date.now() }), parquet }
  const root = await mkdtemp(join(tmpdir(), 'delta-vacuum-'))
  temps.push(root)
  return { storage: new NodeFsStorage(root), parquet }
}

/** Every file of the storage outside the log, found by listing the folders given. */
async function filesIn(storage: Storage, folders: string[] = ['']): Promise<string[]> {
  const all = await Promise.all(folders.map((f) => storage.list(f)))
  return all.flat().map((m) => m.path).sort()
}

async function exists(storage: Storage, path: string): Promise<boolean> {
  return (await storage.head(path)) !== undefined
}

/** The paths of one kind of file action in a commit. */
async function pathsOf(engine: Engine, version: number, kind: 'add' | 'remove' | 'cdc'): Promise<string[]> {
  return (await commitActions(engine, version)).filter((a) => a[kind]).map((a) => a[kind]!.path as string).sort()
}

/**
 * v0 (day 0) ids 0-2, v1 (day 1) ids 3-5, v2 (day 2) overwrite with ids 10-11, v3 (day 8) a
 * delete of id 10 that rewrites v2's file. Vacuum runs on day 9.5 unless a test moves the clock.
 */
async function history(engine: Engine): Promise<void> {
  at(0)
  await writeTable(engine, rows([0, 1, 2]))
  at(1)
  await writeTable(engine, rows([3, 4, 5]), { mode: 'append' })
  at(2)
  await writeTable(engine, rows([10, 11]), { mode: 'overwrite' })
  at(8)
  await deleteRows(engine, 'id = 10')
  at(9.5)
}

describe.each<Kind>(['memory', 'node-fs'])('vacuum on %s storage', (kind) => {
  it('deletes the files removed longer ago than the retention, after a dry run that deletes nothing', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const expired = await pathsOf(engine, 2, 'remove') // removed on day 2; day 8's remove is recent
    expect(expired).toEqual([...await pathsOf(engine, 0, 'add'), ...await pathsOf(engine, 1, 'add')].sort())
    const before = await filesIn(engine.storage)

    expect(await vacuum(engine)).toEqual(expired)
    expect(await vacuum(engine, { dryRun: true })).toEqual(expired)
    expect(await filesIn(engine.storage)).toEqual(before)
    expect((await loadSnapshot(engine)).version).toBe(3)

    expect(await vacuum(engine, { dryRun: false })).toEqual(expired)
    expect(await filesIn(engine.storage)).toEqual(before.filter((p) => !expired.includes(p)))
    expect(await readIds(engine)).toEqual([11])
    const start = await commitInfoOf(engine, 4)
    expect(start).toMatchObject({
      operation: 'VACUUM START',
      operationParameters: { retentionCheckEnabled: true, specifiedRetentionMillis: 7 * DAY, defaultRetentionMillis: 7 * DAY },
      operationMetrics: { numFilesToDelete: 2 },
    })
    const sizes = await Promise.all(expired.map(async (p) => (await engine.storage.head(p))?.size))
    expect(sizes).toEqual([undefined, undefined])
    const adds = [...await commitActions(engine, 0), ...await commitActions(engine, 1)].filter((a) => a.add).map((a) => a.add!.size as number)
    expect((start.operationMetrics as Record<string, number>).sizeOfDataToDelete).toBe(adds.reduce((a, b) => a + b, 0))
    expect(await commitInfoOf(engine, 5)).toMatchObject({
      operation: 'VACUUM END', operationParameters: { status: 'COMPLETED' }, operationMetrics: { numDeletedFiles: 2, numVacuumedDirectories: 0 },
    })
    expect((await commitActions(engine, 5)).every((a) => a.commitInfo)).toBe(true)
    // Nothing left to delete: no commit.
    expect(await vacuum(engine, { dryRun: false })).toEqual([])
    expect((await loadSnapshot(engine)).version).toBe(5)
  })

  it('refuses a retention shorter than the table\'s unless told, and then deletes every file the latest version does not use', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const before = await filesIn(engine.storage)
    await expect(vacuum(engine, { retentionHours: 0, dryRun: false })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(vacuum(engine, { retentionHours: 24 })).rejects.toThrow(/168 hours/)
    await expect(vacuum(engine, { retentionHours: -1 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(vacuum(engine, { retentionHourz: 1 } as never)).rejects.toThrow(/did you mean 'retentionHours'/)
    expect(await filesIn(engine.storage)).toEqual(before)
    expect((await loadSnapshot(engine)).version).toBe(3)

    const live = await pathsOf(engine, 3, 'add')
    const removed = [...await pathsOf(engine, 2, 'remove'), ...await pathsOf(engine, 3, 'remove')].sort()
    at(10) // a moment after the last remove
    expect(await vacuum(engine, { retentionHours: 0, enforceRetentionDuration: false, dryRun: false })).toEqual(removed)
    expect(await filesIn(engine.storage)).toEqual(live)
    expect(await readIds(engine)).toEqual([11])
    expect((await commitInfoOf(engine, 4)).operationParameters).toMatchObject({ retentionCheckEnabled: false, specifiedRetentionMillis: 0 })
  })

  it('finds tombstones kept in a checkpoint', async () => {
    const engine = await makeEngine(kind)
    at(0)
    await writeTable(engine, rows([0, 1, 2]), { configuration: { 'delta.checkpointInterval': '2' } })
    at(1)
    await writeTable(engine, rows([3, 4, 5]), { mode: 'append' })
    at(2)
    await writeTable(engine, rows([10, 11]), { mode: 'overwrite' })
    expect((await loadSnapshot(engine)).segment.checkpoint?.version).toBe(2)
    at(9.5)
    expect(await vacuum(engine, { dryRun: false })).toEqual(await pathsOf(engine, 2, 'remove'))
    expect(await readIds(engine)).toEqual([10, 11])
  })

  it('records commitProperties on both commits, app transactions on the last', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const commitProperties = { customMetadata: { who: 'nightly' }, appTransactions: [{ appId: 'cleaner', version: 7 }] }
    await vacuum(engine, { dryRun: false, commitProperties })
    expect(await commitInfoOf(engine, 4)).toMatchObject({ who: 'nightly' })
    expect((await commitActions(engine, 4)).some((a) => a.txn)).toBe(false)
    expect(await commitInfoOf(engine, 5)).toMatchObject({ who: 'nightly' })
    expect((await commitActions(engine, 5)).find((a) => a.txn)?.txn).toMatchObject({ appId: 'cleaner', version: 7 })
  })

  it('a longer retention than the table\'s keeps more', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    // Cut-off day 1.5: nothing was removed before it.
    expect(await vacuum(engine, { retentionHours: 8 * 24 })).toEqual([])
  })

  it('keeps the files of keepVersions', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    at(10)
    const v1 = [...await pathsOf(engine, 0, 'add'), ...await pathsOf(engine, 1, 'add')]
    const removed = [...await pathsOf(engine, 2, 'remove'), ...await pathsOf(engine, 3, 'remove')]
    const expected = removed.filter((p) => !v1.includes(p)).sort()
    expect(expected).toEqual(await pathsOf(engine, 2, 'add'))
    expect(await vacuum(engine, { retentionHours: 0, enforceRetentionDuration: false, keepVersions: [1], dryRun: false })).toEqual(expected)
    for (const p of v1) expect(await exists(engine.storage, p)).toBe(true)
    await expect(vacuum(engine, { keepVersions: [99] })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(vacuum(engine, { keepVersions: [1.5] })).rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('in full mode also deletes old files the log never named, but not the log nor hidden names', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const bytes = new Uint8Array([1, 2, 3])
    const unknown = ['stray.parquet', 'notes.txt']
    const hidden = ['_hidden/x.parquet', '.hidden.parquet', '_delta_log/notes.txt', '_stray.parquet']
    for (const p of [...unknown, ...hidden]) await engine.storage.put(p, bytes)
    const expired = await pathsOf(engine, 2, 'remove')

    // Lite mode leaves unknown files alone.
    expect(await vacuum(engine)).toEqual(expired)
    at(30)
    const removed = [...expired, ...await pathsOf(engine, 3, 'remove')]
    expect(await vacuum(engine, { full: true, dryRun: false })).toEqual([...removed, ...unknown].sort())
    for (const p of hidden) expect(await exists(engine.storage, p)).toBe(true)
    for (const p of unknown) expect(await exists(engine.storage, p)).toBe(false)
    expect(await readIds(engine)).toEqual([11])
  })

  it('in full mode keeps an unknown file younger than the retention (a write in progress)', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    at(9)
    await engine.storage.put('staged.parquet', new Uint8Array([1]))
    if (kind === 'node-fs') {
      const when = new Date(base + 9 * DAY)
      await utimes(join((engine.storage as NodeFsStorage).rootDir, 'staged.parquet'), when, when)
    }
    at(9.5)
    expect(await vacuum(engine, { full: true })).toEqual(await pathsOf(engine, 2, 'remove'))
    expect(await vacuum(engine, { full: true, retentionHours: 0, enforceRetentionDuration: false })).toContain('staged.parquet')
  })

  it('deletes files in partition folders, known or orphaned there', async () => {
    const engine = await makeEngine(kind)
    at(0)
    await writeTable(engine, rows([1, 2], ['a', 'b']), { partitionBy: ['p'] })
    at(1)
    await writeTable(engine, rows([3], ['a']), { mode: 'overwrite', predicate: "p = 'a'" })
    await engine.storage.put('p=b/orphan.parquet', new Uint8Array([1]))
    at(20)
    const removed = await pathsOf(engine, 1, 'remove')
    expect(removed).toHaveLength(1)
    expect(removed[0]).toMatch(/^p=a\//)
    expect(await vacuum(engine, { full: true, dryRun: false })).toEqual([...removed, 'p=b/orphan.parquet'].sort())
    expect(await readIds(engine)).toEqual([2, 3])
  })

  it('deletes the deletion vector files of removed files and keeps the live ones', async () => {
    const engine = await makeEngine(kind)
    at(0)
    await writeTable(engine, rows(Array.from({ length: 300 }, (_, i) => i)), { configuration: { 'delta.enableDeletionVectors': 'true' } })
    at(1)
    await deleteRows(engine, 'id % 2 = 0')
    at(2)
    await deleteRows(engine, 'id % 3 = 0')
    const dvFile = (a: Record<string, unknown>) => {
      const dv = (a.add ?? a.remove) as { deletionVector?: Parameters<typeof deletionVectorPath>[0] }
      return dv.deletionVector ? deletionVectorPath(dv.deletionVector) : undefined
    }
    const v2 = await commitActions(engine, 2)
    const oldDv = dvFile(v2.find((a) => a.remove)!)
    const liveDv = dvFile(v2.find((a) => a.add)!)
    expect(oldDv).toBeDefined()
    expect(liveDv).toBeDefined()
    expect(oldDv).not.toBe(liveDv)
    // The data file stays (only its vector changed): the old vector's file alone goes.
    at(10)
    expect(await vacuum(engine, { dryRun: false })).toEqual([oldDv])
    expect(await exists(engine.storage, oldDv!)).toBe(false)
    expect(await exists(engine.storage, liveDv!)).toBe(true)
    expect(await readIds(engine)).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 2 !== 0 && i % 3 !== 0))
  })

  it('spares a file a concurrent writer restores between the listing and the deletion', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const v0 = (await loadSnapshot(engine, 0)).files.toArray()
    const expired = await pathsOf(engine, 2, 'remove')
    const restored = v0[0]!.path
    let armed = true
    const storage = hookList(engine.storage, async () => {
      if (!armed) return
      armed = false
      // Another writer brings version 0's file back (as a restore would) while vacuum plans.
      await startTransaction(engine, await loadSnapshot(engine), { operation: 'RESTORE' }).addFiles(v0.map(plain)).commit()
    })
    const deleted = await vacuum({ ...engine, storage }, { dryRun: false })
    expect(armed).toBe(false)
    expect(deleted).toEqual(expired.filter((p) => p !== restored))
    expect(await exists(engine.storage, restored)).toBe(true)
    expect(await readIds(engine)).toEqual([0, 1, 2, 11])
    expect((await commitInfoOf(engine, 4)).operation).toBe('RESTORE')
    expect((await commitInfoOf(engine, 5)).operation).toBe('VACUUM START')
    expect((await commitInfoOf(engine, 6)).operation).toBe('VACUUM END')
  })

  it('still deletes what it planned when a concurrent append lands meanwhile', async () => {
    const engine = await makeEngine(kind)
    await history(engine)
    const expired = await pathsOf(engine, 2, 'remove')
    let armed = true
    const storage = hookList(engine.storage, async () => {
      if (!armed) return
      armed = false
      await writeTable(engine, rows([20]), { mode: 'append' })
    })
    expect(await vacuum({ ...engine, storage }, { dryRun: false })).toEqual(expired)
    expect(await readIds(engine)).toEqual([11, 20])
    expect((await commitInfoOf(engine, 6)).operation).toBe('VACUUM END')
  })

  it('reports progress per file and stops when cancelled', async () => {
    const engine = await makeEngine(kind)
    at(0)
    await writeTable(engine, rows([1]))
    const fakes = await commitFakeFiles(engine, 40)
    at(10)
    const controller = new AbortController()
    controller.abort()
    await expect(vacuum(engine, { dryRun: false, signal: controller.signal })).rejects.toMatchObject({ code: 'Cancelled' })
    expect((await loadSnapshot(engine)).version).toBe(2)

    const seen: number[] = []
    const deleted = await vacuum(engine, { dryRun: false, onProgress: (p) => { seen.push(p.done); expect(p).toMatchObject({ total: 40, phase: 'delete' }) } })
    expect(deleted).toEqual(fakes)
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(await readIds(engine)).toEqual([1])
  })

  it('stops between files when cancelled during the deletion', async () => {
    const engine = await makeEngine(kind)
    at(0)
    await writeTable(engine, rows([1]))
    const fakes = await commitFakeFiles(engine, 40)
    at(10)
    const controller = new AbortController()
    await expect(vacuum(engine, { dryRun: false, signal: controller.signal, onProgress: () => controller.abort() })).rejects.toMatchObject({ code: 'Cancelled' })
    const left = (await Promise.all(fakes.map((p) => exists(engine.storage, p)))).filter(Boolean).length
    expect(left).toBeGreaterThan(0)
    expect(await readIds(engine)).toEqual([1])
  })
})

describe('vacuum on memory storage, change data', () => {
  it('deletes change data files of commits older than the retention, keeps recent ones', async () => {
    const engine = await makeEngine('memory')
    at(0)
    await writeTable(engine, rows([1, 2, 3, 4]), { configuration: { 'delta.enableChangeDataFeed': 'true' } })
    at(1)
    await deleteRows(engine, 'id = 1')
    at(8)
    await deleteRows(engine, 'id = 2')
    const oldChanges = await pathsOf(engine, 1, 'cdc')
    const newChanges = await pathsOf(engine, 2, 'cdc')
    expect(oldChanges).toHaveLength(1)
    expect(newChanges).toHaveLength(1)
    at(9.5)
    const removedOld = await pathsOf(engine, 1, 'remove')
    expect(await vacuum(engine, { dryRun: false })).toEqual([...oldChanges, ...removedOld].sort())
    expect(await exists(engine.storage, newChanges[0]!)).toBe(true)
    expect(await readIds(engine)).toEqual([3, 4])
  })

  it('keeps a change data file written before the cut-off whose commit came after it', async () => {
    const engine = await makeEngine('memory')
    at(0)
    await writeTable(engine, rows([1, 2]), { configuration: { 'delta.enableChangeDataFeed': 'true' } })
    const snapshot = await loadSnapshot(engine)
    at(1)
    await engine.storage.put('_change_data/cdc-slow.parquet', new Uint8Array([1]))
    at(5) // the commit naming it lands inside the retention period of a vacuum on day 9.5
    await startTransaction(engine, snapshot, { operation: 'WRITE' })
      .addChangeFiles([{ kind: 'cdc', path: '_change_data/cdc-slow.parquet', partitionValues: {}, size: 1, dataChange: false }])
      .commit()
    at(9.5)
    expect(await vacuum(engine)).toEqual([])
    at(13)
    expect(await vacuum(engine)).toEqual(['_change_data/cdc-slow.parquet'])
  })
})

describe('vacuum refusals', () => {
  it('refuses a protocol it cannot write when the table asks vacuum to check it', async () => {
    const engine = await makeEngine('memory')
    await writeTable(engine, rows([1]))
    const snapshot = await loadSnapshot(engine)
    // Written by hand: the protocol this library cannot write (an unknown writer feature).
    const text = [
      JSON.stringify({ commitInfo: { operation: 'UPGRADE PROTOCOL' } }),
      JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['vacuumProtocolCheck', 'someFutureFeature'] } }),
    ].join('\n')
    await engine.storage.put(`_delta_log/${String(snapshot.version + 1).padStart(20, '0')}.json`, new TextEncoder().encode(text))
    await expect(vacuum(engine)).rejects.toMatchObject({ code: 'UnsupportedFeature' })
    await expect(vacuum(engine, { dryRun: false })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
  })

  it('a read-only storage only takes dry runs', async () => {
    const engine = await makeEngine('memory')
    await history(engine)
    const storage: Storage = { ...hookList(engine.storage, async () => undefined), capabilities: { atomicCreate: true, list: true, write: false } }
    const readOnly = { ...engine, storage }
    expect(await vacuum(readOnly)).toEqual(await pathsOf(engine, 2, 'remove'))
    await expect(vacuum(readOnly, { dryRun: false })).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect((await loadSnapshot(engine)).version).toBe(3)
  })

  it('a dry run on a protocol it cannot write, without vacuumProtocolCheck, only lists', async () => {
    const engine = await makeEngine('memory')
    await writeTable(engine, rows([1]))
    const snapshot = await loadSnapshot(engine)
    const text = JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['someFutureFeature'] } })
    await engine.storage.put(`_delta_log/${String(snapshot.version + 1).padStart(20, '0')}.json`, new TextEncoder().encode(text))
    expect(await vacuum(engine)).toEqual([])
    await engine.storage.put('junk.parquet', new Uint8Array([1]))
    vi.setSystemTime(Date.now() + 30 * DAY)
    await expect(vacuum(engine, { dryRun: false, full: true })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
    expect(await exists(engine.storage, 'junk.parquet')).toBe(true)
  })
})

/** A plain copy of an add (checkpoint adds read fields lazily). */
function plain(a: AddAction): AddAction {
  return { kind: 'add', path: a.path, partitionValues: a.partitionValues, size: a.size, modificationTime: a.modificationTime, dataChange: true, stats: a.stats ?? null }
}

/** `n` fake data files added at day 0 and removed at day 1; their paths, sorted. */
async function commitFakeFiles(engine: Engine, n: number): Promise<string[]> {
  const adds: AddAction[] = []
  for (let i = 0; i < n; i++) {
    const path = `fake-${String(i).padStart(3, '0')}.parquet`
    await engine.storage.put(path, new Uint8Array([i]))
    adds.push({ kind: 'add', path, partitionValues: {}, size: 1, modificationTime: Date.now(), dataChange: true })
  }
  await startTransaction(engine, await loadSnapshot(engine), { operation: 'WRITE' }).addFiles(adds).commit()
  at(1)
  await startTransaction(engine, await loadSnapshot(engine), { operation: 'DELETE' }).removeFiles(adds).commit()
  return adds.map((a) => a.path).sort()
}

/** A storage that runs `hook` before each listing of a folder outside the log. */
function hookList(inner: Storage, hook: () => Promise<void>): Storage {
  return {
    capabilities: inner.capabilities,
    list: async (dir, opts) => {
      if (!dir.startsWith('_delta_log')) await hook()
      return inner.list(dir, opts)
    },
    read: (p, r, o) => inner.read(p, r, o),
    head: (p, o) => inner.head(p, o),
    put: (p, d, o) => inner.put(p, d, o),
    delete: (p, o) => inner.delete(p, o),
  }
}
