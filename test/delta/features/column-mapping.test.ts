import { Field, Int64, RecordBatch, Schema, Struct, Table, makeData, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { conformTable, physicalColumns } from '../../../src/delta/arrow/conform.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import {
  checkPhysicalNames, columnMappingMode, fieldsAlong, physicalName, type ColumnMappingMode,
} from '../../../src/delta/features/column-mapping.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import type { AddAction } from '../../../src/delta/model/actions.js'
import type { StructField, StructType } from '../../../src/delta/model/schema.js'
import { partitionValuesOf } from '../../../src/delta/scan/plan.js'
import { collectStats } from '../../../src/delta/stats/collect.js'
import { fileStats, statsPath } from '../../../src/delta/stats/file-stats.js'
import { inferTable } from '../../../src/delta/write/infer.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { caught } from '../../helpers/caught.js'
import { writeCommit } from '../../helpers/log-builder.js'

const MODES: ColumnMappingMode[] = ['none', 'name', 'id']
const noParquet: ParquetCodec = {
  read: () => Promise.reject(new Error('no Parquet expected')),
  write: () => Promise.reject(new Error('no Parquet expected')),
}

function field(name: string, type: StructField['type'], physical?: unknown, id?: number): StructField {
  const metadata: Record<string, unknown> = {}
  if (physical !== undefined) metadata['delta.columnMapping.physicalName'] = physical
  if (id !== undefined) metadata['delta.columnMapping.id'] = id
  return { name, type, nullable: true, metadata }
}

const struct = (...fields: StructField[]): StructType => ({ type: 'struct', fields })


/** A decoded file with long columns under the given (physical) names, one row. */
function fileOf(names: string[]): Table {
  const fields = names.map((n) => new Field(n, new Int64(), true))
  const children = names.map((_, i) => vectorFromArray([BigInt(i + 1)], new Int64()).data[0]!)
  const schema = new Schema(fields)
  return new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length: 1, nullCount: 0, children }))])
}

async function snapshotOf(schema: StructType, mode: ColumnMappingMode, partitionColumns: string[] = [], adds: object[] = []) {
  const storage = new MemoryStorage()
  await writeCommit(storage, 0, [
    { protocol: { minReaderVersion: 2, minWriterVersion: 5 } },
    { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema), partitionColumns, configuration: { 'delta.columnMapping.mode': mode } } },
    ...adds,
  ])
  return loadSnapshot({ storage, parquet: noParquet })
}

describe('columnMappingMode', () => {
  it('reads the table property, none when absent, and refuses unknown modes', () => {
    expect(columnMappingMode({ configuration: {} })).toBe('none')
    expect(columnMappingMode({ configuration: { 'delta.columnMapping.mode': 'id' } })).toBe('id')
    expect(caught(() => columnMappingMode({ configuration: { 'delta.columnMapping.mode': 'fancy' } })).code).toBe('UnsupportedFeature')
  })
})

describe('physicalName', () => {
  it('is the display name without mapping and the physical name under name and id mapping', () => {
    const f = field('Display', 'long', 'col-7', 7)
    expect(MODES.map((m) => physicalName(f, m))).toEqual(['Display', 'col-7', 'col-7'])
  })

  it('keeps the display name of a field with no physical name', () => {
    expect(MODES.map((m) => physicalName(field('a', 'long'), m))).toEqual(['a', 'a', 'a'])
  })

  it("refuses an empty or non-string physical name as an invalid log naming the column, except in mode 'none'", () => {
    for (const bad of ['', 5, {}]) {
      const f = field('amount', 'long', bad)
      expect(physicalName(f, 'none')).toBe('amount')
      for (const mode of ['name', 'id'] as const) {
        const e = caught(() => physicalName(f, mode))
        expect(e.code).toBe('InvalidLog')
        expect(e.message).toContain("'amount'")
      }
    }
  })

  it('follows a path through nested structs, undefined when it is not there', () => {
    const schema = struct(field('s', struct(field('x', 'long', 'col-x')), 'col-s'))
    expect(statsPath(schema, ['s', 'x'], 'name')).toEqual(['col-s', 'col-x'])
    expect(statsPath(schema, ['s', 'x'], 'none')).toEqual(['s', 'x'])
    expect(statsPath(schema, ['s', 'y'], 'name')).toBeUndefined()
    expect(fieldsAlong(schema, ['s', 'y'])).toBeUndefined()
    expect(fieldsAlong(schema, ['s'])?.map((f) => f.name)).toEqual(['s'])
  })
})

