import type { FileMeta, Storage } from '../../src/delta/engine/storage.js'

/**
 * A storage whose reads of the paths `hangs` picks never answer, and which knows nothing of
 * signals (as a user's own storage may not): what a cancelled read must not wait for.
 */
export class HangingStorage implements Storage {
  /** Paths read so far, in order. */
  readonly started: string[] = []

  constructor(readonly inner: Storage, public hangs: (path: string) => boolean = () => false) {}

  get capabilities(): Storage['capabilities'] {
    return this.inner.capabilities
  }

  list(dir: string, opts?: { startAfter?: string }): Promise<FileMeta[]> {
    return this.inner.list(dir, opts?.startAfter === undefined ? {} : { startAfter: opts.startAfter })
  }

  read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    this.started.push(path)
    return this.hangs(path) ? new Promise(() => undefined) : this.inner.read(path, range)
  }

  head(path: string): Promise<FileMeta | undefined> {
    return this.inner.head(path)
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data)
  }

  delete(path: string): Promise<void> {
    return this.inner.delete(path)
  }
}
