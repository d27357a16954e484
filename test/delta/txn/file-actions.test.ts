import { afterEach, describe, expect, it, vi } from 'vitest'
import { formatAction } from '../../../src/delta/model/action-json.js'
import type { AddAction, DeletionVectorDescriptor } from '../../../src/delta/model/actions.js'
import { changeFileOf, removeOf } from '../../../src/delta/txn/file-actions.js'

const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 }

/** An add with every field set, the add-only ones included. */
const full: AddAction = {
  kind: 'add', path: 'p=1/part-0.parquet', partitionValues: { p: '1' }, size: 123, modificationTime: 5, dataChange: true,
  stats: '{"numRecords":3}', statsParsed: { numRecords: 3 }, tags: { t: 'x' }, deletionVector: dv,
  baseRowId: 7, defaultRowCommitVersion: 2, clusteringProvider: 'liquid',
}

describe('removeOf', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('carries the file fields of the add, in the order commits have always written them', () => {
    vi.useFakeTimers({ now: 1000, toFake: ['Date'] })
    expect(formatAction(removeOf(full))).toBe(JSON.stringify({
      remove: {
        path: 'p=1/part-0.parquet', deletionTimestamp: 1000, dataChange: true, extendedFileMetadata: true, partitionValues: { p: '1' },
        size: 123, stats: '{"numRecords":3}', tags: { t: 'x' }, deletionVector: dv, baseRowId: 7, defaultRowCommitVersion: 2,
      },
    }))
  })

  it('leaves out what the add does not have, and no add-only field', () => {
    const plain: AddAction = { kind: 'add', path: 'a.parquet', partitionValues: {}, size: 1, modificationTime: 1, dataChange: true }
    const remove = removeOf(plain, false)
    expect(Object.keys(remove)).toEqual([
      'kind', 'path', 'deletionTimestamp', 'dataChange', 'extendedFileMetadata', 'partitionValues', 'size', 'stats', 'tags',
      'deletionVector', 'baseRowId', 'defaultRowCommitVersion',
    ])
    expect(remove).toMatchObject({ dataChange: false, stats: null, tags: null, deletionVector: null, baseRowId: null, defaultRowCommitVersion: null })
    expect(Object.keys(removeOf(full))).toEqual(Object.keys(remove))
  })

  it('reads stats an add only gives through a getter (a checkpoint add)', () => {
    const lazy = { ...full, stats: undefined } as AddAction
    Object.defineProperty(lazy, 'stats', { get: () => '{"numRecords":9}', enumerable: false })
    expect(removeOf(lazy).stats).toBe('{"numRecords":9}')
  })
})

describe('changeFileOf', () => {
  it('names the change data file with its partition values and size, never as a data change', () => {
    expect(changeFileOf(full)).toEqual({ kind: 'cdc', path: full.path, partitionValues: { p: '1' }, size: 123, dataChange: false })
  })
})
