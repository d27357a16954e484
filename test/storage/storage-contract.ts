import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import type { DeltaErrorCode } from '../../src/delta/engine/errors.js'
import type { Storage } from '../../src/delta/engine/storage.js'

/** A fresh, empty storage for one test, and how to dispose of it. */
export interface ContractSubject {
  storage: Storage
  cleanup?: () => Promise<void>
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Expect `promise` to reject with a DeltaError of `code`. */
export async function expectDeltaError(promise: Promise<unknown>, code: DeltaErrorCode): Promise<DeltaError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(DeltaError)
  expect((error as DeltaError).code).toBe(code)
  return error as DeltaError
}

const LOG = '_delta_log'
const v = (n: number, ext = 'json'): string => `${LOG}/${String(n).padStart(20, '0')}.${ext}`

/**
 * The Storage contract of src/delta/engine/storage.ts as one suite, run against every adapter that
 * claims list, write and atomic create.
 */
export function describeStorageContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`${name}: Storage contract`, () => {
    let subject: ContractSubject
    let storage: Storage
    beforeEach(async () => {
      subject = await create()
      storage = subject.storage
    })
    afterEach(async () => {
      await subject.cleanup?.()
    })

    it('claims every capability', () => {
      expect(storage.capabilities).toMatchObject({ atomicCreate: true, list: true, write: true })
    })

    it('lists every file under a folder at any depth, where it walks folders', async (ctx) => {
      if (!storage.capabilities.listTree || !storage.listTree) return ctx.skip()
      await storage.put('t/a.parquet', text('1'))
      await storage.put('t/p=1/q=2/b.parquet', text('22'))
      await storage.put('t/p=1/c.parquet', text('333'))
      await storage.put('u/d.parquet', text('4'))
      const tree = await storage.listTree('t')
      expect(tree.map((f) => [f.path, f.size])).toEqual([['t/a.parquet', 1], ['t/p=1/c.parquet', 3], ['t/p=1/q=2/b.parquet', 2]])
      expect(await storage.listTree('none')).toEqual([])
    })

    it('reads back what was put, as a plain Uint8Array it may keep', async () => {
      const data = text('{"commitInfo":{}}\n')
      await storage.put('a/b/c.json', data)
      data[0] = 0 // the storage must not alias the caller's buffer
      const back = await storage.read('a/b/c.json')
      expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype)
      expect(decode(back)).toBe('{"commitInfo":{}}\n')
    })

    it('raises NotFound for a missing file or a folder', async () => {
      await expectDeltaError(storage.read('missing.json'), 'NotFound')
      await storage.put('dir/file', text('x'))
      await expectDeltaError(storage.read('dir'), 'NotFound')
      await expectDeltaError(storage.read('dir/file/below'), 'NotFound')
    })

    it('heads a file with its size and time, and undefined for absent files and folders', async () => {
      await storage.put('dir/file.bin', new Uint8Array(7))
      const meta = await storage.head('dir/file.bin')
      expect(meta).toMatchObject({ path: 'dir/file.bin', size: 7 })
      expect(Number.isInteger(meta?.lastModified)).toBe(true)
      expect(meta!.lastModified).toBeGreaterThan(Date.UTC(2020, 0, 1))
      expect(await storage.head('dir/other.bin')).toBeUndefined()
      expect(await storage.head('dir')).toBeUndefined()
    })

    it('lists only direct child files, sorted by full path', async () => {
      const paths = [v(1), '_delta_log_other/x.json', v(0), `${LOG}/_last_checkpoint`, `${LOG}/.tmp/a.json`,
        `${LOG}/_staged_commits/${String(2).padStart(20, '0')}.uuid.json`, 'part-0.parquet', v(0, 'checkpoint.parquet')]
      for (const p of paths) await storage.put(p, text(p))
      const listed = await storage.list(LOG)
      expect(listed.map((f) => f.path)).toEqual([v(0, 'checkpoint.parquet'), v(0), v(1), `${LOG}/_last_checkpoint`])
      expect(listed[1]).toMatchObject({ path: v(0), size: v(0).length })
      expect((await storage.list(`${LOG}/`)).map((f) => f.path)).toEqual(listed.map((f) => f.path))
      expect((await storage.list('')).map((f) => f.path)).toEqual(['part-0.parquet'])
    })

    it('lists a missing folder as empty', async () => {
      await storage.put('other/file', text('x'))
      expect(await storage.list(LOG)).toEqual([])
      expect(await storage.list('other/file')).toEqual([])
    })

    it('lists only paths after startAfter, compared as full paths', async () => {
      for (const n of [0, 1, 2, 3]) await storage.put(v(n), text(String(n)))
      await storage.put(v(2, 'checkpoint.parquet'), text('cp'))
      const after = async (startAfter: string) => (await storage.list(LOG, { startAfter })).map((f) => f.path)
      expect(await after(v(1))).toEqual([v(2, 'checkpoint.parquet'), v(2), v(3)])
      // The replay's trick: '~' sorts after every suffix of version 1, so 2 and on come back.
      expect(await after(`${LOG}/${String(1).padStart(20, '0')}.~`)).toEqual([v(2, 'checkpoint.parquet'), v(2), v(3)])
      expect(await after(v(3))).toEqual([])
      expect(await after('')).toHaveLength(5)
    })

    it('reads exact byte ranges; a range past the end is InvalidData, a bad one InvalidArgument', async () => {
      await storage.put('f.bin', Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
      expect([...await storage.read('f.bin', { offset: 2, length: 3 })]).toEqual([2, 3, 4])
      expect([...await storage.read('f.bin', { offset: 0, length: 1 })]).toEqual([0])
      expect([...await storage.read('f.bin', { offset: 6, length: 4 })]).toEqual([6, 7, 8, 9])
      expect(await storage.read('f.bin', { offset: 4, length: 0 })).toHaveLength(0)
      expect(await storage.read('f.bin', { offset: 10, length: 0 })).toHaveLength(0)
      for (const [offset, length] of [[6, 100], [10, 5], [11, 1], [9, 2], [0, 11]] as const) {
        const e = await expectDeltaError(storage.read('f.bin', { offset, length }), 'InvalidData')
        expect(e.message).toContain('f.bin')
        expect(e.message).toContain('shorter')
      }
      const bad: [number, number][] = [[-1, 2], [0, -2], [0.5, 1], [1, 0.5], [Number.NaN, 1], [0, Number.NaN], [0, 1e300], [1e300, 1],
        [Number.POSITIVE_INFINITY, 1], [2 ** 53, 1], [Number.MAX_SAFE_INTEGER, 1]]
      for (const [offset, length] of bad) await expectDeltaError(storage.read('f.bin', { offset, length }), 'InvalidArgument')
      await expectDeltaError(storage.read('missing.bin', { offset: 0, length: 2 }), 'NotFound')
    })

    it('overwrites on a plain put', async () => {
      await storage.put('f.json', text('first, longer'))
      await storage.put('f.json', text('second'))
      expect(decode(await storage.read('f.json'))).toBe('second')
      expect((await storage.head('f.json'))?.size).toBe(6)
    })

    it('refuses ifAbsent over an existing file and keeps its content', async () => {
      await storage.put(v(0), text('winner'), { ifAbsent: true })
      await expectDeltaError(storage.put(v(0), text('loser'), { ifAbsent: true }), 'FileAlreadyExists')
      expect(decode(await storage.read(v(0)))).toBe('winner')
    })

    it('lets exactly one of 20 racing ifAbsent creates win', async () => {
      await storage.put(v(0), text('base'))
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => storage.put(v(1), text(`writer ${i}`), { ifAbsent: true })),
      )
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
      expect(winners).toHaveLength(1)
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as DeltaError).code).toBe('FileAlreadyExists')
      }
      expect(decode(await storage.read(v(1)))).toBe(`writer ${winners[0]}`)
    })

    it('deletes idempotently', async () => {
      await storage.put('d/f', text('x'))
      await storage.delete('d/f')
      expect(await storage.head('d/f')).toBeUndefined()
      await expectDeltaError(storage.read('d/f'), 'NotFound')
      await storage.delete('d/f')
      await storage.delete('never/was')
      expect(await storage.list('d')).toEqual([])
    })

    it('leaves no temp files behind, after successes and lost races alike', async () => {
      await storage.put(v(0), text('a'))
      await storage.put(v(0), text('b'))
      await storage.put(v(1), text('c'), { ifAbsent: true })
      await Promise.allSettled([2, 2, 2, 3].map((n, i) => storage.put(v(n), text(String(i)), { ifAbsent: true })))
      await expectDeltaError(storage.put(v(1), text('d'), { ifAbsent: true }), 'FileAlreadyExists')
      expect((await storage.list(LOG)).map((f) => f.path)).toEqual([v(0), v(1), v(2), v(3)])
    })

    it('does not move lastModified backwards between writes', async () => {
      await storage.put(v(0), text('a'))
      await storage.put(v(1), text('b'))
      const [first, second] = await storage.list(LOG)
      expect(second!.lastModified).toBeGreaterThanOrEqual(first!.lastModified)
    })

    it('refuses paths that could leave the root, also percent-encoded, before any I/O', async () => {
      await storage.put('a/b.json', text('inside'))
      for (const bad of HOSTILE_PATHS) {
        await expectDeltaError(storage.read(bad), 'InvalidArgument')
        await expectDeltaError(storage.read(bad, { offset: 0, length: 1 }), 'InvalidArgument')
        await expectDeltaError(storage.head(bad), 'InvalidArgument')
        await expectDeltaError(storage.put(bad, text('x')), 'InvalidArgument')
        await expectDeltaError(storage.put(bad, text('x'), { ifAbsent: true }), 'InvalidArgument')
        await expectDeltaError(storage.delete(bad), 'InvalidArgument')
        // A listing takes '' (the root) and a trailing slash.
        if (bad !== '' && !bad.endsWith('/')) await expectDeltaError(storage.list(bad), 'InvalidArgument')
      }
      expect(decode(await storage.read('a/b.json'))).toBe('inside')
      // Names that only look odd stay readable: spaces, escapes that decode to no dot part.
      for (const fine of ['p=a b/x.json', 'p=a%20b/x.json', 'p=A%2FA/x.json', 'p=../x.json', 'p=%2E%2E/x.json', '..a/x.json', 'a../x.json']) {
        await storage.put(fine, text(fine))
        expect(decode(await storage.read(fine))).toBe(fine)
      }
    })
  })
}

