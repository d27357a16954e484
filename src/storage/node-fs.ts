import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { DeltaError } from '../delta/engine/errors.js'
import {
  checkByteRange,
  checkStoragePath,
  shortReadError,
  storagePathProblem,
  throwIfCancelled,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'

/**
 * A Storage over a folder of the local file system (Node only). Paths are relative to
 * `rootDir`, '/'-separated, and may not leave it.
 *
 * Writes go to a temp file in the target folder first (named `.<name>.<random>.tmp`, so it never
 * looks like a log file), then a plain put renames it into place and an `ifAbsent` put hard-links
 * it to the final name, which fails with EEXIST when another writer won: readers never see a
 * half-written file, and of racing creates exactly one succeeds. Needs a file system with hard
 * links (local disks do; some network and FAT mounts do not). Files are not fsynced.
 */
export class NodeFsStorage implements Storage {
  /** Every operation works; `ifAbsent` is atomic through `link()`. */
  readonly capabilities: StorageCapabilities = { atomicCreate: true, list: true, write: true, listTree: true }
  /** The absolute folder every path is relative to. */
  readonly rootDir: string

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir)
  }

  /** Files directly under `dir`, sorted by full path, after `startAfter`; [] when missing. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    throwIfCancelled(opts.signal, `The listing of '${dir}'`)
    const rel = dir.replace(/\/+$/, '')
    const abs = rel === '' ? this.rootDir : this.#resolve(rel)
    let entries
    try {
      entries = await readdir(abs, { withFileTypes: true })
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return []
      throw toDeltaError(e, abs)
    }
    const { startAfter } = opts
    const paths = entries
      .filter((d) => d.isFile() || d.isSymbolicLink())
      .map((d) => (rel === '' ? d.name : `${rel}/${d.name}`))
      // A name no storage path can spell (`a\..\b`, `%2e%2e`) could not be read back: leave it out.
      .filter((p) => (startAfter === undefined || p > startAfter) && storagePathProblem(p) === undefined)
      .sort()
    // A file may vanish between readdir and stat (a racing delete or temp rename): skip it.
    const metas = await Promise.all(paths.map((p) => this.head(p, opts.signal ? { signal: opts.signal } : {})))
    return metas.filter((m): m is FileMeta => m !== undefined)
  }

  /** Every file under `dir` at any depth (see `Storage.listTree`), walking folders one by one. */
  async listTree(dir: string, opts: StorageRequestOptions = {}): Promise<FileMeta[]> {
    const out: FileMeta[] = []
    const folders = [dir.replace(/\/+$/, '')]
    while (folders.length > 0) {
      const rel = folders.pop()!
      throwIfCancelled(opts.signal, `The listing of '${rel}'`)
      let entries
      try {
        entries = await readdir(rel === '' ? this.rootDir : this.#resolve(rel), { withFileTypes: true })
      } catch (e) {
        if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') continue
        throw toDeltaError(e, rel)
      }
      for (const d of entries) {
        const path = rel === '' ? d.name : `${rel}/${d.name}`
        if (storagePathProblem(path) !== undefined) continue
        if (d.isDirectory()) folders.push(path)
        else if (d.isFile() || d.isSymbolicLink()) {
          const meta = await this.head(path, opts.signal ? { signal: opts.signal } : {})
          if (meta) out.push(meta)
        }
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /**
   * The file's bytes, or exactly `range` of them: a range past the end of the file, or a file
   * that shrinks while it is read, is `InvalidData`.
   */
  async read(path: string, range?: ByteRange, opts: StorageRequestOptions = {}): Promise<Uint8Array> {
    const abs = this.#resolve(path)
    if (range !== undefined) checkByteRange(path, range)
    throwIfCancelled(opts.signal, `The read of '${path}'`)
    let handle: FileHandle | undefined
    try {
      handle = await open(abs, 'r')
      const size = (await handle.stat()).size
      const wanted = range ?? { offset: 0, length: size }
      if (wanted.offset + wanted.length > size) throw shortReadError(path, wanted, { size })
      return await readFully(handle, path, wanted, opts.signal)
    } catch (e) {
      throw toDeltaError(e, abs)
    } finally {
      await handle?.close()
    }
  }

  /** Size and modification time of a regular file, or undefined when absent. */
  async head(path: string, opts: StorageRequestOptions = {}): Promise<FileMeta | undefined> {
    const abs = this.#resolve(path)
    throwIfCancelled(opts.signal, `The head of '${path}'`)
    try {
      const st = await stat(abs)
      return st.isFile() ? { path, size: st.size, lastModified: Math.floor(st.mtimeMs) } : undefined
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return undefined
      throw toDeltaError(e, abs)
    }
  }

  /** Write through a temp file; `ifAbsent` links it (atomic create), else renames it over. */
  async put(path: string, data: Uint8Array, opts: { ifAbsent?: boolean } & StorageRequestOptions = {}): Promise<void> {
    const abs = this.#resolve(path)
    throwIfCancelled(opts.signal, `The put of '${path}'`)
    await ensureFolder(dirname(abs))
    const temp = `${dirname(abs)}${sep}.${basename(abs)}.${randomBytes(8).toString('hex')}.tmp`
    let renamed = false
    try {
      await writeFile(temp, data, { flag: 'wx' })
      if (opts.ifAbsent === true) await link(temp, abs)
      else renamed = await rename(temp, abs).then(() => true)
    } catch (e) {
      throw toDeltaError(e, abs, 'write')
    } finally {
      // A linked or failed temp must not be left behind; a renamed one is gone already.
      if (!renamed) await unlink(temp).catch(() => undefined)
    }
  }

  /** Remove the file; an absent file is not an error. */
  async delete(path: string, opts: StorageRequestOptions = {}): Promise<void> {
    const abs = this.#resolve(path)
    throwIfCancelled(opts.signal, `The delete of '${path}'`)
    try {
      await unlink(abs)
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw toDeltaError(e, abs, 'write')
    }
  }

  /** The absolute path of `path`, refusing anything that would leave the root. */
  #resolve(path: string): string {
    checkStoragePath(path)
    const abs = resolve(this.rootDir, ...path.split('/'))
    const inside = abs.startsWith(this.rootDir.endsWith(sep) ? this.rootDir : this.rootDir + sep)
    if (!inside) {
      throw new DeltaError('InvalidArgument', `Invalid storage path '${path}': use a relative '/'-separated path inside the table folder, with no empty, '.' or '..' parts.`)
    }
    return abs
  }
}

/**
 * Why the folder `dir` holds no Delta log, as a `NotFound` DeltaError naming the absolute path:
 * no such path, not a folder (a file), or a folder without `_delta_log`. Undefined when
 * `_delta_log` is a folder: an empty log is the reader's to report.
 */
export async function explainMissingLog(dir: string): Promise<DeltaError | undefined> {
  const abs = resolve(dir)
  if ((await entryKind(join(abs, '_delta_log'))) === 'folder') return undefined
  switch (await entryKind(abs)) {
    case 'missing':
      return new DeltaError('NotFound', `No such path: '${abs}' does not exist. Check the path; a relative one starts from the current folder.`)
    case 'file':
      return new DeltaError('NotFound', `Not a folder: '${abs}' is a file. Open the table's folder, the one holding _delta_log.`)
    default:
      return new DeltaError('NotFound', `No _delta_log in '${abs}': the folder is not a Delta table. Open the table's root folder, or write to it to create a table.`)
  }
}

/** Whether `path` is a folder, something else (a file), or absent (a part of it may be a file). */
async function entryKind(path: string): Promise<'folder' | 'file' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file'
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return 'missing'
    throw toDeltaError(e, path)
  }
}

