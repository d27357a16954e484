/** A file as the storage sees it. `path` is relative to the storage root, `/`-separated. */
export interface FileMeta {
  path: string
  size: number
  /** Milliseconds since the epoch. */
  lastModified: number
}

/** What a backend can and cannot do; callers check it before relying on a behaviour. */
export interface StorageCapabilities {
  /** `put(..., { ifAbsent: true })` is atomic: of racing creates exactly one succeeds. */
  atomicCreate: boolean
  /** `list` works; without it, versions are probed from `_last_checkpoint` onwards. */
  list: boolean
  /** `put` and `delete` work. */
  write: boolean
}

/**
 * The storage contract the protocol core is handed. Paths are relative to the table's root,
 * `/`-separated, with no leading slash. Every failure is a `DeltaError`: `NotFound` for a missing
 * file, `FileAlreadyExists` for a lost create race, `AccessDenied` for a refused request.
 */
export interface Storage {
  /**
   * Files directly under `dir` (never recursive, no folders), sorted by full path, only those
   * whose path sorts after `startAfter` when given. A missing folder lists as empty.
   */
  list(dir: string, opts?: { startAfter?: string }): Promise<FileMeta[]>
  /** The bytes of a file, or of `range` of it. `NotFound` when the file is absent. */
  read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array>
  /** Size and time of a file, or undefined when absent. */
  head(path: string): Promise<FileMeta | undefined>
  /**
   * Write a whole file. With `ifAbsent`, create it only if no file has that path: exactly one of
   * racing writers succeeds, the others get `FileAlreadyExists`. A backend whose
   * `capabilities.atomicCreate` is false only approximates this (check-then-write).
   */
  put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void>
  /** Remove a file; removing an absent file is not an error. */
  delete(path: string): Promise<void>
  readonly capabilities: StorageCapabilities
}
