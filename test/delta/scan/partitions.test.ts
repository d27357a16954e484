// partitions() and scans find a file's partition values the same way: by physical name under
// column mapping, else by logical name, with the column found as other column lookups find it.
import { ActiveFiles } from '../../../src/delta/files/active-files.js'
import { describe, expect, it } from 'vitest'
import type { ColumnMappingMode } from '../../../src/delta/features/column-mapping.js'
import type { AddAction, MetadataAction } from '../../../src/delta/model/actions.js'
import type { StructField, StructType } from '../../../src/delta/model/schema.js'
import { distinctPartitions } from '../../../src/delta/scan/partitions.js'
import { partitionValuesOf } from '../../../src/delta/scan/plan.js'

const field = (name: string, physical?: string): StructField => ({
  name, type: 'string', nullable: true,
  metadata: physical === undefined ? {} : { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': physical },
})

function snapshotOf(opts: { mode: ColumnMappingMode; fields: StructField[]; partitionColumns: string[]; values: Record<string, string | null>[] }) {
  const schema: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }, ...opts.fields] }
  const metadata: MetadataAction = {
    kind: 'metaData', id: 't', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema),
    partitionColumns: opts.partitionColumns, configuration: { 'delta.columnMapping.mode': opts.mode },
  }
  const files = opts.values.map((partitionValues, i): AddAction => ({
    kind: 'add', path: `part-${i}.parquet`, partitionValues, size: 1, modificationTime: 0, dataChange: true,
  } as AddAction))
  return { schema, metadata, columnMapping: opts.mode, files: ActiveFiles.of(files) }
}

/** What a scan materialises for each file, written back as the log writes values. */
function scanned(snapshot: ReturnType<typeof snapshotOf>): Record<string, string | null>[] {
  return snapshot.files.map((add) => Object.fromEntries([...partitionValuesOf(snapshot, add)].map(([k, v]) => [k, v === null ? null : String(v)])))
}

describe('distinctPartitions', () => {
  it('reads values keyed by physical name under column mapping', () => {
    const snapshot = snapshotOf({
      mode: 'name', fields: [field('Region', 'col-1a2b')], partitionColumns: ['Region'],
      values: [{ 'col-1a2b': 'eu' }, { 'col-1a2b': 'us' }, { 'col-1a2b': 'eu' }, { 'col-1a2b': null }],
    })
    expect(distinctPartitions(snapshot)).toEqual([{ Region: 'eu' }, { Region: 'us' }, { Region: null }])
    expect(scanned(snapshot)).toEqual([{ Region: 'eu' }, { Region: 'us' }, { Region: 'eu' }, { Region: null }])
  })

  it('falls back to the logical name when a writer keyed the value so, as scans do', () => {
    const snapshot = snapshotOf({
      mode: 'name', fields: [field('Region', 'col-1a2b')], partitionColumns: ['Region'],
      values: [{ Region: 'eu' }, { 'col-1a2b': 'us' }, { Region: 'ignored', 'col-1a2b': 'eu' }],
    })
    expect(distinctPartitions(snapshot)).toEqual([{ Region: 'eu' }, { Region: 'us' }])
    expect(scanned(snapshot)).toEqual([{ Region: 'eu' }, { Region: 'us' }, { Region: 'eu' }])
  })

  it('finds a partition column spelled in another case, as other column lookups do', () => {
    const snapshot = snapshotOf({
      mode: 'name', fields: [field('Region', 'col-1a2b')], partitionColumns: ['region'],
      values: [{ 'col-1a2b': 'eu' }],
    })
    expect(distinctPartitions(snapshot)).toEqual([{ Region: 'eu' }])
    expect(scanned(snapshot)).toEqual([{ Region: 'eu' }])
  })

  it('takes no value from a key that only the prototype of an object has', () => {
    const snapshot = snapshotOf({ mode: 'none', fields: [field('constructor')], partitionColumns: ['constructor'], values: [{}] })
    expect(distinctPartitions(snapshot)).toEqual([{ constructor: null }])
    expect(scanned(snapshot)).toEqual([{ constructor: null }])
  })

  it('gives one empty partition for an unpartitioned table with files', () => {
    expect(distinctPartitions(snapshotOf({ mode: 'none', fields: [], partitionColumns: [], values: [{}, {}] }))).toEqual([{}])
  })
})