/** Create `dir` and its parents; a file in the way is the caller's mistake, not a lost race. */
async function ensureFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
  } catch (e) {
    const code = errnoOf(e)
    throw code === 'EEXIST' || code === 'ENOTDIR'
      ? new DeltaError('InvalidArgument', `A file stands where a folder is needed at '${dir}': remove it or pick another path.`, { cause: e })
      : toDeltaError(e, dir, 'write')
  }
}

/**
 * Read exactly `range` into a fresh Uint8Array (not a pooled Buffer); a file that ends early
 * (it shrank since stat) is `InvalidData`, never a shorter answer.
 */
async function readFully(handle: FileHandle, path: string, range: ByteRange, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const out = new Uint8Array(range.length)
  let filled = 0
  while (filled < range.length) {
    throwIfCancelled(signal, `The read of '${path}'`)
    const { bytesRead } = await handle.read(out, filled, range.length - filled, range.offset + filled)
    if (bytesRead === 0) throw shortReadError(path, range, { bytes: filled })
    filled += bytesRead
  }
  return out
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Map a Node file-system error on `path` to a DeltaError, so no errno leaks above src/storage.
 * `op` tells a folder in the way of a read (NotFound) from one in the way of a write
 * (InvalidArgument). DeltaErrors pass through unchanged. Exported so tests can cover errors a
 * root user cannot provoke.
 */
export function toDeltaError(e: unknown, path: string, op: 'read' | 'write' = 'read'): DeltaError {
  if (e instanceof DeltaError) return e
  const options = { cause: e }
  switch (errnoOf(e)) {
    case 'EISDIR':
      if (op === 'write') return new DeltaError('InvalidArgument', `'${path}' is a folder, not a file: pick another path.`, options)
      return new DeltaError('NotFound', `'${path}' is a folder, not a file: check the path.`, options)
    case 'ENOENT':
      return new DeltaError('NotFound', `No file at '${path}': check the path and that the table was written.`, options)
    case 'EEXIST':
      return new DeltaError('FileAlreadyExists', `'${path}' already exists: another writer created it first; re-read the table and retry.`, options)
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DeltaError('AccessDenied', `Access denied to '${path}' (${errnoOf(e)}): check the permissions of the file and its folders.`, options)
    case 'ENOTDIR':
      if (op === 'write') return new DeltaError('InvalidArgument', `A file stands where a folder is needed in '${path}': remove it or pick another path.`, options)
      return new DeltaError('NotFound', `No file at '${path}': a part of the path is a file, not a folder.`, options)
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
    case 'ENOSYS':
      return new DeltaError('UnsupportedFeature', `The file system holding '${path}' lacks hard links, which atomic commits need: use a local disk.`, options)
    default:
      return new DeltaError('Internal', `File system error on '${path}' (${e instanceof Error ? e.message : String(e)}): check the disk and retry.`, options)
  }
}
