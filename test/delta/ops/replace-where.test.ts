import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { readChanges } from '../../../src/delta/scan/change-data.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { commitActions, memoryEngine, readIds, rows } from './fixture.js'

const cases: { name: string; configuration: Record<string, string> }[] = [
  { name: 'copy-on-write', configuration: { 'delta.enableChangeDataFeed': 'true' } },
  { name: 'deletion vectors', configuration: { 'delta.enableChangeDataFeed': 'true', 'delta.enableDeletionVectors': 'true' } },
]

describe.each(cases)('overwrite with a predicate on a data column ($name)', ({ configuration }) => {
  it('replaces only the matching rows, in one commit', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3, 4], ['a', 'a', 'b', 'b']), { partitionBy: ['p'], configuration })
    await writeTable(engine, rows([5, 6], ['a', 'c']), { mode: 'append' })
    // id >= 2 reaches every file; row 1 stays, its file rewritten (or marked) around it.
    const result = await writeTable(engine, rows([20, 30, 40], ['a', 'b', 'b']), { mode: 'overwrite', predicate: 'id >= 2' })
    expect(result.version).toBe(2)
    expect(await readIds(engine)).toEqual([1, 20, 30, 40])
    const actions = await commitActions(engine, 2)
    expect(actions.filter((a) => a.commitInfo).map((a) => a.commitInfo!.operationParameters)).toEqual([{ mode: 'overwrite', partitionBy: '["p"]', predicate: 'id >= 2' }])
    const changes = await readChanges(engine, { startVersion: 2 })
    const kinds = [...changes].map((r) => `${r._change_type}:${r.id}`).sort()
    expect(kinds).toEqual(['delete:2', 'delete:3', 'delete:4', 'delete:5', 'delete:6', 'insert:20', 'insert:30', 'insert:40'])
    expect(actions.some((a) => a.cdc)).toBe(true)
  })

  it('refuses new rows that do not match the predicate, and leaves the table as it was', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3], ['a', 'a', 'b']), { partitionBy: ['p'], configuration })
    const before = engine.storage.paths().sort()
    await expect(writeTable(engine, rows([0], ['a']), { mode: 'overwrite', predicate: 'id >= 2' }))
      .rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    expect((await loadSnapshot(engine)).version).toBe(0)
    expect(engine.storage.paths().sort()).toEqual(before)
    expect(await readIds(engine)).toEqual([1, 2, 3])
  })
})

describe('overwrite with a predicate on partition columns', () => {
  it('removes whole files without reading them', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3], ['a', 'a', 'b']), { partitionBy: ['p'] })
    await writeTable(engine, rows([7], ['a']), { mode: 'overwrite', predicate: "p = 'a'" })
    expect(await readIds(engine)).toEqual([3, 7])
    const adds = (await commitActions(engine, 1)).filter((a) => a.add)
    expect(adds).toHaveLength(1)
  })
})
