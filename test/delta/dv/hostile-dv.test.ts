import { Int64, Table, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { inlineDeletionVector, readDeletionVector, writeDeletionVectors } from '../../../src/delta/dv/deletion-vector.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import type { DeletionVectorDescriptor } from '../../../src/delta/model/actions.js'
import { DeltaTable } from '../../../src/index.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { runChildBatch } from '../../helpers/child-batch.js'
import { writeCommit } from '../../helpers/log-builder.js'

interface Case {
  done?: true
  kind: string
  what: string
  result: 'same' | 'different' | 'typed' | 'untyped' | 'hang'
  code?: string
  message?: string
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (isDeltaError(e)) return { code: e.code, message: e.message }
    return { code: `not a DeltaError: ${String(e)}`, message: '' }
  }
  return { code: 'no error', message: '' }
}

// Hundreds of corrupted deletion vectors, in a child process with a deadline: DV file bytes
// flipped, zeroed, cut and overwritten; descriptors with every field wrong (garbage offsets,
// sizes and cardinalities, unknown storage types, broken Z85, truncated paths); inline bitmaps
// changed; the bitmap decoder on arbitrary bytes; and bitmaps a hostile writer would craft with
// a valid CRC (overlapping runs that would expand to billions of rows, offsets elsewhere, rows
// past 2^53). Allowed to succeed with other rows: only bytes no checksum covers (inline DVs,
// bare bitmaps). Everything else must be the intact set or a DeltaError.
describe('corrupted deletion vectors', () => {
  it('give typed errors, never a crash, an untyped error, a hang or, through a checksum, other rows', async () => {
    const run = await runChildBatch<Case>(new URL('./hostile-dv-child.mjs', import.meta.url), ['20261202', '600', '3000'], 60_000)
    const cases = run.lines.filter((l) => !l.done)
    expect(run.timedOut, 'the batch outlived its deadline').toBe(false)
    expect({ code: run.code, signal: run.signal, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, signal: null, stderr: '' })
    expect(run.lines.at(-1)?.done, 'the batch did not finish').toBe(true)
    expect(cases.length).toBeGreaterThan(600)
    expect(cases.filter((c) => c.result === 'untyped' || c.result === 'hang')).toEqual([])
    expect(cases.filter((c) => c.result === 'different' && c.kind !== 'inline-bitmap' && c.kind !== 'roaring')).toEqual([])
    expect(cases.filter((c) => c.kind === 'crafted' && c.code !== 'InvalidData')).toEqual([])
    expect(cases.filter((c) => c.kind === 'file-bytes' && c.result === 'typed' && c.code !== 'InvalidData')).toEqual([])
    // A file DV's errors name its file.
    expect(cases.filter((c) => c.kind === 'file-bytes' && c.result === 'typed' && !/deletion_vector_[0-9a-f-]+\.bin/.test(c.message ?? ''))).toEqual([])
  })
})

describe('deletion vector descriptors', () => {
  const storage = new MemoryStorage()
  const good = inlineDeletionVector([1, 5])

  it('refuse every malformed field with InvalidLog', async () => {
    const bad: Partial<Record<keyof DeletionVectorDescriptor, unknown>>[] = [
      { storageType: 'x' }, { storageType: undefined }, { pathOrInlineDv: '' }, { pathOrInlineDv: 7 },
      { sizeInBytes: -1 }, { sizeInBytes: 1.5 }, { sizeInBytes: 1e300 }, { sizeInBytes: '12' }, { sizeInBytes: Number.NaN },
      { cardinality: -1 }, { cardinality: '2' }, { cardinality: 2 ** 53 }, { offset: 0 }, { offset: -4 }, { maxRowIndex: -1 },
      // Inline data longer than sizeInBytes plus Z85 padding, or shorter.
      { sizeInBytes: 2 }, { sizeInBytes: 400 },
    ]
    for (const patch of bad) {
      const e = await failure(readDeletionVector(storage, { ...good, ...patch } as DeletionVectorDescriptor))
      expect(e.code, JSON.stringify(patch)).toBe('InvalidLog')
    }
  })

  it('check the decoded set against the stated cardinality and maxRowIndex', async () => {
    expect((await failure(readDeletionVector(storage, { ...good, cardinality: 3 }))).code).toBe('InvalidData')
    expect((await failure(readDeletionVector(storage, { ...good, maxRowIndex: 4 }))).code).toBe('InvalidData')
    expect((await readDeletionVector(storage, { ...good, maxRowIndex: 5 })).size).toBe(2)
  })

  it('refuse a DV file read that returns more bytes than asked', async () => {
    const files = new MemoryStorage()
    const [dv] = await writeDeletionVectors(files, [[2, 3]])
    const longer = Object.assign(Object.create(files) as MemoryStorage, {
      read: async (path: string, range?: { offset: number; length: number }) => {
        const bytes = await files.read(path, range)
        return new Uint8Array([...bytes, 0, 0])
      },
    })
    expect((await failure(readDeletionVector(longer, dv!))).code).toBe('InvalidData')
  })
})

describe('a deletion vector deleting rows the data file does not have', () => {
  async function tableWithDv(dv: DeletionVectorDescriptor): Promise<DeltaTable> {
    const codec = await nodeParquetCodec()
    const storage = new MemoryStorage()
    const bytes = await codec.write(new Table({ id: vectorFromArray([10n, 11n, 12n], new Int64()) }))
    await storage.put('a.parquet', bytes)
    const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] })
    await writeCommit(storage, 0, [
      { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } },
      { metaData: { id: 't', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: [], configuration: {} } },
      { add: { path: 'a.parquet', partitionValues: {}, size: bytes.length, modificationTime: 1, dataChange: true, deletionVector: dv } },
    ])
    return DeltaTable.open('mem', { storage, parquet: codec })
  }

  it('fails the scan with InvalidData naming the data file instead of keeping rows it meant to delete', async () => {
    const e = await failure((await tableWithDv(inlineDeletionVector([1, 3]))).toArrow())
    expect(e.code).toBe('InvalidData')
    expect(e.message).toContain("'a.parquet'")
    expect(e.message).toContain('row 3')
    // Within the file, the same kind of DV reads.
    const table = await tableWithDv(inlineDeletionVector([1, 2]))
    expect(Array.from((await table.toArrow()).getChild('id')!.toArray() as BigInt64Array)).toEqual([10n])
  })

  it('names the data file when its inline deletion vector is corrupt', async () => {
    const e = await failure((await tableWithDv({ ...inlineDeletionVector([1]), cardinality: 2 })).toArrow())
    expect(e.code).toBe('InvalidData')
    expect(e.message).toContain("data file 'a.parquet'")
  })
})
