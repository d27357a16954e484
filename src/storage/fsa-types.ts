/**
 * The parts of the File System Access API that `FsaStorage` uses, stated structurally so the
 * library's declarations type-check without the DOM lib (a Node project, or a worker project
 * with only `WebWorker`). The browser's own objects fit them: a `FileSystemDirectoryHandle`
 * from `showDirectoryPicker()` or `navigator.storage.getDirectory()` is an `FsaDirectoryHandle`.
 */

/** A file's contents at one moment (the browser's `File`, or the `Blob` a slice of it gives). */
export interface FsaBlob {
  readonly size: number
  arrayBuffer(): Promise<ArrayBuffer>
  slice(start?: number, end?: number): FsaBlob
}

/** A `File`: a blob with the time it was last changed, in ms since the epoch. */
export interface FsaFile extends FsaBlob {
  readonly lastModified: number
}

/** The stream `createWritable()` gives (`FileSystemWritableFileStream`). */
export interface FsaWritable {
  write(data: Uint8Array<ArrayBuffer>): Promise<void>
  close(): Promise<void>
  abort(reason?: unknown): Promise<void>
}

/** A file entry of a folder (`FileSystemFileHandle`). */
export interface FsaFileHandle {
  readonly kind: 'file'
  readonly name: string
  getFile(): Promise<FsaFile>
  createWritable(options?: { keepExistingData?: boolean }): Promise<FsaWritable>
}

/** A folder (`FileSystemDirectoryHandle`): the table's root, or a folder inside it. */
export interface FsaDirectoryHandle {
  readonly kind: 'directory'
  readonly name: string
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<FsaDirectoryHandle>
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FsaFileHandle>
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>
  values(): AsyncIterable<FsaDirectoryHandle | FsaFileHandle>
}
