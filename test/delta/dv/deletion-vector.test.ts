import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAction, type DeletionVectorDescriptor } from '../../../src/delta/model/actions.js'
import { crc32 } from '../../../src/delta/dv/crc32.js'
import {
  RowIndexSet,
  deletionVectorPath,
  encodeRoaringBitmapArray,
  inlineDeletionVector,
  newDeletionVectorDescriptor,
  readDeletionVector,
  serializeDeletionVectorFile,
  writeDeletionVectors,
} from '../../../src/delta/dv/deletion-vector.js'
import { DeltaError, isDeltaError } from '../../../src/delta/engine/errors.js'
import type { FileMeta, Storage } from '../../../src/delta/engine/storage.js'
import { decodeZ85 } from '../../../src/delta/dv/z85.js'
import { PrefixedStorage } from '../../../src/storage/prefixed.js'
import { corpusTablesDir, hasCorpus } from '../../conformance/corpus.js'

/** In-memory storage that records every read, so tests can check what was fetched. */
class MemoryStorage implements Storage {
  readonly files = new Map<string, Uint8Array>()
  readonly reads: Array<{ path: string; range?: { offset: number; length: number } }> = []
  readonly capabilities = { atomicCreate: true, list: true, write: true }
  async list(dir: string): Promise<FileMeta[]> {
    const prefix = dir === '' ? '' : `${dir.replace(/\/$/, '')}/`
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort().map((path) => ({ path, size: this.files.get(path)!.length, lastModified: 0 }))
  }
  async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    this.reads.push(range ? { path, range } : { path })
    const data = this.files.get(path)
    if (!data) throw new DeltaError('NotFound', `${path} not found`)
    return range ? data.slice(range.offset, range.offset + range.length) : data.slice()
  }
  async head(path: string): Promise<FileMeta | undefined> {
    const data = this.files.get(path)
    return data && { path, size: data.length, lastModified: 0 }
  }
  async put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void> {
    if (opts?.ifAbsent && this.files.has(path)) throw new DeltaError('FileAlreadyExists', `${path} exists`)
    this.files.set(path, data.slice())
  }
  async delete(path: string): Promise<void> {
    this.files.delete(path)
  }
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    return isDeltaError(e) ? e.code : `not a DeltaError: ${String(e)}`
  }
  return undefined
}

const rowsOf = (set: RowIndexSet) => Array.from(set.toSortedArray())

describe('deletionVectorPath', () => {
  it('derives u paths from the Z85 UUID and the optional prefix (PROTOCOL.md example 1)', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 }
    expect(deletionVectorPath(dv)).toBe('ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin')
    expect(deletionVectorPath({ ...dv, pathOrInlineDv: 'vBn[lx{q8@P<9BNH/isA' })).toBe('deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin')
  })

  it('has no path for inline DVs', () => {
    expect(deletionVectorPath({ storageType: 'i', pathOrInlineDv: '00000', sizeInBytes: 4, cardinality: 0 })).toBeUndefined()
  })

  it('resolves p paths under the table and refuses the others', () => {
    const p = (path: string): DeletionVectorDescriptor => ({ storageType: 'p', pathOrInlineDv: path, offset: 1, sizeInBytes: 36, cardinality: 2 })
    expect(deletionVectorPath(p('s3://bucket/t/dv%20one.bin'), 's3://bucket/t/')).toBe('dv one.bin')
    expect(deletionVectorPath(p('sub/dv.bin'))).toBe('sub/dv.bin')
    expect(() => deletionVectorPath(p('s3://bucket/other/dv.bin'), 's3://bucket/t')).toThrow(/outside the table root/)
    expect(deletionVectorPath.bind(null, p('s3://bucket/t-2/dv.bin'), 's3://bucket/t')).toThrow(DeltaError)
    return Promise.all([
      expect(codeOf(() => deletionVectorPath(p('file:/tmp/t/dv.bin')))).resolves.toBe('UnsupportedFeature'),
      expect(codeOf(() => deletionVectorPath(p('/tmp/t/dv.bin')))).resolves.toBe('UnsupportedFeature'),
      expect(codeOf(() => deletionVectorPath(p('bad%zzpath')))).resolves.toBe('InvalidLog'),
    ])
  })

  it('resolves p paths written file:/, file://localhost/ or file:/// alike, as data paths do', async () => {
    const p = (path: string): DeletionVectorDescriptor => ({ storageType: 'p', pathOrInlineDv: path, offset: 1, sizeInBytes: 36, cardinality: 2 })
    const table = 'file:///data/my%20dir/t%25x'
    for (const prefix of ['file:/', 'file://localhost/', 'file:///']) {
      expect(deletionVectorPath(p(`${prefix}data/my%20dir/t%25x/dv%252F%20one.bin`), table), prefix).toBe('dv%2F one.bin')
      expect(deletionVectorPath(p(`${prefix}data/my dir/t%25x/sub/dv.bin`), `${table}/`), prefix).toBe('sub/dv.bin')
      expect(await codeOf(() => deletionVectorPath(p(`${prefix}data/my%20dir/other/dv.bin`), table)), prefix).toBe('UnsupportedFeature')
    }
  })

  it('refuses malformed u descriptors as InvalidLog', async () => {
    const u = (text: string): DeletionVectorDescriptor => ({ storageType: 'u', pathOrInlineDv: text, offset: 1, sizeInBytes: 36, cardinality: 2 })
    expect(await codeOf(() => deletionVectorPath(u('tooShort')))).toBe('InvalidLog')
    expect(await codeOf(() => deletionVectorPath(u('vBn[lx{q8@P<9BNH/is"')))).toBe('InvalidLog')
  })
})

