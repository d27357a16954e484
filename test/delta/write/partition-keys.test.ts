// What we write into partitionValues: physical keys under column mapping (PROTOCOL.md "Track
// partition values ... with the physical name of the column"), timestamps in the ISO-8601 UTC
// form; and what we still read: logs where older versions of this library keyed values by
// logical name, and zone-less timestamps.
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { commitPath } from '../../../src/delta/log/log-path.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

type Line = Record<string, Record<string, unknown>>

async function lines(storage: MemoryStorage, version: number): Promise<Line[]> {
  return new TextDecoder().decode(await storage.read(commitPath(version))).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
}

async function rewriteCommit(storage: MemoryStorage, version: number, edit: (text: string) => string): Promise<void> {
  const text = new TextDecoder().decode(await storage.read(commitPath(version)))
  await storage.put(commitPath(version), new TextEncoder().encode(edit(text)))
}

function fileActions(all: Line[], kind: 'add' | 'remove' | 'cdc'): Record<string, unknown>[] {
  return all.flatMap((l) => (l[kind] ? [l[kind]!] : []))
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x)))
const rowsOf = async (t: DeltaTable, filter?: string) =>
  (await t.toArrow(filter ? { filter } : {})).toArray().map((r) => plain(r.toJSON()) as Record<string, unknown>).sort((a, b) => Number(a.id) - Number(b.id))

function physicalOf(t: DeltaTable, name: string): string {
  const p = t.schema().fields.find((f) => f.name === name)!.metadata['delta.columnMapping.physicalName']
  expect(typeof p).toBe('string')
  return p as string
}

const DATA = [{ id: 1n, region: 'eu', n: 10 }, { id: 2n, region: 'us', n: 20 }, { id: 3n, region: 'eu', n: 30 }, { id: 4n, region: null, n: 40 }]

describe('partition values under column mapping', () => {
  for (const mode of ['name', 'id'] as const) {
    it(`are keyed by physical name in add, remove, cdc and the checkpoint (mode '${mode}')`, async () => {
      const storage = new MemoryStorage()
      await writeDeltaLake('mem', DATA, {
        storage, parquet, partitionBy: ['region'],
        configuration: {
          'delta.columnMapping.mode': mode, 'delta.enableChangeDataFeed': 'true',
          'delta.checkpointInterval': '2', 'delta.checkpoint.writeStatsAsStruct': 'true',
        },
      })
      const t = await DeltaTable.open('mem', { storage, parquet })
      const key = physicalOf(t, 'region')
      expect(key).toMatch(/^col-/)
      const adds = fileActions(await lines(storage, 0), 'add')
      expect(adds.map((a) => Object.keys(a.partitionValues as object))).toEqual(adds.map(() => [key]))
      expect(adds.map((a) => (a.partitionValues as Record<string, unknown>)[key]).sort()).toEqual(['eu', 'us', null].sort())
      for (const a of adds) expect(decodeURIComponent(a.path as string).startsWith(`${key}=`)).toBe(true)

      await t.delete('id = 1')
      const v1 = await lines(storage, 1)
      for (const kind of ['add', 'remove', 'cdc'] as const) {
        const actions = fileActions(v1, kind)
        expect(actions.length, kind).toBeGreaterThan(0)
        for (const a of actions) expect(a.partitionValues, kind).toEqual({ [key]: 'eu' })
      }
      await writeDeltaLake(t, [{ id: 5n, region: 'us', n: 50 }], { mode: 'append' })

      const again = await DeltaTable.open('mem', { storage, parquet })
      expect(again.checkpointVersion()).toBe(2)
      expect(await rowsOf(again)).toEqual([
        { id: 2, region: 'us', n: 20 }, { id: 3, region: 'eu', n: 30 }, { id: 4, region: null, n: 40 }, { id: 5, region: 'us', n: 50 },
      ])
      expect((await rowsOf(again, "region = 'us'")).map((r) => r.id)).toEqual([2, 5])
      expect((await again.partitions()).map((p) => p.region).sort()).toEqual(['eu', 'us', null].sort())
      const changes = (await again.changes({ startVersion: 1, endVersion: 1 })).toArray().map((r) => [Number(r.id), r.region, r._change_type])
      expect(changes).toEqual([[1, 'eu', 'delete']])

      const checkpoint = await parquet.read({ size: (await storage.head('_delta_log/00000000000000000002.checkpoint.parquet'))!.size, read: (offset, length) => storage.read('_delta_log/00000000000000000002.checkpoint.parquet', { offset, length }) })
      const add = checkpoint.getChild('add')!
      const parsed = add.type.children.find((f: { name: string }) => f.name === 'partitionValues_parsed')
      expect(parsed.type.children.map((f: { name: string }) => f.name)).toEqual([key])
      const maps = add.toArray().filter(Boolean).map((a: { toJSON(): Record<string, unknown> }) => a.toJSON().partitionValues as { toJSON(): Record<string, unknown> })
      for (const m of maps) expect(Object.keys(m.toJSON())).toEqual([key])
    })
  }

  it('reads logs an older writer of ours keyed by logical name, mixed with physical keys', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', DATA, { storage, parquet, partitionBy: ['region'], configuration: { 'delta.columnMapping.mode': 'name', 'delta.checkpointInterval': '3' } })
    const key = physicalOf(await DeltaTable.open('mem', { storage, parquet }), 'region')
    await rewriteCommit(storage, 0, (text) => text.replaceAll(`"partitionValues":{"${key}":`, '"partitionValues":{"region":'))
    expect(fileActions(await lines(storage, 0), 'add').every((a) => Object.keys(a.partitionValues as object)[0] === 'region')).toBe(true)
    await writeDeltaLake('mem', [{ id: 5n, region: 'eu', n: 50 }], { storage, parquet, mode: 'append' })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect((await rowsOf(t)).map((r) => `${r.id}${r.region}`)).toEqual(['1eu', '2us', '3eu', '4null', '5eu'])
    expect((await rowsOf(t, "region = 'eu'")).map((r) => r.id)).toEqual([1, 3, 5])
    expect(await t.partitions()).toHaveLength(3)
    await t.delete("region = 'eu' AND n > 20")
    expect((await rowsOf(t)).map((r) => r.id)).toEqual([1, 2, 4])
    // The remove of a file an older writer added is keyed by physical name, as every new action.
    for (const r of fileActions(await lines(storage, 2), 'remove')) expect(Object.keys(r.partitionValues as object)).toEqual([key])
    // So is every add of a checkpoint, the older writer's files among them.
    await writeDeltaLake(t, [{ id: 6n, region: 'us', n: 60 }], { mode: 'append' })
    const path = '_delta_log/00000000000000000003.checkpoint.parquet'
    const checkpoint = await parquet.read({ size: (await storage.head(path))!.size, read: (offset, length) => storage.read(path, { offset, length }) })
    const maps = checkpoint.getChild('add')!.toArray().filter(Boolean).map((a: { toJSON(): Record<string, { toJSON(): object }> }) => a.toJSON().partitionValues!.toJSON())
    expect(maps.length).toBe(4)
    for (const m of maps) expect(Object.keys(m)).toEqual([key])
    expect((await rowsOf(await DeltaTable.open('mem', { storage, parquet }))).map((r) => `${r.id}${r.region}`)).toEqual(['1eu', '2us', '4null', '6us'])
  })

  it('takes no value from a logical key that is another partition column\'s physical name', async () => {
    // 'a' was renamed to 'b' (physical name still 'a'), then a new column 'a' was added.
    const field = (name: string, physical: string, id: number) => ({ name, type: 'string', nullable: true, metadata: { 'delta.columnMapping.id': id, 'delta.columnMapping.physicalName': physical } })
    const schema = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': 'id' } }, field('b', 'a', 2), field('a', 'col-new', 3)] }
    const storage = new MemoryStorage()
    const actions = [
      { protocol: { minReaderVersion: 2, minWriterVersion: 5 } },
      { metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema), partitionColumns: ['b', 'a'], configuration: { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '3' }, createdTime: 1 } },
      { add: { path: 'f.parquet', partitionValues: { a: 'old-a' }, size: 1, modificationTime: 1, dataChange: true } },
    ]
    await storage.put(commitPath(0), new TextEncoder().encode(actions.map((a) => JSON.stringify(a)).join('\n')))
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect(await t.partitions()).toEqual([{ b: 'old-a', a: null }])
  })
})

