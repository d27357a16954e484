import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { setTableProperties } from '../../../src/delta/ops/alter/set-properties.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { commitActions, commitInfoOf, memoryEngine, readIds, rows, tableState } from './fixture.js'

describe('setTableProperties', () => {
  it('sets the properties, keeps the others, and records SET TBLPROPERTIES', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]), { configuration: { 'delta.checkpointInterval': '5', owner: 'a' } })
    const before = await loadSnapshot(engine)
    expect(await setTableProperties(engine, { 'delta.logRetentionDuration': 'interval 7 days', owner: 'b' })).toEqual({ version: 1 })
    const after = await loadSnapshot(engine)
    expect(after.metadata.configuration).toEqual({ 'delta.checkpointInterval': '5', 'delta.logRetentionDuration': 'interval 7 days', owner: 'b' })
    expect(after.metadata.id).toBe(before.metadata.id)
    expect(after.metadata.schemaString).toBe(before.metadata.schemaString)
    expect(after.protocol).toEqual(before.protocol)
    const actions = await commitActions(engine, 1)
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['commitInfo', 'metaData'])
    expect(await commitInfoOf(engine, 1)).toMatchObject({
      operation: 'SET TBLPROPERTIES',
      operationParameters: { properties: JSON.stringify({ 'delta.logRetentionDuration': 'interval 7 days', owner: 'b' }) },
    })
    expect(await readIds(engine)).toEqual([1, 2])
  })

  it('raises the protocol a property needs', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3]))
    expect((await loadSnapshot(engine)).protocol).toEqual({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 2 })
    await setTableProperties(engine, { 'delta.enableChangeDataFeed': 'true' })
    expect((await loadSnapshot(engine)).protocol).toEqual({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 4 })
    await setTableProperties(engine, { 'delta.enableDeletionVectors': 'true' })
    const p = (await loadSnapshot(engine)).protocol
    expect(p).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 })
    expect(p.readerFeatures).toEqual(['deletionVectors'])
    expect(p.writerFeatures).toEqual(expect.arrayContaining(['appendOnly', 'invariants', 'changeDataFeed', 'deletionVectors']))
    expect((await commitActions(engine, 2)).some((a) => a.protocol)).toBe(true)
    // Deletes now use deletion vectors: no file is rewritten.
    await deleteRows(engine, 'id = 2')
    expect((await commitActions(engine, 3)).find((a) => a.add)?.add?.deletionVector).toBeTruthy()
    expect(await readIds(engine)).toEqual([1, 3])
    await setTableProperties(engine, { 'delta.enableInCommitTimestamps': 'true' })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.protocol.writerFeatures).toContain('inCommitTimestamp')
    expect(snapshot.metadata.configuration['delta.inCommitTimestampEnablementVersion']).toBe('4')
    expect(typeof (await commitInfoOf(engine, 4)).inCommitTimestamp).toBe('number')
  })

  it('appendOnly makes the table refuse deletes', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await setTableProperties(engine, { 'delta.appendOnly': 'true' })
    await expect(deleteRows(engine, 'id = 1')).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('append-only') })
  })

  it('turns column mapping on by name, with physical names equal to the names', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2], ['a', 'b']), { partitionBy: ['p'] })
    await setTableProperties(engine, { 'delta.columnMapping.mode': 'name' })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.columnMapping).toBe('name')
    expect(snapshot.schema.fields.map((f) => [f.name, f.metadata['delta.columnMapping.id'], f.metadata['delta.columnMapping.physicalName']]))
      .toEqual([['id', 1, 'id'], ['p', 2, 'p']])
    expect(snapshot.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('2')
    expect(snapshot.protocol).toMatchObject({ minReaderVersion: 2, minWriterVersion: 5 })
    expect(await readIds(engine)).toEqual([1, 2])
    await expect(setTableProperties(engine, { 'delta.columnMapping.mode': 'none' })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
  })

  it('refuses bad values, unknown delta keys and managed keys before writing', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    const state = await tableState(engine)
    const refuse = (props: Record<string, string>, text: string) =>
      expect(setTableProperties(engine, props)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining(text) })
    await refuse({ 'delta.appendOnly': 'yes' }, 'delta.appendOnly')
    await refuse({ 'delta.logRetentionDuration': '30 fortnights' }, 'delta.logRetentionDuration')
    await refuse({ 'delta.checkpointInterval': '0' }, 'delta.checkpointInterval')
    await refuse({ 'delta.dataSkippingNumIndexedCols': '1.5' }, 'delta.dataSkippingNumIndexedCols')
    await refuse({ 'delta.columnMapping.mode': 'names' }, 'delta.columnMapping.mode')
    await refuse({ 'delta.appendonly': 'true' }, 'delta.appendOnly')
    await refuse({ 'delta.enableFoo': 'true' }, 'delta.enableFoo')
    await refuse({ 'delta.constraints.x': 'id > 0' }, 'addConstraints')
    await refuse({}, 'at least one')
    await expect(setTableProperties(engine, { 'delta.columnMapping.mode': 'id' })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
    await expect(setTableProperties(engine, { 'delta.enableRowTracking': 'true' })).rejects.toMatchObject({ code: 'UnsupportedFeature' })
    expect(await tableState(engine)).toEqual(state)
    expect(await setTableProperties(engine, { 'delta.enableFoo': 'true' }, { raiseIfNotExists: false })).toEqual({ version: 1 })
    expect((await loadSnapshot(engine)).metadata.configuration['delta.enableFoo']).toBe('true')
  })
})