describe('inline deletion vectors', () => {
  it('reads the inline example of PROTOCOL.md', async () => {
    const dv: DeletionVectorDescriptor = { storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 }
    const storage = new MemoryStorage()
    expect(rowsOf(await readDeletionVector(storage, dv))).toEqual([3, 4, 7, 11, 18, 29])
    expect(storage.reads).toHaveLength(0)
  })

  it('round-trips through inlineDeletionVector, padding to whole Z85 groups', async () => {
    const dv = inlineDeletionVector([9, 0, 70000])
    expect(dv).toMatchObject({ storageType: 'i', cardinality: 3 })
    expect(dv.pathOrInlineDv).toHaveLength(Math.ceil(dv.sizeInBytes / 4) * 5)
    expect(dv.sizeInBytes % 4).not.toBe(0)
    expect(rowsOf(await readDeletionVector(new MemoryStorage(), dv))).toEqual([0, 9, 70000])
  })

  it('refuses a cardinality the bitmap does not hold', async () => {
    const dv = { ...inlineDeletionVector([1, 2]), cardinality: 3 }
    expect(await codeOf(readDeletionVector(new MemoryStorage(), dv))).toBe('InvalidData')
  })
})

describe('DV files', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  it('lays out a version byte, then big-endian size, bitmap and CRC per DV', () => {
    const a = encodeRoaringBitmapArray([0, 9])
    const b = encodeRoaringBitmapArray([5])
    const { bytes, offsets } = serializeDeletionVectorFile([a, b])
    const view = new DataView(bytes.buffer)
    expect(bytes[0]).toBe(1)
    expect(offsets).toEqual([1, 1 + 4 + a.length + 4])
    expect(bytes.length).toBe(1 + 8 + a.length + 8 + b.length)
    expect(view.getUint32(1, false)).toBe(a.length)
    expect(Array.from(bytes.subarray(5, 5 + a.length))).toEqual(Array.from(a))
    expect(view.getUint32(5 + a.length, false)).toBe(crc32(a))
    expect(view.getUint32(offsets[1]!, false)).toBe(b.length)
  })

  it('writes DVs and reads each back with one range request', async () => {
    const storage = new MemoryStorage()
    const sets = [[0, 9], Array.from({ length: 5000 }, (_, i) => 3 * i), [2 ** 40]]
    const dvs = await writeDeletionVectors(new PrefixedStorage(storage, 'tables/t'), sets, { prefix: 'x7' })
    expect(storage.files.size).toBe(1)
    const [path] = [...storage.files.keys()]
    expect(path).toMatch(/^tables\/t\/x7\/deletion_vector_[0-9a-f-]{36}\.bin$/)
    expect(new Set(dvs.map((dv) => dv.pathOrInlineDv)).size).toBe(1)
    expect(dvs.map((dv) => dv.cardinality)).toEqual([2, 5000, 1])
    for (const [i, dv] of dvs.entries()) {
      storage.reads.length = 0
      expect(rowsOf(await readDeletionVector(new PrefixedStorage(storage, 'tables/t/'), dv))).toEqual(sets[i])
      const start = dv.offset === 1 ? 0 : dv.offset!
      expect(storage.reads).toEqual([{ path, range: { offset: start, length: dv.offset! - start + 8 + dv.sizeInBytes } }])
    }
  })

  it('reads a DV whose descriptor has no offset as the first in its file', async () => {
    const storage = new MemoryStorage()
    const [dv] = await writeDeletionVectors(storage, [[4, 2]])
    expect(rowsOf(await readDeletionVector(storage, { ...dv!, offset: null }))).toEqual([2, 4])
  })

  it('builds u descriptors with random v4 UUIDs, or a given one', () => {
    const a = newDeletionVectorDescriptor({ offset: 1, sizeInBytes: 36, cardinality: 2 })
    const b = newDeletionVectorDescriptor({ offset: 1, sizeInBytes: 36, cardinality: 2 })
    expect(a.pathOrInlineDv).toHaveLength(20)
    expect(a.pathOrInlineDv).not.toBe(b.pathOrInlineDv)
    expect(deletionVectorPath(a)).toMatch(/^deletion_vector_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.bin$/)
    const c = newDeletionVectorDescriptor({ prefix: 'ab', uuid: 'd2c639aa-8816-431a-aaf6-d3fe2512ff61', offset: 4, sizeInBytes: 40, cardinality: 6 })
    expect(c).toEqual({ storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 })
    expect(() => newDeletionVectorDescriptor({ prefix: 'a/b', offset: 1, sizeInBytes: 1, cardinality: 1 })).toThrow(DeltaError)
    expect(() => newDeletionVectorDescriptor({ uuid: 'nope', offset: 1, sizeInBytes: 1, cardinality: 1 })).toThrow(DeltaError)
  })

  it('refuses clashing file names instead of overwriting', async () => {
    const storage = new MemoryStorage()
    const [dv] = await writeDeletionVectors(storage, [[1]])
    const path = deletionVectorPath(dv!)!
    await expect(storage.put(path, new Uint8Array(1), { ifAbsent: true })).rejects.toThrow(/exists/)
    expect(await writeDeletionVectors(storage, [])).toEqual([])
    expect(storage.files.size).toBe(1)
  })

  describe('corruption', () => {
    async function fixture() {
      const storage = new MemoryStorage()
      const dvs = await writeDeletionVectors(storage, [[0, 9], [3, 4, 5]])
      const path = deletionVectorPath(dvs[0]!)!
      return { storage, dvs: dvs as [DeletionVectorDescriptor, DeletionVectorDescriptor], path, bytes: storage.files.get(path)! }
    }

    it('names the file when the checksum does not match', async () => {
      const { storage, dvs, path, bytes } = await fixture()
      bytes[dvs[1].offset! + 4 + 20]! ^= 0x10
      await expect(readDeletionVector(storage, dvs[1])).rejects.toThrow(new RegExp(`${path}.*CRC-32`))
      expect(await codeOf(readDeletionVector(storage, dvs[1]))).toBe('InvalidData')
      expect(rowsOf(await readDeletionVector(storage, dvs[0]))).toEqual([0, 9])
    })

    it('refuses a size field that disagrees with the log', async () => {
      const { storage, dvs } = await fixture()
      expect(await codeOf(readDeletionVector(storage, { ...dvs[0], sizeInBytes: dvs[0].sizeInBytes - 2 }))).toBe('InvalidData')
      expect(await codeOf(readDeletionVector(storage, { ...dvs[1], offset: dvs[1].offset! + 1 }))).toBe('InvalidData')
    })

    it('refuses a truncated file, a wrong cardinality and an unknown file version with InvalidData', async () => {
      const { storage, dvs, path, bytes } = await fixture()
      expect(await codeOf(readDeletionVector(storage, { ...dvs[0], cardinality: 3 }))).toBe('InvalidData')
      storage.files.set(path, bytes.subarray(0, bytes.length - 2))
      expect(await codeOf(readDeletionVector(storage, dvs[1]))).toBe('InvalidData')
      const v2 = bytes.slice()
      v2[0] = 2
      storage.files.set(path, v2)
      // A version byte other than 1 is a corrupt byte as likely as a newer writer: the file is unreadable either way.
      expect(await codeOf(readDeletionVector(storage, dvs[0]))).toBe('InvalidData')
    })

    it('passes NotFound through for a missing file', async () => {
      const { storage, dvs, path } = await fixture()
      storage.files.delete(path)
      expect(await codeOf(readDeletionVector(storage, dvs[0]))).toBe('NotFound')
    })
  })
})

