import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { readHistory } from '../../../src/delta/log/history.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { versionAtTimestamp } from '../../../src/delta/log/time-travel.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { addAction, createActions, writeCommit } from '../../helpers/log-builder.js'

const noParquet: ParquetCodec = { read: () => Promise.reject(new Error('unused')), write: () => Promise.reject(new Error('unused')) }

/** Commits 0..4 whose files are written at t = 1000, 2000, ... (a clock the test controls). */
async function table(configuration: Record<string, string> = {}, ict?: (v: number) => number): Promise<Engine> {
  let now = 0
  const storage = new MemoryStorage({ now: () => now })
  for (let v = 0; v <= 4; v++) {
    now = (v + 1) * 1000
    const info = { commitInfo: { timestamp: now, operation: v === 0 ? 'CREATE TABLE' : 'WRITE', ...(ict && { inCommitTimestamp: ict(v) }) } }
    const actions = v === 0 ? [info, ...createActions({ configuration }).slice(1)] : [info, addAction(`f${v}.parquet`)]
    await writeCommit(storage, v, actions)
  }
  return { storage, parquet: noParquet }
}

describe('time travel by timestamp', () => {
  it('picks the newest commit at or before the time, by file time', async () => {
    const engine = await table()
    expect(await versionAtTimestamp(engine, 2500)).toBe(1)
    expect(await versionAtTimestamp(engine, 3000)).toBe(2)
    expect(await versionAtTimestamp(engine, 99_999)).toBe(4)
    await expect(versionAtTimestamp(engine, 500)).rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('uses in-commit timestamps from their enablement version on', async () => {
    const engine = await table(
      { 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': '2' },
      (v) => 50_000 + v * 10,
    )
    // Versions 0 and 1 keep file times (1000, 2000); from 2 on the commit's own timestamp counts.
    expect(await versionAtTimestamp(engine, 2500)).toBe(1)
    expect(await versionAtTimestamp(engine, 50_025)).toBe(2)
    expect(await versionAtTimestamp(engine, 50_030)).toBe(3)
  })
})

describe('history', () => {
  it('lists commits newest first with their operations', async () => {
    const engine = await table()
    const snap = await loadSnapshot(engine)
    const h = await readHistory(engine, snap.metadata)
    expect(h.map((c) => [c.version, c.operation, c.timestamp])).toEqual([
      [4, 'WRITE', 5000], [3, 'WRITE', 4000], [2, 'WRITE', 3000], [1, 'WRITE', 2000], [0, 'CREATE TABLE', 1000],
    ])
    expect((await readHistory(engine, snap.metadata, 2)).map((c) => c.version)).toEqual([4, 3])
  })
})
