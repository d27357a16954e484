import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { addColumns } from '../../../src/delta/ops/alter/add-columns.js'
import { setTableProperties } from '../../../src/delta/ops/alter/set-properties.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { commitInfoOf, memoryEngine, rows, tableState } from './fixture.js'

async function readAll(engine: Engine): Promise<Record<string, unknown>[]> {
  const snapshot = await loadSnapshot(engine)
  const table = await executeScan(engine, snapshot, planScan(snapshot))
  return table.toArray().map((r) => ({ ...r.toJSON() })).sort((a, b) => Number(a.id) - Number(b.id))
}

describe('addColumns', () => {
  it('adds nullable columns at the end; existing rows read null in them', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2]))
    const fields = [
      { name: 'note', type: 'string' as const, nullable: true, metadata: { comment: 'free text' } },
      { name: 'at', type: 'timestamp_ntz' as const, nullable: true, metadata: {} },
    ]
    expect(await addColumns(engine, fields)).toEqual({ version: 1 })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([['id', 'long', true], ['note', 'string', true], ['at', 'timestamp_ntz', true]])
    expect(snapshot.schema.fields[1]!.metadata).toEqual({ comment: 'free text' })
    expect(snapshot.protocol.writerFeatures).toContain('timestampNtz')
    expect(await readAll(engine)).toEqual([{ id: 1n, note: null, at: null }, { id: 2n, note: null, at: null }])
    const info = await commitInfoOf(engine, 1)
    expect(info.operation).toBe('ADD COLUMNS')
    expect(JSON.parse((info.operationParameters as { columns: string }).columns)).toEqual(fields.map((column) => ({ column })))
  })

  it('assigns column mapping ids and physical names when the table maps columns', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.columnMapping.mode': 'name' } })
    const before = await loadSnapshot(engine)
    expect(before.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('1')
    await addColumns(engine, [{ name: 's', type: { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }] }, nullable: true, metadata: {} }])
    const after = await loadSnapshot(engine)
    const s = after.schema.fields[1]!
    expect(s.metadata['delta.columnMapping.id']).toBe(2)
    expect(String(s.metadata['delta.columnMapping.physicalName'])).toMatch(/^col-/)
    const inner = (s.type as { fields: { metadata: Record<string, unknown> }[] }).fields[0]!
    expect(inner.metadata['delta.columnMapping.id']).toBe(3)
    expect(after.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('3')
    expect(after.schema.fields[0]).toEqual(before.schema.fields[0])
    expect((await readAll(engine)).map((r) => [r.id, r.s])).toEqual([[1n, null]])
  })

  it('refuses NOT NULL, duplicates and bad fields before writing', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]))
    await setTableProperties(engine, { owner: 'x' })
    const state = await tableState(engine)
    const refuse = (fields: unknown, text: string) =>
      expect(addColumns(engine, fields as never)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining(text) })
    await refuse([{ name: 'c', type: 'string', nullable: false, metadata: {} }], 'NOT NULL')
    await refuse([{ name: 'ID', type: 'string', nullable: true, metadata: {} }], "already has a column 'ID'")
    await refuse([{ name: 'c', type: 'string', nullable: true }, { name: 'C', type: 'long', nullable: true }], 'twice')
    await refuse([{ name: 'c', type: 'varchar', nullable: true, metadata: {} }], 'not valid')
    await refuse([{ name: 'c', type: 'long', nullable: true, metadata: { 'delta.generationExpression': 'id + 1' } }], 'delta.generationExpression')
    await refuse([], 'at least one')
    expect(await tableState(engine)).toEqual(state)
  })
})
