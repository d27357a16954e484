import { describe, expect, it } from 'vitest'
import { booleanProperty, statsSettings } from '../../../src/delta/features/table-config.js'
import { inCommitTimestampsFrom } from '../../../src/delta/log/commit-time.js'
import type { MetadataAction } from '../../../src/delta/model/actions.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { readChanges } from '../../../src/delta/scan/change-data.js'
import { commitActions, commitInfoOf, memoryEngine, rows } from '../ops/fixture.js'

describe('booleanProperty', () => {
  it("reads 'true' and 'false' whatever their case and surrounding blanks", () => {
    for (const value of ['true', 'TRUE', ' True ', '\ttrue\n']) expect(booleanProperty({ k: value }, 'k')).toBe(true)
    for (const value of ['false', 'FALSE', ' False ']) expect(booleanProperty({ k: value }, 'k', true)).toBe(false)
  })

  it('gives the default when the property is unset or not a boolean', () => {
    for (const config of [{}, { k: '' }, { k: 'yes' }, { k: '1' }] as Record<string, string>[]) {
      expect(booleanProperty(config, 'k')).toBe(false)
      expect(booleanProperty(config, 'k', true)).toBe(true)
    }
  })
})

describe('statsSettings', () => {
  it('reads the indexed column count and the stats columns', () => {
    expect(statsSettings({})).toEqual({ numIndexedCols: undefined, statsColumns: undefined })
    expect(statsSettings({ 'delta.dataSkippingNumIndexedCols': '3' })).toMatchObject({ numIndexedCols: 3 })
    expect(statsSettings({ 'delta.dataSkippingStatsColumns': ' a, b.c ,' })).toMatchObject({ statsColumns: ['a', 'b.c'] })
  })
})

describe('boolean table properties in operations', () => {
  it("a delete records changes, and they read back, when the change data feed is 'TRUE'", async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1, 2, 3]), { configuration: { 'delta.enableChangeDataFeed': 'TRUE' } })
    await deleteRows(engine, 'id = 2')
    expect((await commitActions(engine, 1)).some((a) => a.cdc)).toBe(true)
    const changes = await readChanges(engine, { startVersion: 1 })
    expect(changes.toArray().map((r) => [Number(r.id), r._change_type])).toEqual([[2, 'delete']])
  })

  it("in-commit timestamps are on when the property is ' True '", async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows([1]), { configuration: { 'delta.enableInCommitTimestamps': ' True ' } })
    expect(typeof (await commitInfoOf(engine, 0)).inCommitTimestamp).toBe('number')
    const metadata = { configuration: { 'delta.enableInCommitTimestamps': 'TRUE' } } as unknown as MetadataAction
    expect(inCommitTimestampsFrom(metadata)).toBe(0)
  })
})
