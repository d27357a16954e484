// The Storage contract (src/delta/engine/storage.ts) as assertions, run against every HTTP backend for
// the capabilities it has. Each test works in a fresh root, so tests share one server.
import { expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import type { Storage, StorageCapabilities } from '../../src/delta/engine/storage.js'

/** A backend under test: a storage rooted at `root`, and a way to place files without it. */
export interface ContractTarget {
  make(root: string): Storage
  /** Place a file for read-only backends; writable ones are seeded through `put`. */
  seed?(root: string, path: string, data: Uint8Array): Promise<void>
}

let roots = 0
function freshRoot(): string {
  roots += 1
  return `contract-${Date.now().toString(36)}-${roots}`
}

function bytes(n: number, salt = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + salt) % 256)
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  )
}

async function expectCode(p: Promise<unknown>, code: 'NotFound' | 'FileAlreadyExists'): Promise<void> {
  const e = await rejection(p)
  expect(isDeltaError(e, code), `expected DeltaError ${code}, got ${String(e)}`).toBe(true)
}

const LOG = ['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.checkpoint.parquet', '_delta_log/00000000000000000001.json']
// Characters that URL encoding and signatures get wrong: space, +, %, =, and a non-ASCII letter.
const ODD = 'part=a b+c%3Ad/file é=1.parquet'

async function seedAll(target: ContractTarget, storage: Storage, root: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [path, data] of Object.entries(files)) {
    await (target.seed ? target.seed(root, path, data) : storage.put(path, data))
  }
}

/** Declare the contract tests for one backend; `target` is called once its server is up. */
export function runStorageContract(expected: StorageCapabilities, target: () => ContractTarget): void {
  it('reports its capabilities', () => {
    expect(target().make(freshRoot()).capabilities).toEqual(expected)
  })

  it('reads whole files, ranges and sizes, and NotFound for a missing file', async () => {
    const root = freshRoot()
    const storage = target().make(root)
    const data = bytes(1000)
    await seedAll(target(), storage, root, { 'a.bin': data, [ODD]: bytes(3, 1) })
    expect(await storage.read('a.bin')).toEqual(data)
    expect(await storage.read('a.bin', { offset: 10, length: 20 })).toEqual(data.slice(10, 30))
    expect(await storage.read('a.bin', { offset: 990, length: 10 })).toEqual(data.slice(990))
    expect(await storage.read('a.bin', { offset: 5, length: 0 })).toEqual(new Uint8Array(0))
    // Past the end (a shorter 206, or a 416): the file is shorter than asked, never fewer bytes.
    for (const [offset, length] of [[995, 10], [0, 1001], [1000, 1], [5000, 3]] as const) {
      const e = await rejection(storage.read('a.bin', { offset, length }))
      expect(isDeltaError(e, 'InvalidData'), `expected InvalidData for ${offset}+${length}, got ${String(e)}`).toBe(true)
      expect(String(e)).toContain('a.bin')
    }
    expect(await storage.read(ODD)).toEqual(bytes(3, 1))
    await expectCode(storage.read('missing.bin'), 'NotFound')
    await expectCode(storage.read('missing.bin', { offset: 0, length: 4 }), 'NotFound')
  })

  it('heads files with size and time, and undefined when absent', async () => {
    const root = freshRoot()
    const storage = target().make(root)
    await seedAll(target(), storage, root, { 'dir/h.bin': bytes(123) })
    const meta = await storage.head('dir/h.bin')
    expect(meta?.path).toBe('dir/h.bin')
    expect(meta?.size).toBe(123)
    expect(meta?.lastModified).toBeGreaterThan(Date.UTC(2020, 0, 1))
    expect(await storage.head('dir/nope.bin')).toBeUndefined()
  })

  if (expected.list) {
    it('lists direct child files only, sorted, after startAfter; a missing folder is empty', async () => {
      const root = freshRoot()
      const storage = target().make(root)
      const files: Record<string, Uint8Array> = { 'top.txt': bytes(1), '_delta_log/sub/deep.json': bytes(2), [ODD]: bytes(3) }
      LOG.forEach((p, i) => (files[p] = bytes(10 + i)))
      await seedAll(target(), storage, root, files)
      const listed = await storage.list('_delta_log')
      expect(listed.map((f) => f.path)).toEqual([...LOG].sort())
      expect(listed.map((f) => f.size)).toEqual([10, 11, 12])
      expect(listed.every((f) => f.lastModified > Date.UTC(2020, 0, 1))).toBe(true)
      const after = await storage.list('_delta_log', { startAfter: LOG[0] })
      expect(after.map((f) => f.path)).toEqual([LOG[1], LOG[2]])
      expect(await storage.list('_delta_log/', { startAfter: LOG[2] })).toEqual([])
      expect((await storage.list('')).map((f) => f.path)).toEqual(['top.txt'])
      expect((await storage.list('part=a b+c%3Ad')).map((f) => f.path)).toEqual([ODD])
      expect(await storage.list('no-such-folder')).toEqual([])
    })
  }

  if (expected.write) {
    it('puts, overwrites, refuses an existing ifAbsent create, and deletes', async () => {
      const storage = target().make(freshRoot())
      await storage.put('w/x.json', bytes(5))
      await storage.put('w/x.json', bytes(6, 2))
      expect(await storage.read('w/x.json')).toEqual(bytes(6, 2))
      await expectCode(storage.put('w/x.json', bytes(1), { ifAbsent: true }), 'FileAlreadyExists')
      expect(await storage.read('w/x.json')).toEqual(bytes(6, 2))
      await storage.put('w/y.json', bytes(4), { ifAbsent: true })
      expect((await storage.head('w/y.json'))?.size).toBe(4)
      await storage.delete('w/x.json')
      expect(await storage.head('w/x.json')).toBeUndefined()
      await storage.delete('w/x.json')
      await expectCode(storage.read('w/x.json'), 'NotFound')
    })
  }

  if (expected.atomicCreate) {
    it('lets exactly one of 20 racing ifAbsent creates win', async () => {
      const storage = target().make(freshRoot())
      const path = '_delta_log/00000000000000000007.json'
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => storage.put(path, bytes(8, i), { ifAbsent: true })))
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
      expect(winners).toHaveLength(1)
      for (const r of results) {
        if (r.status === 'rejected') expect(isDeltaError(r.reason, 'FileAlreadyExists'), String(r.reason)).toBe(true)
      }
      expect(await storage.read(path)).toEqual(bytes(8, winners[0]))
    })
  }
}
