import { describe, expect, it } from 'vitest'
import { DeltaError } from '../../../src/delta/engine/errors.js'
import { buildLogSegment, findLogSegment, isTableMissing } from '../../../src/delta/log/log-segment.js'
import { padVersion } from '../../../src/delta/log/log-path.js'
import type { FileMeta, Storage } from '../../../src/delta/engine/storage.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { createActions, writeCommit, writeJsonCheckpoint } from '../../helpers/log-builder.js'

const file = (name: string): FileMeta => ({ path: `_delta_log/${name}`, size: 1, lastModified: 1 })
/** What `fn` throws. */
function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}
const commits = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => file(`${padVersion(from + i)}.json`))

describe('buildLogSegment', () => {
  it('builds the segment of a log of 300,000 commits without spreading them (no stack overflow)', () => {
    const listing = commits(0, 299_999)
    const seg = buildLogSegment(listing)
    expect(seg.version).toBe(299_999)
    expect(seg.commits).toHaveLength(300_000)
    // The gap message looks for the earliest commit among them all, too.
    const gap = listing.filter((_, i) => i !== 150_000)
    expect(() => buildLogSegment(gap)).toThrow(expect.objectContaining({ code: 'InvalidLog', message: expect.stringContaining('gap') }))
    expect(() => buildLogSegment(listing.slice(1), 5)).toThrow(expect.objectContaining({ code: 'NotFound' }))
  })

  it('uses the newest checkpoint at or below the version and the commits after it', () => {
    const listing = [...commits(0, 12), file(`${padVersion(5)}.checkpoint.parquet`), file(`${padVersion(10)}.checkpoint.parquet`)]
    const seg = buildLogSegment(listing)
    expect(seg.version).toBe(12)
    expect(seg.checkpoint?.version).toBe(10)
    expect(seg.commits.map((c) => c.version)).toEqual([11, 12])
    const old = buildLogSegment(listing, 7)
    expect(old.checkpoint?.version).toBe(5)
    expect(old.commits.map((c) => c.version)).toEqual([6, 7])
  })

  it('skips a multi-part checkpoint with a missing part', () => {
    const listing = [
      ...commits(0, 6),
      file(`${padVersion(3)}.checkpoint.0000000001.0000000002.parquet`),
      file(`${padVersion(3)}.checkpoint.0000000002.0000000002.parquet`),
      file(`${padVersion(5)}.checkpoint.0000000001.0000000002.parquet`),
    ]
    const seg = buildLogSegment(listing)
    expect(seg.checkpoint).toMatchObject({ version: 3, format: 'multipart' })
    expect(seg.checkpoint?.files.map((f) => f.path)).toEqual([
      `_delta_log/${padVersion(3)}.checkpoint.0000000001.0000000002.parquet`,
      `_delta_log/${padVersion(3)}.checkpoint.0000000002.0000000002.parquet`,
    ])
  })

  it('reads a table that is only a checkpoint', () => {
    const seg = buildLogSegment([file(`${padVersion(108)}.checkpoint.parquet`)])
    expect(seg).toMatchObject({ version: 108, commits: [] })
  })

  it('refuses a gap in the versions', () => {
    const listing = [...commits(0, 2), ...commits(4, 5)]
    expect(() => buildLogSegment(listing)).toThrow(expect.objectContaining({ code: 'InvalidLog' }))
  })

  it('refuses a version past the latest and an empty log', () => {
    expect(() => buildLogSegment(commits(0, 2), 3)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    expect(() => buildLogSegment([])).toThrow(expect.objectContaining({ code: 'NotFound' }))
  })

  it('says a cleaned-up version is gone', () => {
    const listing = [...commits(5, 8), file(`${padVersion(5)}.checkpoint.parquet`)]
    expect(() => buildLogSegment(listing, 3)).toThrow(expect.objectContaining({ code: 'NotFound' }))
  })

  it('calls a latest version that cannot be rebuilt a damaged log, and an old one gone', () => {
    const startsLate = commits(2, 4)
    expect(() => buildLogSegment(startsLate)).toThrow(expect.objectContaining({ code: 'InvalidLog', message: expect.stringContaining('latest version 4') }))
    expect(() => buildLogSegment(startsLate, 4)).toThrow(expect.objectContaining({ code: 'InvalidLog' }))
    expect(() => buildLogSegment(startsLate, 3)).toThrow(expect.objectContaining({ code: 'NotFound' }))
    // Only a checkpoint with a part missing, and no commits.
    const partial = [file(`${padVersion(3)}.checkpoint.0000000001.0000000002.parquet`)]
    expect(() => buildLogSegment(partial)).toThrow(expect.objectContaining({ code: 'InvalidLog' }))
    for (const listing of [startsLate, partial]) expect(isTableMissing(caught(() => buildLogSegment(listing)))).toBe(false)
  })
})

describe('findLogSegment', () => {
  async function tableWithCheckpoint(storage: MemoryStorage, lastCheckpoint: unknown): Promise<void> {
    await writeCommit(storage, 0, createActions())
    for (let v = 1; v <= 6; v++) await writeCommit(storage, v, [])
    await writeJsonCheckpoint(storage, 4, createActions().slice(1), false)
    if (lastCheckpoint !== undefined) {
      await storage.put('_delta_log/_last_checkpoint', new TextEncoder().encode(typeof lastCheckpoint === 'string' ? lastCheckpoint : JSON.stringify(lastCheckpoint)))
    }
  }

  for (const [name, hint] of [
    ['right', { version: 4, size: 3 }],
    ['stale', { version: 2, size: 3 }],
    ['pointing at a missing checkpoint', { version: 5, size: 3 }],
    ['corrupt', '{"version": '],
    ['missing', undefined],
  ] as const) {
    it(`finds the newest checkpoint when _last_checkpoint is ${name}`, async () => {
      const storage = new MemoryStorage()
      await tableWithCheckpoint(storage, hint)
      const seg = await findLogSegment(storage)
      expect(seg.version).toBe(6)
      expect(seg.checkpoint?.version).toBe(4)
      expect(seg.commits.map((c) => c.version)).toEqual([5, 6])
    })
  }

  it('never lists files of subfolders such as .tmp', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions())
    await storage.put(`_delta_log/.tmp/${padVersion(1)}.json`, new Uint8Array([123, 125]))
    expect((await findLogSegment(storage)).version).toBe(0)
  })

  it('reports a missing table as NotFound', async () => {
    await expect(findLogSegment(new MemoryStorage())).rejects.toMatchObject({ code: 'NotFound' })
    expect(isTableMissing(await findLogSegment(new MemoryStorage()).catch((e: unknown) => e))).toBe(true)
    expect(isTableMissing(caught(() => buildLogSegment([])))).toBe(true)
  })

  it("takes a storage's NotFound for the log folder as a missing table, and no other NotFound", async () => {
    const refusing = (error: Error): Storage => ({
      capabilities: { atomicCreate: true, list: true, write: true },
      list: () => Promise.reject(error),
      read: () => Promise.reject(new DeltaError('NotFound', 'No file')),
      head: async () => undefined,
      put: async () => {},
      delete: async () => {},
    })
    const notFound = new DeltaError('NotFound', "No _delta_log in 'x'")
    expect(isTableMissing(await findLogSegment(refusing(notFound)).catch((e: unknown) => e))).toBe(true)
    expect(isTableMissing(await findLogSegment(refusing(new DeltaError('AccessDenied', 'no'))).catch((e: unknown) => e))).toBe(false)
    expect(isTableMissing(new DeltaError('NotFound', 'No file at x'))).toBe(false)
  })
})