// The conformance corpus: every DV of every add action of every commit of every table.
const TABLES = corpusTablesDir()
// Spark's own test tables name DV files with a test-only prefix that the log does not record
// (`spark.databricks.delta.testOnly.dvFileNamePrefix`); the fixture storage undoes that quirk.
const SPARK_TEST_DV_PREFIX = 'test%dv%prefix-'

/** Read-only storage over a folder of the machine, enough for DV reads. */
class FolderStorage extends MemoryStorage {
  constructor(private readonly root: string) {
    super()
  }
  override async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    this.reads.push(range ? { path, range } : { path })
    const dir = path.split('/').slice(0, -1).join('/')
    const name = path.split('/').pop()!
    const candidates = [path, `${dir ? `${dir}/` : ''}${SPARK_TEST_DV_PREFIX}${name}`].map((p) => join(this.root, p))
    const file = candidates.find((p) => existsSync(p))
    if (!file) throw new DeltaError('NotFound', `${path} not found`)
    const data = new Uint8Array(readFileSync(file))
    return range ? data.subarray(range.offset, range.offset + range.length) : data
  }
}

function corpusDvs(): Array<{ table: string; commit: string; path: string; dv: DeletionVectorDescriptor; numRecords?: number }> {
  const out = []
  for (const table of readdirSync(TABLES).sort()) {
    const log = join(TABLES, table, '_delta_log')
    if (!existsSync(log)) continue
    for (const commit of readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f))) {
      for (const line of readFileSync(join(log, commit), 'utf8').split('\n')) {
        // Only add lines matter here; some tables hold deliberately broken actions of other kinds.
        if (!line.startsWith('{"add"')) continue
        const action = parseAction(JSON.parse(line), commit)
        if (action?.kind !== 'add' || !action.deletionVector) continue
        const numRecords = action.stats ? (JSON.parse(action.stats) as { numRecords?: number }).numRecords : undefined
        out.push({ table, commit, path: action.path, dv: action.deletionVector, numRecords })
      }
    }
  }
  return out
}