describe('timestamp partition values', () => {
  const at = (iso: string) => new Date(iso)

  it('are written in the ISO-8601 UTC form and read back as the same instant', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n, ts: at('2024-01-01T10:00:00Z') }, { id: 2n, ts: at('1969-12-31T23:59:59.123Z') }, { id: 3n, ts: null }], { storage, parquet, partitionBy: ['ts'] })
    const values = fileActions(await lines(storage, 0), 'add').map((a) => (a.partitionValues as Record<string, string | null>).ts).sort()
    expect(values).toEqual(['1969-12-31T23:59:59.123000Z', '2024-01-01T10:00:00.000000Z', null].sort())
    const t = await DeltaTable.open('mem', { storage, parquet })
    const rows = (await t.toArrow()).toArray().map((r) => [Number(r.id), r.ts === null ? null : Number(r.ts)]).sort((a, b) => a[0]! - b[0]!)
    expect(rows).toEqual([[1, Date.parse('2024-01-01T10:00:00Z')], [2, Date.parse('1969-12-31T23:59:59.123Z')], [3, null]])
    expect((await t.toArrow({ filter: "ts = '2024-01-01T10:00:00Z'" })).numRows).toBe(1)
  })

  it('read alike in the zone-less form older writers wrote, as one partition with the new form', async () => {
    const storage = new MemoryStorage()
    await writeDeltaLake('mem', [{ id: 1n, ts: at('2024-01-01T10:00:00Z') }], { storage, parquet, partitionBy: ['ts'] })
    await rewriteCommit(storage, 0, (text) => text.replace('"2024-01-01T10:00:00.000000Z"', '"2024-01-01 10:00:00"'))
    await writeDeltaLake('mem', [{ id: 2n, ts: at('2024-01-01T10:00:00Z') }], { storage, parquet, mode: 'append' })
    expect(fileActions(await lines(storage, 1), 'add')[0]!.partitionValues).toEqual({ ts: '2024-01-01T10:00:00.000000Z' })
    const t = await DeltaTable.open('mem', { storage, parquet })
    expect((await t.toArrow({ filter: "ts = '2024-01-01 10:00:00'" })).numRows).toBe(2)
    expect(await t.partitions()).toEqual([{ ts: '2024-01-01 10:00:00' }])
  })
})
