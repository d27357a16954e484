import { DeltaError } from '../delta/engine/errors.js'
import type { FileMeta, Storage, StorageCapabilities } from '../delta/engine/storage.js'
import { errorFromFetchFailure, errorFromResponse, errorFromSigner, type FailureContext } from './http-errors.js'
import {
  conditionalHeader,
  joinKey,
  type ConditionalCreate,
  type HttpBackend,
  type HttpOperation,
  type ListingDialect,
  type SignOptions,
  type Signer,
} from './http-signer.js'
import { parseListPage } from './listing/index.js'

export type {
  ConditionalCreate,
  HttpBackend,
  HttpOperation,
  ListingDialect,
  SignedRequest,
  SignOptions,
  Signer,
} from './http-signer.js'

/** The subset of `fetch` the storage uses; pass one to add retries, logging or a proxy. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/** How to reach the files: a signer (or a ready-made backend) and where the table sits. */
export interface HttpStorageOptions {
  /** A bare signer function, or a ready-made backend (`s3Signer(...)`, `azureSasSigner(...)`, ...). */
  signer: Signer | HttpBackend
  /** The table's folder inside the signer's namespace; paths are relative to it. */
  root?: string
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike
  /** Override the backend's listing dialect (a bare signer defaults to `none`). */
  listing?: ListingDialect
  /** Override the backend's conditional-create header (a bare signer defaults to `none`). */
  conditionalCreate?: ConditionalCreate
  /** Override whether writes are possible (a bare signer defaults to true). */
  write?: boolean
  /** Treat 403 on head/read as a missing file (S3/GCS credentials without list permission). */
  missingIs403?: boolean
}

const METHODS: Record<HttpOperation, string> = { get: 'GET', head: 'HEAD', put: 'PUT', delete: 'DELETE', list: 'GET' }

/**
 * Storage over `fetch` with per-request signing, for browsers and Node. Every request goes
 * through the signer, so credentials can stay on a server. Failures come out as DeltaErrors
 * (404 `NotFound`, 401/403 and expired signatures `AccessDenied`, 409/412 on a conditional put
 * `FileAlreadyExists`, the rest `Internal`). Reads revalidate with the server (`cache:
 * 'no-cache'`) because a log file or a listing served from a browser cache would hide commits.
 */
export class HttpStorage implements Storage {
  readonly capabilities: StorageCapabilities
  readonly #sign: Signer
  readonly #root: string
  readonly #fetch: FetchLike
  readonly #listing: ListingDialect
  readonly #conditional: ConditionalCreate
  readonly #missingIs403: boolean

