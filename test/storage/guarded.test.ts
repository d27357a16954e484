// The guard the API puts around every engine's storage, over a storage of the user's that does
// whatever it likes: hostile paths never reach it, reads are exact, errors are typed and clean,
// and the bound signal reaches every request.
import { describe, expect, it } from 'vitest'
import { DeltaError, type DeltaErrorCode } from '../../src/delta/engine/errors.js'
import type { ByteRange, FileMeta, Storage, StorageRequestOptions } from '../../src/delta/engine/storage.js'
import { GuardedStorage } from '../../src/storage/guarded.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { describeSignalContract, describeStorageContract, HOSTILE_PATHS } from './storage-contract.js'

describeStorageContract('GuardedStorage over MemoryStorage', async () => ({ storage: GuardedStorage.wrap(new MemoryStorage()) }))
describeSignalContract('GuardedStorage over MemoryStorage', async () => ({ storage: GuardedStorage.wrap(new MemoryStorage()) }))

/** A storage that records every call and answers with whatever `reply` gives. */
class Recorder implements Storage {
  readonly capabilities = { atomicCreate: true, list: true, write: true }
  readonly calls: { op: string; path: string; signal: AbortSignal | undefined }[] = []
  constructor(readonly reply: (op: string, path: string, range?: ByteRange) => unknown = () => undefined) {}
  #call<T>(op: string, path: string, opts: StorageRequestOptions | undefined, range?: ByteRange): Promise<T> {
    this.calls.push({ op, path, signal: opts?.signal })
    return Promise.resolve().then(() => this.reply(op, path, range) as T)
  }
  list(dir: string, opts?: { startAfter?: string } & StorageRequestOptions): Promise<FileMeta[]> {
    return this.#call('list', dir, opts).then((r) => (r as FileMeta[] | undefined) ?? [])
  }
  read(path: string, range?: ByteRange, opts?: StorageRequestOptions): Promise<Uint8Array> {
    return this.#call('read', path, opts, range)
  }
  head(path: string, opts?: StorageRequestOptions): Promise<FileMeta | undefined> {
    return this.#call('head', path, opts)
  }
  put(path: string, _data: Uint8Array, opts?: { ifAbsent?: boolean } & StorageRequestOptions): Promise<void> {
    return this.#call('put', path, opts)
  }
  delete(path: string, opts?: StorageRequestOptions): Promise<void> {
    return this.#call('delete', path, opts)
  }
}

async function codeOf(p: Promise<unknown>): Promise<DeltaErrorCode | 'resolved' | string> {
  return p.then(() => 'resolved', (e: unknown) => (e instanceof DeltaError ? e.code : `not a DeltaError: ${String(e)}`))
}

describe('GuardedStorage', () => {
  it('never passes a hostile path to the storage inside', async () => {
    const inner = new Recorder()
    const guarded = GuardedStorage.wrap(inner)
    for (const bad of HOSTILE_PATHS) {
      expect(await codeOf(guarded.read(bad))).toBe('InvalidArgument')
      expect(await codeOf(guarded.read(bad, { offset: 0, length: 1 }))).toBe('InvalidArgument')
      expect(await codeOf(guarded.head(bad))).toBe('InvalidArgument')
      expect(await codeOf(guarded.put(bad, new Uint8Array(1), { ifAbsent: true }))).toBe('InvalidArgument')
      expect(await codeOf(guarded.delete(bad))).toBe('InvalidArgument')
      if (bad !== '' && !bad.endsWith('/')) expect(await codeOf(guarded.list(bad))).toBe('InvalidArgument')
    }
    expect(inner.calls).toEqual([])
    await guarded.list('')
    await guarded.list('_delta_log/')
    expect(inner.calls.map((c) => c.path)).toEqual(['', '_delta_log/'])
  })

  it('makes ranged reads exact: short is InvalidData, long is trimmed, whole reads pass', async () => {
    const inner = new Recorder((_op, _path, range) => new Uint8Array(range ? range.length + (range.offset === 0 ? -1 : 3) : 7))
    const guarded = GuardedStorage.wrap(inner)
    const e = await guarded.read('a.parquet', { offset: 0, length: 8 }).catch((err: unknown) => err)
    expect(e).toMatchObject({ code: 'InvalidData' })
    expect((e as Error).message).toContain('a.parquet')
    expect(await guarded.read('a.parquet', { offset: 4, length: 8 })).toHaveLength(8)
    expect(await guarded.read('a.parquet')).toHaveLength(7)
  })

  it('refuses bad ranges and answers that are not bytes', async () => {
    const guarded = GuardedStorage.wrap(new Recorder(() => 'not bytes'))
    for (const range of [{ offset: -1, length: 1 }, { offset: 0, length: 1e300 }, { offset: Number.NaN, length: 1 }]) {
      expect(await codeOf(guarded.read('x', range))).toBe('InvalidArgument')
    }
    expect(await codeOf(guarded.read('x'))).toBe('Internal')
  })

  it("types what a user's storage throws, without a URL's query", async () => {
    const guarded = GuardedStorage.wrap(new Recorder(() => {
      throw new TypeError('fetch failed for https://acct.blob.core.windows.net/c/x?sv=1&sig=TOPSECRET')
    }))
    const e = await guarded.read('x').catch((err: unknown) => err)
    expect(e).toBeInstanceOf(DeltaError)
    expect((e as DeltaError).code).toBe('Internal')
    expect(JSON.stringify([String(e), (e as Error).stack, String((e as Error).cause), ((e as Error).cause as Error).stack])).not.toContain('TOPSECRET')
    const own = new DeltaError('AccessDenied', 'logged out')
    expect(await GuardedStorage.wrap(new Recorder(() => { throw own })).head('x').catch((err: unknown) => err)).toBe(own)
  })

  it('binds a signal to every request, combined with one given per call, and wraps once', async () => {
    const inner = new Recorder(() => new Uint8Array(1))
    const op = new AbortController()
    const guarded = GuardedStorage.wrap(GuardedStorage.wrap(inner), op.signal)
    await guarded.read('x', { offset: 0, length: 1 })
    await guarded.head('x')
    await guarded.list('d')
    await guarded.put('x', new Uint8Array(1))
    await guarded.delete('x')
    expect(inner.calls.every((c) => c.signal === op.signal)).toBe(true)
    const call = new AbortController()
    await guarded.read('x', undefined, { signal: call.signal })
    const combined = inner.calls.at(-1)!.signal!
    expect(combined.aborted).toBe(false)
    call.abort()
    expect(combined.aborted).toBe(true)
    expect(await codeOf(guarded.withSignal(undefined).read('x'))).toBe('resolved')
    op.abort()
    expect(await codeOf(guarded.read('x'))).toBe('Cancelled')
    expect(await codeOf(guarded.withSignal(undefined).read('x'))).toBe('resolved')
  })

  it('rejects a request the storage never answers as soon as the signal is aborted', async () => {
    const controller = new AbortController()
    const guarded = GuardedStorage.wrap(new Recorder(() => new Promise(() => undefined)), controller.signal)
    const pending = guarded.read('x')
    setTimeout(() => controller.abort(), 20)
    expect(await codeOf(pending)).toBe('Cancelled')
  })
})
