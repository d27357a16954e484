import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import {
  checkByteRange,
  checkStoragePath,
  type ByteRange,
  type FileMeta,
  type Storage,
  type StorageCapabilities,
  type StorageRequestOptions,
} from '../delta/engine/storage.js'
import { errorFromSigner, errorFromStatus, isTransientStatus, retryAfterMs, type FailureContext } from './http-errors.js'
import { retryDelay, retryPolicy, sleep, type HttpRetryOptions, type RetryPolicy } from './http-retry.js'
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
import { errorBody, readRange, readWhole } from './http-answer.js'
import { asFailure, AttemptFailure, checkUrl, Exchange, type FetchLike } from './http-transport.js'
import { parseListPage } from './listing/index.js'
import { secretsOf, sanitizeError } from './redact.js'

export type {
  ConditionalCreate,
  HttpBackend,
  HttpOperation,
  ListingDialect,
  SignedRequest,
  SignOptions,
  Signer,
} from './http-signer.js'
export type { HttpRetryOptions } from './http-retry.js'
export type { FetchLike } from './http-transport.js'

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
  /**
   * Give up on a request that makes no progress for this many ms: no answer, or no new body
   * bytes (default 30000; `Infinity` turns it off). A stall fails the attempt with `Unavailable`,
   * and is retried like a network error. A put waits longer for its answer, one more second per
   * 64 KiB sent, since the upload comes first.
   */
  stallTimeoutMs?: number
  /** Retries of failures that may pass (see {@link HttpRetryOptions}); `false` turns them off. */
  retry?: HttpRetryOptions | false
  /**
   * Most pages one listing may take before it fails with `InvalidData` (default 10000, that is
   * ten million names at S3's 1000 a page): a server that hands out page tokens forever must not
   * keep a reader looping.
   */
  maxListPages?: number
}

const METHODS: Record<HttpOperation, string> = { get: 'GET', head: 'HEAD', put: 'PUT', delete: 'DELETE', list: 'GET' }
const DEFAULT_STALL_MS = 30_000
const DEFAULT_MAX_LIST_PAGES = 10_000
// An upload of this many bytes a second or more never trips the stall watch before the answer.
const UPLOAD_BYTES_PER_SECOND = 64 * 1024

/** One request as the retry loop sees it. */
interface RequestSpec {
  op: HttpOperation
  /** The path (or listing folder) as the caller named it, relative to the root. */
  path: string
  sign: SignOptions
  signal: AbortSignal | undefined
  ifAbsent?: boolean
  body?: Uint8Array
  /** Statuses besides 2xx that the handler takes (404 on delete). */
  accept?: (status: number) => boolean
}

/**
 * Storage over `fetch` with per-request signing, for browsers and Node. Every request goes
 * through the signer, so credentials can stay on a server. Failures come out as DeltaErrors
 * (404 `NotFound`, 401/403 and expired signatures `AccessDenied`, 409/412 on a conditional put
 * `FileAlreadyExists`, 416 and a short answer to a range `InvalidData`, an aborted signal
 * `Cancelled`, 5xx, 429 and network failures after retries `Unavailable`, redirects (never
 * followed) `InvalidArgument`), whose texts never hold a URL's query or a header value.
 * Failures that may pass (429, 5xx, network errors, cut bodies, stalls) are retried (see
 * `retry`), and every request is watched for stalls (see `stallTimeoutMs`). Paths that could
 * leave the root are refused before signing. Reads revalidate with the server (`cache:
 * 'no-cache'`) because a log file or a listing served from a browser cache would hide commits;
 * ranged reads bypass the cache (`no-store`), which would let them through one at a time.
 */
export class HttpStorage implements Storage {
  readonly capabilities: StorageCapabilities
  readonly #sign: Signer
  readonly #root: string
  readonly #fetch: FetchLike
  readonly #listing: ListingDialect
  readonly #conditional: ConditionalCreate
  readonly #missingIs403: boolean
  readonly #stallMs: number
  readonly #retry: RetryPolicy
  readonly #maxListPages: number