describe.skipIf(!hasCorpus())('deletion vectors of the conformance corpus', () => {
  const storage = new FolderStorage(TABLES)

  it('decodes every DV of every add action, with matching checksum and cardinality', async () => {
    const dvs = corpusDvs()
    expect(dvs.length).toBeGreaterThanOrEqual(50)
    const kinds = new Set<string>()
    for (const { table, commit, dv, numRecords } of dvs) {
      const where = `${table}/${commit} ${dv.storageType}${dv.pathOrInlineDv}@${dv.offset}`
      const set = await readDeletionVector(new PrefixedStorage(storage, table), dv).catch((e: unknown) => {
        throw new Error(`${where}: ${String(e)}`)
      })
      expect(set.size, where).toBe(dv.cardinality)
      if (numRecords !== undefined) expect(set.max!, where).toBeLessThan(numRecords)
      kinds.add(dv.storageType)
    }
    expect([...kinds].sort()).toEqual(['i', 'u'])
  })

  it('finds rows 0 and 9 deleted in table-with-dv-small', async () => {
    const [entry] = corpusDvs().filter((d) => d.table === 'table-with-dv-small')
    const set = await readDeletionVector(new PrefixedStorage(storage, 'table-with-dv-small'), entry!.dv)
    expect(rowsOf(set)).toEqual([0, 9])
    expect(Array.from(set.keepMask(10))).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0])
  })

  it('reads the DVs of cdf-table-with-dv as its change data feed implies', async () => {
    // Row i holds value i; the expected CDF deletes {0, 9} in v1, {0, 1, 4, 5} in v3, restores
    // 1 and 4 in v4 and swaps 0 and 5 for 3 in v5. v5 is inline with a padded Z85 tail.
    const byCommit = new Map<string, number[]>()
    for (const { commit, dv } of corpusDvs().filter((d) => d.table === 'cdf-table-with-dv')) {
      byCommit.set(commit.slice(0, 20), rowsOf(await readDeletionVector(new PrefixedStorage(storage, 'cdf-table-with-dv'), dv)))
    }
    expect(Object.fromEntries([...byCommit].map(([k, v]) => [Number(k), v]))).toEqual({ 1: [0, 9], 3: [0, 1, 4, 5], 4: [0, 5], 5: [3] })
  })

  it('encodes the corpus bitmaps byte for byte as Spark did', async () => {
    let compared = 0
    for (const { table, dv } of corpusDvs()) {
      const set = await readDeletionVector(new PrefixedStorage(storage, table), dv)
      if (dv.storageType === 'i') {
        // Compare the bitmap bytes only: writers differ in what they leave in the Z85 padding.
        const ours = decodeZ85(inlineDeletionVector(set).pathOrInlineDv).subarray(0, dv.sizeInBytes)
        expect(Array.from(ours)).toEqual(Array.from(decodeZ85(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes)))
        compared++
      }
      const ours = encodeRoaringBitmapArray(set)
      if (dv.storageType === 'u') {
        const raw = await storage.read(`${table}/${deletionVectorPath(dv)}`, { offset: dv.offset! + 4, length: dv.sizeInBytes })
        expect(Array.from(ours), `${table} ${dv.pathOrInlineDv}@${dv.offset}`).toEqual(Array.from(raw))
        compared++
      }
      expect(ours.length, `${table} ${dv.pathOrInlineDv}`).toBe(dv.sizeInBytes)
    }
    expect(compared).toBeGreaterThanOrEqual(50)
  })
})
