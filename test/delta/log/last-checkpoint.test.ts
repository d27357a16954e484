import { Int64, Table, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../../src/delta/engine/storage.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { LAST_CHECKPOINT_PATH } from '../../../src/delta/log/log-path.js'
import { parseLastCheckpoint, readLastCheckpoint } from '../../../src/delta/log/log-segment.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
const enc = new TextEncoder()
const ids = (xs: number[]): Table => new Table({ id: vectorFromArray(xs.map(BigInt), new Int64()) })

/** A table of 6 rows checkpointed at version 2, with one commit after; its true _last_checkpoint. */
async function checkpointed(): Promise<{ storage: MemoryStorage; truth: Record<string, unknown> }> {
  const storage = new MemoryStorage()
  const opts = { storage, parquet }
  await writeDeltaLake('mem', ids([1, 2]), opts)
  await writeDeltaLake('mem', ids([3, 4]), { ...opts, mode: 'append' })
  await writeDeltaLake('mem', ids([5]), { ...opts, mode: 'append' })
  await writeCheckpoint({ storage, parquet }, await loadSnapshot({ storage, parquet }, undefined, { tombstones: true }))
  await writeDeltaLake('mem', ids([6]), { ...opts, mode: 'append' })
  const truth = JSON.parse(new TextDecoder().decode(await storage.read(LAST_CHECKPOINT_PATH))) as Record<string, unknown>
  return { storage, truth }
}

async function idsOf(storage: Storage): Promise<number[]> {
  const t = await DeltaTable.open('mem', { storage, parquet })
  return Array.from((await t.toArrow()).getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b)
}

beforeAll(async () => {
  parquet = await nodeParquetCodec()
})

describe('_last_checkpoint is a hint', () => {
  it('reads an intact table whatever sizeInBytes says', async () => {
    const { storage, truth } = await checkpointed()
    expect(typeof truth.sizeInBytes).toBe('number')
    const real = truth.sizeInBytes as number
    for (const sizeInBytes of [real + 1, real + 4096, real * 10, real - 1, real - 8, 8, 1, 0, -5, 1e300, 2 ** 60, 'big', null, [real]]) {
      await storage.put(LAST_CHECKPOINT_PATH, enc.encode(JSON.stringify({ ...truth, sizeInBytes })))
      expect(await idsOf(storage), `sizeInBytes ${JSON.stringify(sizeInBytes)}`).toEqual([1, 2, 3, 4, 5, 6])
    }
  })

  it('costs no extra request when sizeInBytes is right, and one read more when it is wrong', async () => {
    const { storage: inner, truth } = await checkpointed()
    const right = new CountingStorage(inner)
    await loadSnapshot({ storage: right, parquet })
    await inner.put(LAST_CHECKPOINT_PATH, enc.encode(JSON.stringify({ ...truth, sizeInBytes: (truth.sizeInBytes as number) + 10 })))
    const wrong = new CountingStorage(inner)
    expect((await loadSnapshot({ storage: wrong, parquet })).files).toHaveLength(4)
    expect(wrong.counts.list).toBe(right.counts.list)
    expect(wrong.counts.read).toBeGreaterThan(right.counts.read)
  })

  it('falls back to the listing when it is malformed or points at a missing checkpoint', async () => {
    const { storage, truth } = await checkpointed()
    const bad: (string | Uint8Array)[] = [
      '', '{', 'null', '[]', '"x"', '{}', '{"version":"2"}', '{"version":-1}', '{"version":2.5}', '{"version":1e300}',
      JSON.stringify({ ...truth, version: 1 }), JSON.stringify({ ...truth, version: 0 }), JSON.stringify({ ...truth, version: 99 }),
      JSON.stringify({ ...truth, version: 3 }), JSON.stringify({ ...truth, parts: 1e9 }), JSON.stringify({ ...truth, parts: 'two' }),
      JSON.stringify({ ...truth, parts: 3 }), JSON.stringify({ ...truth, size: -1 }),
      JSON.stringify({ ...truth, v2Checkpoint: { path: '../../../secret.parquet', sizeInBytes: 10 } }),
      JSON.stringify({ ...truth, v2Checkpoint: { path: '00000000000000000002.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet', sizeInBytes: 10 } }),
      JSON.stringify({ ...truth, v2Checkpoint: 'x' }),
      Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x7d]),
    ]
    for (const text of bad) {
      await storage.put(LAST_CHECKPOINT_PATH, typeof text === 'string' ? enc.encode(text) : text)
      expect(await idsOf(storage), String(text)).toEqual([1, 2, 3, 4, 5, 6])
    }
  })

  it('never probes the parts a damaged hint announces, on a storage that cannot list', async () => {
    const { storage, truth } = await checkpointed()
    const noList: Storage = {
      capabilities: { ...storage.capabilities, list: false },
      list: () => Promise.reject(new Error('no listing')),
      read: (p, r) => storage.read(p, r),
      head: (p) => storage.head(p),
      put: (p, d, o) => storage.put(p, d, o),
      delete: (p) => storage.delete(p),
    }
    for (const parts of [1e9, 2 ** 40, 50_000]) {
      await storage.put(LAST_CHECKPOINT_PATH, enc.encode(JSON.stringify({ ...truth, parts })))
      expect(await idsOf(noList), `parts ${parts}`).toEqual([1, 2, 3, 4, 5, 6])
    }
  })

  it('takes only well-formed hints', () => {
    expect(parseLastCheckpoint({ version: 5, size: 3, sizeInBytes: 100 })).toEqual({ version: 5, size: 3, parts: undefined, v2Path: undefined, sizeInBytes: 100 })
    expect(parseLastCheckpoint({ version: 5, parts: 2 })?.parts).toBe(2)
    for (const bad of [
      { version: 2 ** 53 }, { version: 5, sizeInBytes: -1 }, { version: 5, sizeInBytes: 1.5 }, { version: 5, parts: 0 }, { version: 5, parts: 10_001 },
      { version: 5, v2Checkpoint: { path: '00000000000000000004.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json' } },
      { version: 5, v2Checkpoint: { path: 'x/../00000000000000000005.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json' } },
    ]) {
      expect(parseLastCheckpoint(bad), JSON.stringify(bad)).toBeUndefined()
    }
  })

  it('reads a _last_checkpoint that is not UTF-8 as no hint', async () => {
    const storage = new MemoryStorage()
    await storage.put(LAST_CHECKPOINT_PATH, Uint8Array.from([0x7b, 0x22, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x22, 0x3a, 0x31, 0xff, 0x7d]))
    expect(await readLastCheckpoint(storage)).toBeUndefined()
  })
})
