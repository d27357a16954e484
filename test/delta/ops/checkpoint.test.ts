import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetReadObjects } from 'hyparquet'
import { afterAll, describe, expect, it } from 'vitest'
import type { RemoveAction } from '../../../src/delta/model/actions.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { LAST_CHECKPOINT_PATH, LOG_DIR } from '../../../src/delta/log/log-path.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { createCheckpoint } from '../../../src/delta/ops/checkpoint.js'
import { sparkPartition } from '../../../src/delta/checkpoint/spark-hash.js'
import { deletionVectorId } from '../../../src/delta/model/actions.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { byPath, engineOf, essence } from '../../helpers/file-essence.js'
import { checkTableProtocol } from '../../helpers/protocol-check.js'
import { buildMaintenanceTable } from './maintenance-fixture.js'
import { readIds } from './fixture.js'

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
