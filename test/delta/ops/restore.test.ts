import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { addConstraints } from '../../../src/delta/ops/alter.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { restoreTable } from '../../../src/delta/ops/restore.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { commitActions, commitInfoOf, memoryEngine, readIds, rows, tableState } from './fixture.js'

async function idsAt(engine: Engine, version: number): Promise<number[]> {
  const snapshot = await loadSnapshot(engine, version)
  const table = await executeScan(engine, snapshot, planScan(snapshot))
  return table.toArray().map((r) => Number(r.id)).sort((a, b) => a - b)
}

async function pathsAt(engine: Engine, version?: number): Promise<string[]> {
  return (await loadSnapshot(engine, version)).files.map((f) => f.path).sort()
}

/** v0: ids 1, 2 (one file); v1: id 3 appended; v2: id 1 deleted (its file rewritten). */
async function threeVersions() {
  const engine = await memoryEngine()
  await writeTable(engine, rows([1, 2]))
  await writeTable(engine, rows([3]), { mode: 'append' })
  await deleteRows(engine, 'id = 1')
  return engine
}

describe('restoreTable', () => {
  it('makes the latest version hold the target version files and rows, leaving time travel intact', async () => {
    const engine = await threeVersions()
    const v1Files = (await loadSnapshot(engine, 1)).files.toArray()
    const v2Files = (await loadSnapshot(engine, 2)).files.toArray()
    const v1Paths = v1Files.map((f) => f.path)
    const v2Paths = v2Files.map((f) => f.path)
    const back = v1Files.filter((f) => !v2Paths.includes(f.path))
    const gone = v2Files.filter((f) => !v1Paths.includes(f.path))
    expect(back).toHaveLength(1)
    expect(gone).toHaveLength(1)

    const result = await restoreTable(engine, 1)
    expect(result).toMatchObject({
      version: 3, numRestoredFile: 1, numRemovedFile: 1, numRestoredFiles: 1, numRemovedFiles: 1,
      numOfFilesAfterRestore: 2, restoredFilesSize: back[0]!.size, removedFilesSize: gone[0]!.size,
      tableSizeAfterRestore: v1Files[0]!.size + v1Files[1]!.size,
    })
    expect(await readIds(engine)).toEqual([1, 2, 3])
    expect(await pathsAt(engine)).toEqual([...v1Paths].sort())
    expect(await idsAt(engine, 2)).toEqual([2, 3])
    expect(await idsAt(engine, 0)).toEqual([1, 2])

    const actions = await commitActions(engine, 3)
    expect(actions.filter((a) => a.add).map((a) => [a.add!.path, a.add!.dataChange])).toEqual([[back[0]!.path, true]])
    expect(actions.filter((a) => a.remove).map((a) => [a.remove!.path, a.remove!.dataChange])).toEqual([[gone[0]!.path, true]])
    const info = await commitInfoOf(engine, 3)
    expect(info).toMatchObject({
      operation: 'RESTORE', operationParameters: { version: 1, timestamp: null }, readVersion: 2,
      operationMetrics: { numRestoredFiles: 1, numRemovedFiles: 1, numOfFilesAfterRestore: 2 },
    })
  })

  it('restores by time, to the newest version committed at or before it', async () => {
    let clock = Date.UTC(2026, 0, 1)
    const engine = await memoryEngine({ now: () => clock })
    await writeTable(engine, rows([1]))
    clock = Date.UTC(2026, 0, 2)
    await writeTable(engine, rows([2]), { mode: 'append' })
    clock = Date.UTC(2026, 0, 3)
    await writeTable(engine, rows([3]), { mode: 'overwrite' })
    clock = Date.UTC(2026, 0, 4)
    const result = await restoreTable(engine, '2026-01-02T12:00:00Z')
    expect(result.version).toBe(3)
    expect(await readIds(engine)).toEqual([1, 2])
    expect((await commitInfoOf(engine, 3)).operationParameters).toEqual({ version: null, timestamp: '2026-01-02T12:00:00.000Z' })
    await restoreTable(engine, new Date(Date.UTC(2026, 0, 1, 6)))
    expect(await readIds(engine)).toEqual([1])
  })

  it('sets the target metadata and keeps the protocol unless a downgrade is allowed', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    const before = await loadSnapshot(engine)
    await addConstraints(engine, { positive: 'id > 0' })
    const withConstraint = await loadSnapshot(engine)
    expect(withConstraint.protocol.minWriterVersion).toBeGreaterThan(before.protocol.minWriterVersion)
    await restoreTable(engine, 0)
    const after = await loadSnapshot(engine)
    expect(after.metadata.configuration).toEqual(before.metadata.configuration)
    expect(after.metadata.schemaString).toBe(before.metadata.schemaString)
    expect(after.protocol).toEqual(withConstraint.protocol)
    expect((await commitActions(engine, 2)).some((a) => a.protocol)).toBe(false)
    await restoreTable(engine, 1)
    await restoreTable(engine, 0, { protocolDowngradeAllowed: true })
    expect((await loadSnapshot(engine)).protocol).toEqual(before.protocol)
    expect(await readIds(engine)).toEqual([1])
  })

  it('refuses a target file missing from storage unless ignoreMissingFiles', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await writeTable(engine, rows([2]), { mode: 'overwrite' })
    const lost = (await loadSnapshot(engine, 0)).files.at(0).path
    await engine.storage.delete(lost)
    const state = await tableState(engine)
    await expect(restoreTable(engine, 0)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining(lost) })
    expect(await tableState(engine)).toEqual(state)
    const result = await restoreTable(engine, 0, { ignoreMissingFiles: true })
    expect(result).toMatchObject({ version: 2, numRestoredFile: 1, numRemovedFile: 1 })
    expect(await pathsAt(engine)).toEqual([lost])
  })

  it('refuses bad targets and options before writing', async () => {
    const engine = await threeVersions()
    const state = await tableState(engine)
    await expect(restoreTable(engine, 2)).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(restoreTable(engine, 7)).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(restoreTable(engine, -1)).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(restoreTable(engine, 'yesterday')).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(restoreTable(engine, 0, { ignoreMissingFile: true } as never)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('ignoreMissingFiles') })
    await expect(restoreTable(engine, '2000-01-01T00:00:00Z')).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(await tableState(engine)).toEqual(state)
  })

  it('an append-only table refuses a restore that would remove files', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.appendOnly': 'true' } })
    await writeTable(engine, rows([2]), { mode: 'append' })
    await expect(restoreTable(engine, 0)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('append-only') })
  })

  it('tells files apart by deletion vector: a file with and without one are different files', async () => {
    const engine = await memoryEngine()
    const ids = Array.from({ length: 1000 }, (_, i) => i)
    await writeTable(engine, rows(ids), { configuration: { 'delta.enableDeletionVectors': 'true' } })
    await deleteRows(engine, 'id % 2 = 0')
    await deleteRows(engine, 'id = 1')
    const v1 = (await loadSnapshot(engine, 1)).files.at(0)
    const dv = v1.deletionVector!
    // Too long to go inline: the deletion vector has a file of its own.
    expect(dv.storageType).toBe('u')
    expect((await loadSnapshot(engine)).files.at(0).path).toBe(v1.path)
    const result = await restoreTable(engine, 0)
    expect(result).toMatchObject({ numRestoredFile: 1, numRemovedFile: 1 })
    expect(await readIds(engine)).toEqual(ids)
    const actions = await commitActions(engine, 3)
    expect(actions.find((a) => a.add)!.add!.deletionVector ?? null).toBeNull()
    expect(actions.find((a) => a.remove)!.remove!.deletionVector).toBeTruthy()
    await restoreTable(engine, 1)
    expect(await readIds(engine)).toEqual(ids.filter((i) => i % 2 === 1))
    await restoreTable(engine, 0)
    for (const p of engine.storage.paths().filter((x) => x.includes('deletion_vector_'))) await engine.storage.delete(p)
    await expect(restoreTable(engine, 1)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('deletion_vector_') })
  })
})