describe('physical names agree across conform, stats and partition values', () => {
  const schema = struct(
    field('id', 'long', 'col-id', 1),
    field('s', struct(field('x', 'long', 'col-x', 3)), 'col-s', 2),
    field('plain', 'long', undefined, 4),
    field('p', 'long', 'col-p', 5),
  )
  const data = struct(...schema.fields.slice(0, 3))

  for (const mode of MODES) {
    it(`in mode '${mode}'`, async () => {
      const names = data.fields.map((f) => physicalName(f, mode))
      expect(physicalColumns(data, mode)).toEqual(names)

      const flat = struct(data.fields[0]!, data.fields[2]!)
      const conformed = conformTable(fileOf(flat.fields.map((f) => physicalName(f, mode))), flat, { columnMapping: mode })
      expect(conformed.getChild('id')?.get(0)).toBe(1n)
      expect(conformed.getChild('plain')?.get(0)).toBe(2n)

      const stats = JSON.parse(collectStats(inferTable([{ id: 1n, s: { x: 2n }, plain: 3n }], data), data, { columnMapping: mode }))
      expect(Object.keys(stats.nullCount)).toEqual(names)
      expect(Object.keys(stats.nullCount[physicalName(data.fields[1]!, mode)])).toEqual([mode === 'none' ? 'x' : 'col-x'])
      expect(statsPath(schema, ['s', 'x'], mode)).toEqual(fieldsAlong(schema, ['s', 'x'])!.map((f) => physicalName(f, mode)))

      const pKey = physicalName(schema.fields[3]!, mode)
      const add = { add: { path: 'f.parquet', partitionValues: { [pKey]: '9' }, size: 1, modificationTime: 1, dataChange: true, stats: JSON.stringify(stats) } }
      const snap = await snapshotOf(schema, mode, ['p'], [add])
      expect(snap.columnMapping).toBe(mode)
      expect(partitionValuesOf(snap, snap.files.at(0)!).get('p')).toBe(9n)
      const parsed = fileStats(snap, snap.files.at(0) as AddAction)!
      expect(parsed.max(['s', 'x'], 'long')).toBe(2n)
      expect(parsed.nullCount(['id'])).toBe(0)
    })
  }
})

describe('an empty physical name is an invalid log everywhere', () => {
  const bad = struct(field('id', 'long', 'col-id', 1), field('amount', 'long', '', 2))
  const nested = struct(field('s', struct(field('inner', 'long', '', 3)), 'col-s', 2))

  it('when the table is opened, nested fields included', async () => {
    for (const schema of [bad, nested]) {
      for (const mode of ['name', 'id'] as const) {
        const e = await snapshotOf(schema, mode).then(() => undefined, (err: unknown) => err)
        expect(isDeltaError(e, 'InvalidLog')).toBe(true)
        expect((e as Error).message).toContain(schema === bad ? "'amount'" : "'inner'")
      }
    }
    expect(() => checkPhysicalNames(bad, 'name')).toThrow(/'amount'/)
  })

  it('in conform, stats, and partition values, in name and id modes alike', () => {
    for (const mode of ['name', 'id'] as const) {
      expect(caught(() => physicalColumns(bad, mode)).code).toBe('InvalidLog')
      expect(caught(() => conformTable(fileOf(['col-id', 'amount']), bad, { columnMapping: mode })).code).toBe('InvalidLog')
      expect(caught(() => statsPath(bad, ['amount'], mode)).code).toBe('InvalidLog')
      expect(caught(() => collectStats(inferTable([{ id: 1n, amount: 2n }], bad), bad, { columnMapping: mode })).code).toBe('InvalidLog')
      const snap = { schema: bad, columnMapping: mode, metadata: { partitionColumns: ['amount'] } } as unknown as Parameters<typeof partitionValuesOf>[0]
      expect(caught(() => partitionValuesOf(snap, { partitionValues: { amount: '1' } })).code).toBe('InvalidLog')
    }
  })

  it("is ignored in mode 'none', where display names are used", async () => {
    const snap = await snapshotOf(bad, 'none')
    expect(physicalColumns(snap.schema, 'none')).toEqual(['id', 'amount'])
    expect(statsPath(snap.schema, ['amount'], 'none')).toEqual(['amount'])
  })
})