/**
 * Signals, for adapters called in this thread (a proxy to a page cannot pass an AbortSignal):
 * every method refuses to start once its signal is aborted.
 */
export function describeSignalContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`${name}: signals`, () => {
    let subject: ContractSubject
    let storage: Storage
    beforeEach(async () => {
      subject = await create()
      storage = subject.storage
    })
    afterEach(async () => {
      await subject.cleanup?.()
    })

    it('refuses every request once its signal is aborted', async () => {
      await storage.put('s.bin', text('x'))
      const signal = AbortSignal.abort()
      await expectDeltaError(storage.read('s.bin', undefined, { signal }), 'Cancelled')
      await expectDeltaError(storage.read('s.bin', { offset: 0, length: 1 }, { signal }), 'Cancelled')
      await expectDeltaError(storage.head('s.bin', { signal }), 'Cancelled')
      await expectDeltaError(storage.list('', { signal }), 'Cancelled')
      await expectDeltaError(storage.put('t.bin', text('y'), { signal }), 'Cancelled')
      await expectDeltaError(storage.put('t.bin', text('y'), { ifAbsent: true, signal }), 'Cancelled')
      await expectDeltaError(storage.delete('s.bin', { signal }), 'Cancelled')
      expect(await storage.head('t.bin')).toBeUndefined()
      expect(decode(await storage.read('s.bin'))).toBe('x')
    })
  })
}

/**
 * Paths that must never reach a backend: dot and empty parts, plain or percent-encoded (in any
 * case, once or twice), with `\` as a separator, NUL, and a leading slash.
 */
export const HOSTILE_PATHS: readonly string[] = [
  '', '/abs.json', 'a//b', './a', 'a/./b', 'a/../../b', '..', '.', '../x', 'a/..', '../../secret/x.parquet',
  '%2e%2e/x', '%2E%2E/x', '%2e/x', 'a/%2e%2e/%2e%2e/x', '..%2Fx', '..%2fx', '%2e%2e%2fx', 'x/..%2F..%2Fy', '%252e%252e/x',
  '%25252e%25252e/x', '..\\x', 'a\\..\\..\\x', '..%5Cx', '%2e%2e%5cx', 'a/b\0/c', '\0', 'a/b/',
]
