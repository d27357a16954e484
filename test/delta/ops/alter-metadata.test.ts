import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { addFeature } from '../../../src/delta/ops/alter/add-feature.js'
import { dropColumnNotNull, setColumnMetadata } from '../../../src/delta/ops/alter/column-changes.js'
import { setTableDescription, setTableName } from '../../../src/delta/ops/alter/table-metadata.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { commitActions, commitInfoOf, memoryEngine, readIds, rows, tableState } from './fixture.js'

describe('addFeature', () => {
  it('moves the table to table features listing the feature, only when allowed', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]))
    const state = await tableState(engine)
    await expect(addFeature(engine, 'deletionVectors')).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('allowProtocolVersionsIncrease') })
    expect(await tableState(engine)).toEqual(state)
    expect(await addFeature(engine, 'deletionVectors', { allowProtocolVersionsIncrease: true })).toEqual({ version: 1 })
    const p = (await loadSnapshot(engine)).protocol
    expect(p).toEqual({
      kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'],
      writerFeatures: ['appendOnly', 'invariants', 'deletionVectors'],
    })
    const actions = await commitActions(engine, 1)
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['commitInfo', 'protocol'])
    expect(await commitInfoOf(engine, 1)).toMatchObject({ operation: 'ADD FEATURE', operationParameters: { name: '["deletionVectors"]' } })
    // Already at table features: no increase needed; a feature already listed commits nothing.
    expect(await addFeature(engine, ['changeDataFeed', 'timestampNtz'])).toEqual({ version: 2 })
    expect((await loadSnapshot(engine)).protocol.writerFeatures).toEqual(['appendOnly', 'invariants', 'deletionVectors', 'changeDataFeed', 'timestampNtz'])
    expect(await addFeature(engine, 'DELETIONVECTORS')).toEqual({ version: 2 })
    expect((await loadSnapshot(engine)).metadata.configuration).toEqual({})
    expect(await readIds(engine)).toEqual([1, 2])
  })

  it('refuses unknown features by name and features this library cannot write', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await expect(addFeature(engine, ['deletionVectors', 'fastLane'])).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining("'fastLane'") })
    await expect(addFeature(engine, 'rowTracking', { allowProtocolVersionsIncrease: true })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
    await expect(addFeature(engine, [])).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect((await loadSnapshot(engine)).version).toBe(0)
  })
})

describe('setTableName and setTableDescription', () => {
  it('change only the name or description', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { name: 'old', description: 'first' })
    const before = await loadSnapshot(engine)
    expect(await setTableName(engine, 'orders')).toEqual({ version: 1 })
    expect(await setTableDescription(engine, 'all orders')).toEqual({ version: 2 })
    const after = await loadSnapshot(engine)
    expect(after.metadata).toEqual({ ...before.metadata, name: 'orders', description: 'all orders' })
    expect(await commitInfoOf(engine, 1)).toMatchObject({ operation: 'UPDATE TABLE METADATA', operationParameters: { metadataUpdate: '{"name":"orders"}' } })
    expect(await commitInfoOf(engine, 2)).toMatchObject({ operationParameters: { metadataUpdate: '{"description":"all orders"}' } })
    await expect(setTableName(engine, '')).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(setTableName(engine, 'x'.repeat(256))).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(setTableDescription(engine, 'x'.repeat(4001))).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect((await loadSnapshot(engine)).version).toBe(2)
  })
})

describe('setColumnMetadata and dropColumnNotNull', () => {
  const schema = {
    type: 'struct' as const,
    fields: [
      { name: 'id', type: 'long' as const, nullable: false, metadata: { owner: 'a' } },
      { name: 'p', type: 'string' as const, nullable: true, metadata: {} },
    ],
  }

  it('set column metadata, keeping the other entries and columns', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1], ['x']), { schema })
    expect(await setColumnMetadata(engine, 'ID', { comment: 'the key' })).toEqual({ version: 1 })
    const fields = (await loadSnapshot(engine)).schema.fields
    expect(fields[0]).toEqual({ name: 'id', type: 'long', nullable: false, metadata: { owner: 'a', comment: 'the key' } })
    expect(fields[1]).toEqual(schema.fields[1])
    const info = await commitInfoOf(engine, 1)
    expect(info.operation).toBe('UPDATE FIELD METADATA')
    expect(JSON.parse((info.operationParameters as { fields: string }).fields)).toEqual([fields[0]])
    await expect(setColumnMetadata(engine, 'id', { 'delta.columnMapping.id': '5' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('delta.') })
    await expect(setColumnMetadata(engine, 'nope', { comment: 'x' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('nope') })
    expect((await loadSnapshot(engine)).version).toBe(1)
  })

  it('dropColumnNotNull lets the column hold nulls', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1], ['x']), { schema })
    expect(await dropColumnNotNull(engine, 'id')).toEqual({ version: 1 })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.schema.fields[0]).toEqual({ ...schema.fields[0], nullable: true })
    expect(await commitInfoOf(engine, 1)).toMatchObject({ operation: 'CHANGE COLUMN' })
    expect(await readIds(engine)).toEqual([1])
  })
})