  constructor(opts: HttpStorageOptions) {
    const backend: HttpBackend =
      typeof opts.signer === 'function' ? { sign: opts.signer, listing: 'none', conditionalCreate: 'none', write: true } : opts.signer
    this.#sign = backend.sign
    this.#root = joinKey(opts.root ?? '')
    if (this.#root !== '') checkStoragePath(this.#root)
    // A bare reference to the global fetch throws "Illegal invocation" in browsers: keep `this`.
    this.#fetch = opts.fetch ?? ((url, init) => globalThis.fetch(url, init))
    this.#listing = opts.listing ?? backend.listing
    this.#conditional = opts.conditionalCreate ?? backend.conditionalCreate
    this.#missingIs403 = opts.missingIs403 ?? backend.missingIs403 ?? false
    this.#stallMs = positive(opts.stallTimeoutMs, DEFAULT_STALL_MS, 'stallTimeoutMs')
    this.#retry = retryPolicy(opts.retry)
    this.#maxListPages = positive(opts.maxListPages, DEFAULT_MAX_LIST_PAGES, 'maxListPages')
    const write = opts.write ?? backend.write
    this.capabilities = { atomicCreate: write && this.#conditional !== 'none', list: this.#listing !== 'none', write }
  }

  /** Files directly under `dir`, sorted, after `startAfter`; pages through the listing. */
  async list(dir: string, opts: { startAfter?: string } & StorageRequestOptions = {}): Promise<FileMeta[]> {
    const dialect = this.#listing
    if (dialect === 'none') {
      throw new DeltaError('UnsupportedFeature', 'This HTTP storage cannot list files; use a signer with a listing dialect, or open the table without listing.')
    }
    const folder = dir.replace(/\/+$/, '')
    if (folder !== '') checkStoragePath(folder)
    const full = joinKey(this.#root, folder)
    const sign: SignOptions = { prefix: full === '' ? '' : `${full}/` }
    if (opts.startAfter !== undefined) sign.startAfter = joinKey(this.#root, opts.startAfter)
    const files: FileMeta[] = []
    const seen = new Set<string>()
    for (let pages = 1; ; pages++) {
      const spec: RequestSpec = { op: 'list', path: folder, sign: { ...sign }, signal: opts.signal }
      // Parsed inside the request, so a malformed page's error is redacted like any other.
      const page = await this.#request(spec, async (ex) => parseListPage(dialect, new TextDecoder().decode(await ex.body())))
      for (const obj of page.objects) {
        const name = childName(obj.key, full)
        if (name !== undefined) files.push({ path: joinKey(folder, name), size: obj.size, lastModified: obj.lastModified })
      }
      if (page.next === undefined) break
      if (seen.has(page.next)) throw new DeltaError('InvalidData', `The listing of "${folder}" repeated a page token; the server's listing is broken.`)
      if (pages >= this.#maxListPages) {
        throw new DeltaError('InvalidData', `The listing of "${folder}" did not end after ${this.#maxListPages} pages; the server keeps handing out page tokens. If the folder really holds that many files, raise maxListPages.`)
      }
      seen.add(page.next)
      sign.continuation = page.next
    }
    // Azure and GCS take no exclusive start-after, and servers' byte order can differ from JS order.
    const after = opts.startAfter
    return files.filter((f) => after === undefined || f.path > after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /**
   * The bytes of a file, or exactly those of `range` (a `bytes=a-b` range, never a suffix
   * range). A range past the end of the file (416, or a shorter answer) is `InvalidData`; a
   * server that ignores Range and sends the whole file is sliced.
   */
  async read(path: string, range?: ByteRange, opts: StorageRequestOptions = {}): Promise<Uint8Array> {
    checkStoragePath(path)
    if (range) checkByteRange(path, range)
    if (range?.length === 0) return new Uint8Array(0)
    const spec: RequestSpec = { op: 'get', path, sign: range ? { range } : {}, signal: opts.signal }
    return this.#request(spec, async (ex) => (range ? readRange(ex, path, range) : readWhole(ex, path)))
  }

  /** Size and modification time from a HEAD request, or undefined when the file is absent. */
  async head(path: string, opts: StorageRequestOptions = {}): Promise<FileMeta | undefined> {
    checkStoragePath(path)
    try {
      return await this.#request({ op: 'head', path, sign: {}, signal: opts.signal }, async (ex) => {
        const size = Number(ex.response.headers.get('Content-Length') ?? Number.NaN)
        if (!Number.isSafeInteger(size) || size < 0) {
          throw new DeltaError('Internal', `The server gave no Content-Length for "${path}"; in a browser, check that CORS exposes it.`)
        }
        const modified = Date.parse(ex.response.headers.get('Last-Modified') ?? '')
        return { path: joinKey(path), size, lastModified: Number.isFinite(modified) ? modified : 0 }
      })
    } catch (e) {
      if (isDeltaError(e, 'NotFound')) return undefined
      throw e
    }
  }

  /**
   * Write a whole file. With `ifAbsent` the backend's conditional header makes it an atomic
   * create; without one (`capabilities.atomicCreate` false) a HEAD first only approximates it.
   * A put whose outcome is unknown (network error, 5xx, stall) is retried; if a retried create
   * then finds the file there, it is read back: our own bytes mean the earlier attempt landed
   * (success), other bytes mean another writer won (`FileAlreadyExists`), and a failed read
   * back gives the original failure, so the caller's own "did it land" check runs.
   */
  async put(path: string, data: Uint8Array, opts: { ifAbsent?: boolean } & StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    this.#checkWritable('put', path)
    const ifAbsent = opts.ifAbsent === true
    const signal = opts.signal
    const extra = ifAbsent ? conditionalHeader(this.#conditional) : undefined
    const spec: RequestSpec = { op: 'put', path, sign: ifAbsent ? { ifAbsent } : {}, signal, ifAbsent, body: data }
    const started = Date.now()
    let unknownOutcome: DeltaError | undefined
    for (let attempt = 1; ; attempt++) {
      try {
        if (ifAbsent && this.#conditional === 'none' && (await this.head(path, { signal })) !== undefined) {
          throw new DeltaError('FileAlreadyExists', `"${path}" already exists: another writer created it first.`)
        }
        return await this.#attempt(spec, async () => undefined, extra)
      } catch (e) {
        const failed = asFailure(e)
        if (unknownOutcome && isDeltaError(failed.error, 'FileAlreadyExists')) {
          const verdict = await this.#holds(path, data, signal)
          if (verdict === 'ours') return
          throw verdict === 'theirs' ? failed.error : unknownOutcome
        }
        const wait = failed.transient ? retryDelay(this.#retry, attempt, Date.now() - started, failed.retryAfterMs) : undefined
        if (wait === undefined) throw failed.error
        unknownOutcome = failed.error
        await sleep(wait, signal, `The put of "${path}"`)
      }
    }
  }

  /** Remove a file; a missing file is not an error. */
  async delete(path: string, opts: StorageRequestOptions = {}): Promise<void> {
    checkStoragePath(path)
    this.#checkWritable('delete', path)
    await this.#request({ op: 'delete', path, sign: {}, signal: opts.signal, accept: (s) => s === 404 }, async () => undefined)
  }

  #checkWritable(op: HttpOperation, path: string): void {
    if (!this.capabilities.write) {
      throw new DeltaError('AccessDenied', `Cannot ${op} "${path}": this HTTP storage is read-only; use a signer that can write.`)
    }
  }

  // Whether the file at `path` holds exactly `data` (our own earlier attempt landed), other
  // bytes (another writer's), or cannot be told.
  async #holds(path: string, data: Uint8Array, signal: AbortSignal | undefined): Promise<'ours' | 'theirs' | 'unknown'> {
    try {
      const there = await this.read(path, undefined, { signal })
      return there.length === data.length && there.every((b, i) => b === data[i]) ? 'ours' : 'theirs'
    } catch {
      return 'unknown'
    }
  }

  // Run a request, retrying failures that may pass within the retry policy.
  async #request<T>(spec: RequestSpec, handle: (ex: Exchange) => Promise<T>): Promise<T> {
    const started = Date.now()
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(spec, handle)
      } catch (e) {
        const failed = asFailure(e)
        const wait = failed.transient ? retryDelay(this.#retry, attempt, Date.now() - started, failed.retryAfterMs) : undefined
        if (wait === undefined) throw failed.error
        await sleep(wait, spec.signal, `The ${spec.op} of "${spec.path}"`)
      }
    }
  }

  // One attempt: sign, add the Range and conditional headers unless the signer set them, fetch,
  // map a failed status, and hand the answer to `handle`. Every failure leaves as an
  // AttemptFailure whose error holds none of the request's secrets.
  async #attempt<T>(spec: RequestSpec, handle: (ex: Exchange) => Promise<T>, extra?: [string, string]): Promise<T> {
    const ctx: FailureContext = { op: spec.op, path: spec.path, missingIs403: this.#missingIs403, ...(spec.ifAbsent ? { ifAbsent: true } : {}) }
    let secrets: string[] = []
    let ex: Exchange | undefined
    try {
      if (spec.signal?.aborted) throw new DeltaError('Cancelled', `The ${spec.op} of "${spec.path}" was cancelled.`)
      const target = joinKey(this.#root, spec.path)
      let signed
      try {
        signed = await this.#sign(spec.op, target, spec.sign)
      } catch (e) {
        throw errorFromSigner(e, ctx)
      }
      secrets = secretsOf(signed.url, signed.headers)
      checkUrl(signed.url, ctx)
      const headers = new Headers(signed.headers)
      const range = spec.sign.range
      if (range && !headers.has('Range')) headers.set('Range', `bytes=${range.offset}-${range.offset + range.length - 1}`)
      if (extra && !headers.has(extra[0])) headers.set(extra[0], extra[1])
      const write = spec.op === 'put' || spec.op === 'delete'
      // Ranged reads skip the browser cache: Chromium lets one request per URL through its cache
      // at a time, so the byte ranges of one file would be fetched one after another.
      const init: RequestInit = { method: signed.method ?? METHODS[spec.op], headers, cache: write || range ? 'no-store' : 'no-cache' }
      if (spec.body) init.body = spec.body as Uint8Array<ArrayBuffer>
      const grace = spec.body ? (spec.body.length / UPLOAD_BYTES_PER_SECOND) * 1000 : 0
      ex = await Exchange.open({ fetch: this.#fetch, url: signed.url, init, ctx, signal: spec.signal, stallMs: this.#stallMs, answerGraceMs: grace, secrets })
      const { status } = ex.response
      if (!ex.response.ok && !spec.accept?.(status)) {
        const body = spec.op === 'head' ? '' : await errorBody(ex)
        throw new AttemptFailure(errorFromStatus(status, body, ctx, secrets), isTransientStatus(status), retryAfterMs(ex.response.headers))
      }
      return await handle(ex)
    } catch (e) {
      const failed = asFailure(e)
      const fallback = `The ${spec.op} of "${spec.path}" failed.`
      throw new AttemptFailure(sanitizeError(failed.error, secrets, fallback), failed.transient, failed.retryAfterMs)
    } finally {
      ex?.close()
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) {
    throw new DeltaError('InvalidArgument', `HttpStorage option '${name}' must be a number above 0, got ${String(value)}.`)
  }
  return value
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