  constructor(opts: HttpStorageOptions) {
    const backend: HttpBackend =
      typeof opts.signer === 'function' ? { sign: opts.signer, listing: 'none', conditionalCreate: 'none', write: true } : opts.signer
    this.#sign = backend.sign
    this.#root = joinKey(opts.root ?? '')
    // A bare reference to the global fetch throws "Illegal invocation" in browsers: keep `this`.
    this.#fetch = opts.fetch ?? ((url, init) => globalThis.fetch(url, init))
    this.#listing = opts.listing ?? backend.listing
    this.#conditional = opts.conditionalCreate ?? backend.conditionalCreate
    this.#missingIs403 = opts.missingIs403 ?? backend.missingIs403 ?? false
    const write = opts.write ?? backend.write
    this.capabilities = { atomicCreate: write && this.#conditional !== 'none', list: this.#listing !== 'none', write }
  }

  /** Files directly under `dir`, sorted, after `startAfter`; pages through the listing. */
  async list(dir: string, opts?: { startAfter?: string }): Promise<FileMeta[]> {
    const dialect = this.#listing
    if (dialect === 'none') {
      throw new DeltaError('UnsupportedFeature', 'This HTTP storage cannot list files; use a signer with a listing dialect, or open the table without listing.')
    }
    const folder = joinKey(dir)
    const full = joinKey(this.#root, folder)
    const sign: SignOptions = { prefix: full === '' ? '' : `${full}/` }
    if (opts?.startAfter !== undefined) sign.startAfter = joinKey(this.#root, opts.startAfter)
    const files: FileMeta[] = []
    const seen = new Set<string>()
    for (;;) {
      const res = await this.#send('list', folder, sign)
      if (!res.ok) throw await errorFromResponse(res, { op: 'list', path: folder })
      const page = parseListPage(dialect, await res.text())
      for (const obj of page.objects) {
        const name = childName(obj.key, full)
        if (name !== undefined) files.push({ path: joinKey(folder, name), size: obj.size, lastModified: obj.lastModified })
      }
      if (page.next === undefined) break
      if (seen.has(page.next)) throw new DeltaError('Internal', `The listing of "${folder}" repeated a page token; the server's listing is broken.`)
      seen.add(page.next)
      sign.continuation = page.next
    }
    // Azure and GCS take no exclusive start-after, and servers' byte order can differ from JS order.
    const after = opts?.startAfter
    return files.filter((f) => after === undefined || f.path > after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /** The bytes of a file or of a range of it, with a `bytes=a-b` range (never a suffix range). */
  async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    if (range) checkRange(range, path)
    if (range?.length === 0) return new Uint8Array(0)
    const res = await this.#send('get', path, range ? { range } : {})
    // 416: the range starts at or past the end, which reads as nothing, like a slice would.
    if (range && res.status === 416) return new Uint8Array(0)
    if (!res.ok) throw await errorFromResponse(res, this.#context('get', path))
    const bytes = new Uint8Array(await res.arrayBuffer())
    if (!range) return bytes
    // A server that ignores Range answers 200 with the whole file.
    return res.status === 206 ? bytes.subarray(0, range.length) : bytes.slice(range.offset, range.offset + range.length)
  }

  /** Size and modification time from a HEAD request, or undefined when the file is absent. */
  async head(path: string): Promise<FileMeta | undefined> {
    const res = await this.#send('head', path, {})
    if (!res.ok) {
      const error = await errorFromResponse(res, this.#context('head', path))
      if (error.code === 'NotFound') return undefined
      throw error
    }
    const size = Number(res.headers.get('Content-Length') ?? Number.NaN)
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new DeltaError('Internal', `The server gave no Content-Length for "${path}"; in a browser, check that CORS exposes it.`)
    }
    const modified = Date.parse(res.headers.get('Last-Modified') ?? '')
    return { path: joinKey(path), size, lastModified: Number.isFinite(modified) ? modified : 0 }
  }

  /**
   * Write a whole file. With `ifAbsent` the backend's conditional header makes it an atomic
   * create; without one (`capabilities.atomicCreate` false) a HEAD first only approximates it.
   */
  async put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void> {
    this.#checkWritable('put', path)
    const ifAbsent = opts?.ifAbsent === true
    if (ifAbsent && this.#conditional === 'none' && (await this.head(path)) !== undefined) {
      throw new DeltaError('FileAlreadyExists', `"${path}" already exists: another writer created it first.`)
    }
    const extra = ifAbsent ? conditionalHeader(this.#conditional) : undefined
    const res = await this.#send('put', path, ifAbsent ? { ifAbsent } : {}, extra, data)
    if (!res.ok) throw await errorFromResponse(res, { ...this.#context('put', path), ifAbsent })
    await discard(res)
  }

  /** Remove a file; a missing file is not an error. */
  async delete(path: string): Promise<void> {
    this.#checkWritable('delete', path)
    const res = await this.#send('delete', path, {})
    if (!res.ok && res.status !== 404) throw await errorFromResponse(res, this.#context('delete', path))
    await discard(res)
  }

  #context(op: HttpOperation, path: string): FailureContext {
    return { op, path, missingIs403: this.#missingIs403 }
  }

  #checkWritable(op: HttpOperation, path: string): void {
    if (!this.capabilities.write) {
      throw new DeltaError('AccessDenied', `Cannot ${op} "${path}": this HTTP storage is read-only; use a signer that can write.`)
    }
  }

  // Sign, add the Range and conditional headers unless the signer set them, and fetch.
  async #send(op: HttpOperation, path: string, opts: SignOptions, extra?: [string, string], body?: Uint8Array): Promise<Response> {
    const ctx: FailureContext = { op, path }
    const target = joinKey(this.#root, path)
    let signed
    try {
      signed = await this.#sign(op, target, opts)
    } catch (e) {
      throw errorFromSigner(e, ctx)
    }
    const headers = new Headers(signed.headers)
    if (opts.range && !headers.has('Range')) {
      headers.set('Range', `bytes=${opts.range.offset}-${opts.range.offset + opts.range.length - 1}`)
    }
    if (extra && !headers.has(extra[0])) headers.set(extra[0], extra[1])
    const init: RequestInit = { method: signed.method ?? METHODS[op], headers, cache: op === 'put' || op === 'delete' ? 'no-store' : 'no-cache' }
    if (body) init.body = body as Uint8Array<ArrayBuffer>
    try {
      return await this.#fetch(signed.url, init)
    } catch (e) {
      throw errorFromFetchFailure(e, ctx)
    }
  }
}

// The name of `key` if it is a direct child file of the folder `full`, else undefined. Checked
// on the key's tail, so a signer's own prefix in front of `full` does not matter; this keeps
// out folder markers and deeper keys from a server that ignored the delimiter.
function childName(key: string, full: string): string | undefined {
  const slash = key.lastIndexOf('/')
  const name = key.slice(slash + 1)
  const parent = slash < 0 ? '' : key.slice(0, slash)
  if (name === '') return undefined
  const parentOk = full === '' ? true : parent === full || parent.endsWith(`/${full}`)
  return parentOk ? name : undefined
}

// An unread body holds its connection in Node until garbage collection; release it now.
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined)
}

function checkRange(range: { offset: number; length: number }, path: string): void {
  const { offset, length } = range
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new DeltaError('InvalidArgument', `Invalid byte range {offset: ${offset}, length: ${length}} for "${path}"; use non-negative integers.`)
  }
}
