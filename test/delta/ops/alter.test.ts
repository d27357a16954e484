import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { addConstraints, dropConstraint } from '../../../src/delta/ops/alter.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { commitInfoOf, memoryEngine, rows, tableState } from './fixture.js'

describe('addConstraints and dropConstraint', () => {
  it('return the committed version and record the operation', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]))
    expect(await addConstraints(engine, { positive: 'id > 0' }, { commitProperties: { customMetadata: { by: 'ops' } } })).toEqual({ version: 1 })
    expect(await commitInfoOf(engine, 1)).toMatchObject({
      operation: 'ADD CONSTRAINT', operationParameters: { name: 'positive', expr: 'id > 0' }, readVersion: 0,
      isolationLevel: 'Serializable', isBlindAppend: false, by: 'ops',
    })
    expect(await dropConstraint(engine, 'POSITIVE')).toEqual({ version: 2 })
    expect(await commitInfoOf(engine, 2)).toMatchObject({ operation: 'DROP CONSTRAINT', operationParameters: { name: 'POSITIVE' }, readVersion: 1 })
    expect((await loadSnapshot(engine)).metadata.configuration).not.toHaveProperty('delta.constraints.positive')
  })

  it('dropping a missing constraint is an error unless raiseIfNotExists is false', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await expect(dropConstraint(engine, 'nope')).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('nope') })
    expect(await dropConstraint(engine, 'nope', { raiseIfNotExists: false })).toEqual({ version: 0 })
    expect((await tableState(engine)).version).toBe(0)
  })

  it('a constraint change landing at the checkpoint interval writes the checkpoint', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.checkpointInterval': '2' } })
    await writeTable(engine, rows([2]), { mode: 'append' })
    expect(await addConstraints(engine, { positive: 'id > 0' })).toEqual({ version: 2 })
    expect(await engine.storage.head('_delta_log/00000000000000000002.checkpoint.parquet')).toBeDefined()
    await writeTable(engine, rows([3]), { mode: 'append' })
    expect(await dropConstraint(engine, 'positive')).toEqual({ version: 4 })
    expect(await engine.storage.head('_delta_log/00000000000000000004.checkpoint.parquet')).toBeDefined()
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.segment.checkpoint?.version).toBe(4)
    expect(snapshot.metadata.configuration).not.toHaveProperty('delta.constraints.positive')
  })

  it('a constraint change honours postCommitHookProperties', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.checkpointInterval': '1' } })
    await addConstraints(engine, { positive: 'id > 0' }, { postCommitHookProperties: { createCheckpoint: false } })
    expect(await engine.storage.head('_delta_log/00000000000000000001.checkpoint.parquet')).toBeUndefined()
  })

  it('refuses SnapshotIsolation for adding a constraint, before reading anything', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await expect(addConstraints(engine, { positive: 'id > 0' }, { isolationLevel: 'SnapshotIsolation' }))
      .rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('Serializable') })
    expect(await addConstraints(engine, { positive: 'id > 0' }, { isolationLevel: 'WriteSerializable' })).toEqual({ version: 1 })
    expect((await commitInfoOf(engine, 1)).isolationLevel).toBe('WriteSerializable')
  })
})