describe('findLogSegment without LIST', () => {
  /** The same files, behind a storage that cannot list (plain HTTP). */
  function unlisted(inner: MemoryStorage): Storage {
    return {
      capabilities: { ...inner.capabilities, list: false },
      list: () => Promise.reject(new Error('this storage cannot list')),
      read: (p, r) => inner.read(p, r),
      head: (p) => inner.head(p),
      put: (p, d, o) => inner.put(p, d, o),
      delete: (p) => inner.delete(p),
    }
  }

  async function table(commits: number, checkpointAt?: number, hintV2 = true): Promise<MemoryStorage> {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions())
    for (let v = 1; v <= commits; v++) await writeCommit(storage, v, [])
    if (checkpointAt !== undefined) {
      const name = await writeJsonCheckpoint(storage, checkpointAt, createActions().slice(1), false)
      const hint = { version: checkpointAt, size: 3, ...(hintV2 && { v2Checkpoint: { path: name.split('/').pop() } }) }
      await storage.put('_delta_log/_last_checkpoint', new TextEncoder().encode(JSON.stringify(hint)))
    }
    return storage
  }

  it('probes forward from the checkpoint _last_checkpoint names', async () => {
    const seg = await findLogSegment(unlisted(await table(40, 20)))
    expect(seg.version).toBe(40)
    expect(seg.checkpoint?.version).toBe(20)
    expect(seg.commits.map((c) => c.version)).toEqual(Array.from({ length: 20 }, (_, i) => 21 + i))
  })

  it('probes from version 0 without a usable hint, and stops at a requested version', async () => {
    const seg = await findLogSegment(unlisted(await table(5, 3, false)))
    expect(seg).toMatchObject({ version: 5, checkpoint: undefined })
    expect(seg.commits).toHaveLength(6)
    expect((await findLogSegment(unlisted(await table(40)), 7)).commits.map((c) => c.version)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('reports a missing table as NotFound', async () => {
    await expect(findLogSegment(unlisted(new MemoryStorage()))).rejects.toMatchObject({ code: 'NotFound' })
    expect(isTableMissing(await findLogSegment(unlisted(new MemoryStorage())).catch((e: unknown) => e))).toBe(true)
  })
})
