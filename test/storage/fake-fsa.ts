// An in-memory File System Access folder for Node tests: enough of FileSystemDirectoryHandle
// and FileSystemFileHandle for FsaStorage, recording every entry name it is asked for and
// refusing the names a browser refuses ('', '.', '..', and any with '/' or '\').
import type { FsaBlob, FsaDirectoryHandle, FsaFile, FsaFileHandle, FsaWritable } from '../../src/storage/fsa-types.js'

type Entry = FakeFolder | FakeFile

function domError(name: string, message: string): Error {
  const e = new Error(message)
  e.name = name
  return e
}

function checkName(name: string, folder: FakeFolder): void {
  folder.asked.push(folder.path === '' ? name : `${folder.path}/${name}`)
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
    throw new TypeError(`Name is not allowed: ${name}`)
  }
}

function blobOf(bytes: Uint8Array): FsaBlob {
  return {
    size: bytes.length,
    arrayBuffer: async () => bytes.slice().buffer,
    slice: (start = 0, end = bytes.length) => blobOf(bytes.slice(start, end)),
  }
}

/** A file of the fake folder tree. */
export class FakeFile implements FsaFileHandle {
  readonly kind = 'file' as const
  bytes = new Uint8Array(0)
  lastModified = Date.UTC(2024, 0, 1)
  constructor(readonly name: string, readonly parent: FakeFolder) {}

  async getFile(): Promise<FsaFile> {
    return { ...blobOf(this.bytes), lastModified: this.lastModified }
  }

  async createWritable(): Promise<FsaWritable> {
    const parts: Uint8Array[] = []
    return {
      write: async (data) => void parts.push(new Uint8Array(data)),
      close: async () => {
        this.bytes = Uint8Array.from(parts.flatMap((p) => [...p]))
        this.lastModified = Date.now()
      },
      abort: async () => undefined,
    }
  }

  async move(destination: FsaDirectoryHandle, newName: string): Promise<void> {
    const to = destination as FakeFolder
    checkName(newName, to)
    this.parent.entries.delete(this.name)
    const moved = new FakeFile(newName, to)
    moved.bytes = this.bytes
    to.entries.set(newName, moved)
  }
}

/**
 * A folder of the fake tree; `asked` (shared by the whole tree) records the full path of every
 * entry looked up, from the tree's root.
 */
export class FakeFolder implements FsaDirectoryHandle {
  readonly kind = 'directory' as const
  readonly entries = new Map<string, Entry>()
  constructor(readonly name: string, readonly asked: string[] = [], readonly path = '') {}

  async getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<FsaDirectoryHandle> {
    checkName(name, this)
    const found = this.entries.get(name)
    if (found instanceof FakeFolder) return found
    if (found) throw domError('TypeMismatchError', `${name} is a file`)
    if (!options?.create) throw domError('NotFoundError', `no folder ${name}`)
    const folder = new FakeFolder(name, this.asked, this.path === '' ? name : `${this.path}/${name}`)
    this.entries.set(name, folder)
    return folder
  }

  async getFileHandle(name: string, options?: { create?: boolean }): Promise<FsaFileHandle> {
    checkName(name, this)
    const found = this.entries.get(name)
    if (found instanceof FakeFile) return found
    if (found) throw domError('TypeMismatchError', `${name} is a folder`)
    if (!options?.create) throw domError('NotFoundError', `no file ${name}`)
    const file = new FakeFile(name, this)
    this.entries.set(name, file)
    return file
  }

  async removeEntry(name: string): Promise<void> {
    checkName(name, this)
    if (!this.entries.delete(name)) throw domError('NotFoundError', `no entry ${name}`)
  }

  async *values(): AsyncIterable<FsaDirectoryHandle | FsaFileHandle> {
    yield* this.entries.values()
  }

  /** Write a file at a '/'-separated path, making folders (for seeding). */
  seed(path: string, bytes: Uint8Array): void {
    const parts = path.split('/')
    let folder = this as FakeFolder
    for (const part of parts.slice(0, -1)) {
      let next = folder.entries.get(part)
      if (!(next instanceof FakeFolder)) {
        next = new FakeFolder(part, this.asked, folder.path === '' ? part : `${folder.path}/${part}`)
        folder.entries.set(part, next)
      }
      folder = next
    }
    const file = new FakeFile(parts.at(-1)!, folder)
    file.bytes = new Uint8Array(bytes)
    folder.entries.set(file.name, file)
  }
}
