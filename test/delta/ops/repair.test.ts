// Repair (file system check) on memory and node-fs storages: data files are deleted behind the
// table's back, and the files expected to leave the table are the ones the test deleted.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { repair } from '../../../src/delta/ops/repair.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { commitActions, commitInfoOf, readIds, rows } from './fixture.js'

const temps: string[] = []
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

type Kind = 'memory' | 'node-fs'

async function makeEngine(kind: Kind): Promise<Engine> {
  const parquet = await nodeParquetCodec()
  if (kind === 'memory') return { storage: new MemoryStorage(), parquet }
  const root = await mkdtemp(join(tmpdir(), 'delta-repair-'))
  temps.push(root)
  return { storage: new NodeFsStorage(root), parquet }
}

/** The path each version's write added (one file each). */
async function addedPath(engine: Engine, version: number): Promise<string> {
  const adds = (await commitActions(engine, version)).filter((a) => a.add)
  expect(adds).toHaveLength(1)
  return adds[0]!.add!.path as string
}

describe.each<Kind>(['memory', 'node-fs'])('repair on %s storage', (kind) => {
  it('removes exactly the files missing from storage, and the table reads back the rest', async () => {
    const engine = await makeEngine(kind)
    await writeTable(engine, rows([1, 2]))
    await writeTable(engine, rows([3, 4]), { mode: 'append' })
    await writeTable(engine, rows([5]), { mode: 'append' })
    const lost = await addedPath(engine, 1)
    await engine.storage.delete(lost)
    await expect(readIds(engine)).rejects.toThrow()

    expect(await repair(engine, { dryRun: true })).toEqual({ dryRun: true, filesRemoved: [lost] })
    expect((await loadSnapshot(engine)).version).toBe(2)

    expect(await repair(engine)).toEqual({ dryRun: false, filesRemoved: [lost] })
    const actions = await commitActions(engine, 3)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove!)
    expect(removes).toHaveLength(1)
    expect(removes[0]).toMatchObject({ path: lost, dataChange: true })
    expect(actions.some((a) => a.add)).toBe(false)
    expect(await commitInfoOf(engine, 3)).toMatchObject({ operation: 'FSCK', operationMetrics: { numRemovedFiles: 1 } })
    expect(await readIds(engine)).toEqual([1, 2, 5])

    // Nothing missing now: no commit.
    expect(await repair(engine)).toEqual({ dryRun: false, filesRemoved: [] })
    expect((await loadSnapshot(engine)).version).toBe(3)
  })

  it('finds missing files in partition folders', async () => {
    const engine = await makeEngine(kind)
    await writeTable(engine, rows([1, 2, 3], ['a', 'b', 'c']), { partitionBy: ['p'] })
    const adds = (await commitActions(engine, 0)).filter((a) => a.add).map((a) => a.add!)
    const lost = adds.filter((a) => (a.partitionValues as Record<string, string>).p !== 'b').map((a) => a.path as string).sort()
    expect(lost).toHaveLength(2)
    for (const p of lost) await engine.storage.delete(p)
    const result = await repair(engine)
    expect(result.filesRemoved.sort()).toEqual(lost)
    expect(await readIds(engine)).toEqual([2])
  })
})

describe('repair refusals', () => {
  it('checks its options before reading anything', async () => {
    const engine = await makeEngine('memory')
    await writeTable(engine, rows([1]))
    await expect(repair(engine, { dryrun: true } as never)).rejects.toThrow(/did you mean 'dryRun'/)
    await expect(repair(engine, { dryRun: 'yes' } as never)).rejects.toMatchObject({ code: 'InvalidArgument' })
  })

  it('an append-only table refuses to lose files', async () => {
    const engine = await makeEngine('memory')
    await writeTable(engine, rows([1]), { configuration: { 'delta.appendOnly': 'true' } })
    await writeTable(engine, rows([2]), { mode: 'append' })
    await engine.storage.delete(await addedPath(engine, 1))
    expect((await repair(engine, { dryRun: true })).filesRemoved).toHaveLength(1)
    await expect(repair(engine)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect((await loadSnapshot(engine)).version).toBe(1)
  })
})
