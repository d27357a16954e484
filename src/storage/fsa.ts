import { DeltaError } from '../delta/engine/errors.js'
import {
  checkByteRange,
  shortReadError,
  throwIfCancelled,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'
import { fsaError, isMissingEntry } from './fsa-errors.js'
import { checkFsaPath, checkFsaRange, tempFileName } from './fsa-path.js'
import type { FsaDirectoryHandle, FsaFileHandle } from './fsa-types.js'

/** The part of the Web Locks API the storage uses (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** Options of an FsaStorage. */
export interface FsaStorageOptions {
  /**
   * Names the Web Lock (`deltalake:<lockName>`) taken around `ifAbsent` puts. Every tab writing
   * one table must use the same name; the default is the folder's name, which can only make
   * unrelated tables wait on each other, never let two writers of one table race.
   */
  lockName?: string
  /** The lock manager; `navigator.locks` by default; `null` runs without (no atomic create). */
  locks?: LockManagerLike | null
}

// `move()` is in the File System spec and in Chromium, but not yet in TypeScript's DOM types.
interface MovableFileHandle extends FsaFileHandle {
  move(destination: FsaDirectoryHandle, newName: string): Promise<void>
}

/**
 * A Storage over a folder of the File System Access API: a folder the user picked with
 * `showDirectoryPicker()` (read-write permission granted) or the Origin Private File System
 * (`navigator.storage.getDirectory()`). Works in pages and workers of secure contexts.
 *
 * Every write goes to a temp file in the target folder (`.<name>.<random>.tmp`, never mistaken
 * for a log file) that is then moved into place, so no reader sees a half-written file. The API
 * has no exclusive create: an `ifAbsent` put holds a Web Lock while it checks that the name is
 * free, writes the temp file, checks again and moves it. `capabilities.atomicCreate` is true
 * only when Web Locks exist, and the guarantee covers the tabs and workers of ONE origin: two
 * browsers, or Spark or another program, writing the same folder are not protected.
 */
export class FsaStorage implements Storage {
  readonly capabilities: StorageCapabilities
  /** The folder every path is relative to. */
  readonly root: FsaDirectoryHandle
  readonly #lockName: string
  readonly #locks: LockManagerLike | null

  constructor(root: FsaDirectoryHandle, opts: FsaStorageOptions = {}) {
    this.root = root
    this.#lockName = `deltalake:${opts.lockName ?? root.name}`
    this.#locks = opts.locks === undefined ? defaultLocks() : opts.locks
    this.capabilities = { atomicCreate: this.#locks !== null, list: true, write: true }
  }

  /** Files directly under `dir`, sorted by full path, after `startAfter`; [] when missing. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    const rel = dir.replace(/\/+$/, '')
    const parts = rel === '' ? [] : checkFsaPath(rel)
    throwIfCancelled(opts.signal, `The listing of '${dir}'`)
    const folder = await this.#findFolder(parts)
    if (!folder) return []
    const handles: [string, FsaFileHandle][] = []
    try {
      for await (const entry of folder.values()) {
        if (entry.kind !== 'file') continue
        const path = rel === '' ? entry.name : `${rel}/${entry.name}`
        if (opts.startAfter === undefined || path > opts.startAfter) handles.push([path, entry])
      }
    } catch (e) {
      if (isMissingEntry(e)) return [] // the folder was removed while listing
      throw fsaError(e, rel)
    }
    throwIfCancelled(opts.signal, `The listing of '${dir}'`)
    handles.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    // A file may vanish between listing and getFile (a racing delete or temp move): skip it.
    const metas = await Promise.all(handles.map(([path, h]) => metaOf(path, h).catch((e: unknown) => {
      if (isMissingEntry(e)) return undefined
      throw fsaError(e, path)
    })))
    return metas.filter((m): m is FileMeta => m !== undefined)
  }

  /** The file's bytes, or exactly `range` of them (`InvalidData` past the end of the file). */
  async read(path: string, range?: ByteRange, opts: StorageRequestOptions = {}): Promise<Uint8Array> {
    const parts = checkFsaPath(path)
    if (range !== undefined) checkByteRange(path, range)
    throwIfCancelled(opts.signal, `The read of '${path}'`)
    try {
      const handle = await this.#fileHandle(parts)
      return await readBytes(handle, path, range).catch(async (e: unknown) => {
        // The File snapshot goes stale when a writer moves a new version in: read it again.
        if ((e as { name?: unknown })?.name !== 'NotReadableError') throw e
        return readBytes(handle, path, range)
      })
    } catch (e) {
      throw fsaError(e, path)
    }
  }

  /** Size and modification time of a file, or undefined when absent (or a folder). */
  async head(path: string, opts: StorageRequestOptions = {}): Promise<FileMeta | undefined> {
    const parts = checkFsaPath(path)
    throwIfCancelled(opts.signal, `The head of '${path}'`)
    try {
      return await metaOf(path, await this.#fileHandle(parts))
    } catch (e) {
      if (isMissingEntry(e)) return undefined
      throw fsaError(e, path)
    }
  }

  /** Write through a temp file moved into place; `ifAbsent` does it under the table's lock. */
  async put(path: string, data: Uint8Array, opts: { ifAbsent?: boolean } & StorageRequestOptions = {}): Promise<void> {
    const parts = checkFsaPath(path)
    throwIfCancelled(opts.signal, `The put of '${path}'`)
    const name = parts.at(-1)!
    try {
      const folder = await this.#makeFolder(parts.slice(0, -1))
      if (opts.ifAbsent !== true) return await writeThenMove(folder, name, data)
      const create = () => createIfAbsent(folder, name, path, data)
      await (this.#locks ? this.#locks.request(this.#lockName, create) : create())
    } catch (e) {
      throw fsaError(e, path, 'write')
    }
  }

  /** Remove the file; an absent file is not an error. */
  async delete(path: string, opts: StorageRequestOptions = {}): Promise<void> {
    const parts = checkFsaPath(path)
    throwIfCancelled(opts.signal, `The delete of '${path}'`)
    try {
      const folder = await this.#findFolder(parts.slice(0, -1))
      if (!folder) return
      await folder.getFileHandle(parts.at(-1)!) // refuses a folder, which removeEntry would take
      await folder.removeEntry(parts.at(-1)!)
    } catch (e) {
      if (domName(e) === 'NotFoundError') return
      throw fsaError(e, path, 'write')
    }
  }

  async #findFolder(parts: string[]): Promise<FsaDirectoryHandle | undefined> {
    let folder = this.root
    try {
      for (const part of parts) folder = await folder.getDirectoryHandle(part)
    } catch (e) {
      if (isMissingEntry(e)) return undefined
      throw fsaError(e, parts.join('/'))
    }
    return folder
  }

  async #makeFolder(parts: string[]): Promise<FsaDirectoryHandle> {
    let folder = this.root
    for (const part of parts) folder = await folder.getDirectoryHandle(part, { create: true })
    return folder
  }

  async #fileHandle(parts: string[]): Promise<FsaFileHandle> {
    let folder = this.root
    for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part)
    return folder.getFileHandle(parts.at(-1)!)
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
  if (!locks) return null
  return { request: (name, callback) => locks.request(name, callback) }
}

function domName(e: unknown): string | undefined {
  return (e as { name?: unknown } | null)?.name as string | undefined
}

async function metaOf(path: string, handle: FsaFileHandle): Promise<FileMeta> {
  const file = await handle.getFile()
  return { path, size: file.size, lastModified: file.lastModified }
}

async function readBytes(handle: FsaFileHandle, path: string, range?: ByteRange): Promise<Uint8Array> {
  const file = await handle.getFile()
  if (range === undefined) return new Uint8Array(await file.arrayBuffer())
  checkFsaRange(path, range, file.size)
  const bytes = new Uint8Array(await file.slice(range.offset, range.offset + range.length).arrayBuffer())
  // The file may have been replaced by a shorter one between getFile and the read.
  if (bytes.length !== range.length) throw shortReadError(path, range, { bytes: bytes.length })
  return bytes
}

async function exists(folder: FsaDirectoryHandle, name: string): Promise<boolean> {
  try {
    await folder.getFileHandle(name)
    return true
  } catch (e) {
    if (domName(e) === 'NotFoundError') return false
    throw e
  }
}

/** Check, write a temp file, check again, move: run under the lock so no tab of this origin interleaves. */
async function createIfAbsent(folder: FsaDirectoryHandle, name: string, path: string, data: Uint8Array): Promise<void> {
  const taken = (): DeltaError =>
    new DeltaError('FileAlreadyExists', `'${path}' already exists: another writer created it first; re-read the table and retry.`)
  if (await exists(folder, name)) throw taken()
  await writeThenMove(folder, name, data, async () => {
    if (await exists(folder, name)) throw taken()
  })
}

/** Write `data` to a temp file in `folder`, run `beforeMove`, then move it to `name`. */
async function writeThenMove(folder: FsaDirectoryHandle, name: string, data: Uint8Array, beforeMove?: () => Promise<void>): Promise<void> {
  const temp = tempFileName(name)
  let moved = false
  try {
    const handle = (await folder.getFileHandle(temp, { create: true })) as MovableFileHandle
    const writable = await handle.createWritable()
    try {
      await writable.write(data as Uint8Array<ArrayBuffer>)
      await writable.close()
    } catch (e) {
      await writable.abort().catch(() => undefined)
      throw e
    }
    await beforeMove?.()
    await handle.move(folder, name)
    moved = true
  } finally {
    // A failed or refused temp must not be left behind; a moved one is gone already.
    if (!moved) await folder.removeEntry(temp).catch(() => undefined)
  }
}
