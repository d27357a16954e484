import type { Storage } from '../delta/engine/storage.js'
import type { FsaDirectoryHandle } from '../storage/fsa-types.js'
import type { HttpBackend, Signer } from '../storage/http-signer.js'
import type {
  FsaStorageDescriptor, HttpStorageDescriptor, ObjectStorageDescriptor, PublicHttpStorageDescriptor,
} from './protocol.js'

/**
 * HTTP storage for workers from a signer or ready-made backend (`s3Signer`, `azureSasSigner`,
 * ...): the signer stays in this thread, so keys or token calls never move to the workers;
 * each worker request asks it for a URL. `root` is the table's folder in the signer's namespace;
 * `opts.uri` the table's URI (`s3://bucket/table`), which `fileUris()` are given under.
 */
export function httpStorageDescriptor(signer: Signer | HttpBackend, root?: string, opts: { uri?: string } = {}): HttpStorageDescriptor {
  const b: HttpBackend = typeof signer === 'function' ? { sign: signer, listing: 'none', conditionalCreate: 'none', write: true } : signer
  return {
    kind: 'http', sign: b.sign, listing: b.listing, conditionalCreate: b.conditionalCreate, write: b.write,
    ...(b.missingIs403 !== undefined ? { missingIs403: b.missingIs403 } : {}),
    ...(root !== undefined ? { root } : {}),
    ...(opts.uri !== undefined ? { uri: opts.uri } : {}),
  }
}

/** Plain, read-only HTTP for workers (see `publicHttp`): URLs are built in the worker. */
export function publicHttpStorageDescriptor(baseUrl: string, opts: Omit<PublicHttpStorageDescriptor, 'kind' | 'baseUrl'> = {}): PublicHttpStorageDescriptor {
  return { kind: 'public-http', baseUrl, ...opts }
}

/** A picked folder or OPFS folder for workers (see `FsaStorage` for what commits it protects). */
export function fsaStorageDescriptor(handle: FsaDirectoryHandle, opts: Omit<FsaStorageDescriptor, 'kind' | 'handle'> = {}): FsaStorageDescriptor {
  return { kind: 'fsa', handle, ...opts }
}

/**
 * Any Storage object of this thread for workers: each operation is a round trip to here, so
 * prefer the other kinds for real tables; useful for MemoryStorage and custom adapters. Give
 * `opts.uri` when the table has one (`memory://t`), as `DeltaTable.open(uri, { storage })` does.
 */
export function objectStorageDescriptor(storage: Storage, root?: string, opts: { uri?: string } = {}): ObjectStorageDescriptor {
  return {
    kind: 'object', storage, capabilities: { ...storage.capabilities },
    ...(root !== undefined ? { root } : {}),
    ...(opts.uri !== undefined ? { uri: opts.uri } : {}),
  }
}
