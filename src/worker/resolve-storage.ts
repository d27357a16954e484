import { DeltaError } from '../delta/engine/errors.js'
import type { Storage } from '../delta/engine/storage.js'
import { FsaStorage } from '../storage/fsa.js'
import { HttpStorage } from '../storage/http.js'
import { encodeKey, joinKey, trimBase } from '../storage/http-signer.js'
import { PrefixedStorage } from '../storage/prefixed.js'
import { publicHttp } from '../storage/signers/public.js'
import type { ObjectStorageDescriptor, StorageDescriptor } from './protocol.js'

/** Makes a Storage over a local folder; only a Node worker's host supplies one. */
export type NodeFsFactory = (dir: string) => Storage

/** The absolute, percent-encoded `file:` URI of a local folder; only a Node host supplies one. */
export type FolderUriFactory = (dir: string) => string

/**
 * The URI of the table a descriptor stands for: its `uri` when given; for `public-http`,
 * `baseUrl` joined with `root` (the URL its files are fetched under); for `node-fs`, the `file:`
 * URI of `dir`/`root` from the host; else undefined (the table is then known by a label only).
 */
export function tableUriOf(d: StorageDescriptor, folderUri?: FolderUriFactory): string | undefined {
  if (d.uri !== undefined) return d.uri
  switch (d.kind) {
    case 'public-http': {
      const root = joinKey(d.root ?? '')
      return root === '' ? trimBase(d.baseUrl) : `${trimBase(d.baseUrl)}/${encodeKey(root)}`
    }
    case 'node-fs':
      return folderUri?.(d.root ? `${d.dir}/${d.root}` : d.dir)
    default:
      return undefined
  }
}

/**
 * The Storage a descriptor stands for, built in the worker. HTTP kinds take the table folder as
 * their own root (listings then ask for the right prefix); the others are wrapped in a
 * PrefixedStorage. `node-fs` needs `nodeFs` from the host, so browser bundles never see Node.
 */
export function resolveStorage(d: StorageDescriptor, nodeFs?: NodeFsFactory): Storage {
  switch (d.kind) {
    case 'http':
      return new HttpStorage({
        signer: { sign: d.sign, listing: d.listing, conditionalCreate: d.conditionalCreate, write: d.write, missingIs403: d.missingIs403 ?? false },
        root: d.root ?? '',
      })
    case 'public-http': {
      const backend = publicHttp(d.baseUrl, { listing: d.listing ?? 'none', missingIs403: d.missingIs403 ?? false })
      return new HttpStorage({ signer: backend, root: d.root ?? '' })
    }
    case 'fsa':
      return withRoot(new FsaStorage(d.handle, d.lockName === undefined ? {} : { lockName: d.lockName }), d.root)
    case 'object':
      return withRoot(delegateTo(d), d.root)
    case 'node-fs': {
      if (!nodeFs) throw new DeltaError('InvalidArgument', 'node-fs storage works only in Node workers: use fsa or http storage in a browser')
      return withRoot(nodeFs(d.dir), d.root)
    }
    default:
      throw new DeltaError('InvalidArgument', `unknown storage kind '${(d as { kind?: unknown }).kind as string}': use http, public-http, fsa, object or node-fs`)
  }
}

function withRoot(storage: Storage, root: string | undefined): Storage {
  return root ? new PrefixedStorage(storage, root) : storage
}

// The storage may be a comlink proxy whose property reads are promises: take the capabilities
// from the descriptor and call only methods.
function delegateTo(d: ObjectStorageDescriptor): Storage {
  const s = d.storage
  return {
    capabilities: { ...d.capabilities },
    list: (dir, opts) => s.list(dir, opts),
    read: (path, range) => s.read(path, range),
    head: (path) => s.head(path),
    put: (path, data, opts) => s.put(path, data, opts),
    delete: (path) => s.delete(path),
    ...(d.capabilities.listTree ? { listTree: (dir: string) => s.listTree!(dir) } : {}),
  }
}
