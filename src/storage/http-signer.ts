import { DeltaError } from '../delta/engine/errors.js'

/** One storage operation, as a signer sees it. */
export type HttpOperation = 'get' | 'head' | 'put' | 'delete' | 'list'

/** What the signer may need to know beyond the operation and the path. */
export interface SignOptions {
  /** get: the byte range to be read (HttpStorage adds the `Range` header unless the signer does). */
  range?: { offset: number; length: number }
  /** put: create only if absent (HttpStorage adds the backend's conditional header unless the signer does). */
  ifAbsent?: boolean
  /** list: only names after this full path (signer namespace, i.e. root already joined). */
  startAfter?: string
  /** list: the listing prefix in signer namespace: `''` or a folder path ending in `/`. */
  prefix?: string
  /** list: the page token the previous page of this listing returned. */
  continuation?: string
}

/**
 * The request a signer produced. `url` may carry credentials (presigned query, SAS); the
 * storage never puts it into an error message.
 */
export interface SignedRequest {
  url: string
  /** Headers to send as they are; signed headers must be sent exactly as signed. */
  headers?: Record<string, string>
  /** Defaults to the operation's method (GET, HEAD, PUT, DELETE; GET for list). */
  method?: string
}

/**
 * Turns an operation on a path into a request. Supplied by the user so that keys never need to
 * reach the page: a signer may call the user's backend for a presigned URL. For `list`, `path`
 * is the folder and `opts.prefix` the listing prefix.
 */
export type Signer = (op: HttpOperation, path: string, opts: SignOptions) => SignedRequest | Promise<SignedRequest>

/** The listing format a backend answers with; `none` when it cannot list. */
export type ListingDialect = 's3' | 'azure' | 'gcs' | 'none'

/**
 * How a backend expresses "create only if absent": `if-none-match` sends `If-None-Match: *`
 * (S3, R2, Azure), `x-goog-if-generation-match` sends `x-goog-if-generation-match: 0` (GCS),
 * `none` has no atomic create (HttpStorage then checks with HEAD first, which can race).
 */
export type ConditionalCreate = 'if-none-match' | 'x-goog-if-generation-match' | 'none'

/**
 * A signer together with what its backend can do. The ready-made signers (`s3Signer`,
 * `azureSasSigner`, `gcsSigner`, `publicHttp`) return this, so the storage's capabilities follow
 * from the backend rather than from guesses.
 */
export interface HttpBackend {
  sign: Signer
  listing: ListingDialect
  conditionalCreate: ConditionalCreate
  /** Whether put and delete are possible at all. */
  write: boolean
  /**
   * The backend answers 403 for a missing object (S3 or GCS when the credentials lack list
   * permission): head/read then treat 403 as absent instead of AccessDenied.
   */
  missingIs403?: boolean
}

/** The header name and value that make a put conditional on absence, or undefined for `none`. */
export function conditionalHeader(kind: ConditionalCreate): [string, string] | undefined {
  if (kind === 'if-none-match') return ['If-None-Match', '*']
  if (kind === 'x-goog-if-generation-match') return ['x-goog-if-generation-match', '0']
  return undefined
}

/** Join path parts with `/`, dropping empty parts and stray slashes at the joins. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/')
}

/**
 * Percent-encode an object key for a URL path, keeping `/` as the separator. A `.` or `..` part
 * is refused: URL parsers resolve it (also as `%2e`), so the request would leave the prefix.
 */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((part) => {
      if (part === '.' || part === '..') {
        throw new DeltaError('InvalidArgument', `Invalid object key '${key}': a '.' or '..' part would step out of the table's prefix.`)
      }
      return encodeURIComponent(part)
    })
    .join('/')
}

/** `base` without trailing slashes, so that `${base}/${key}` has exactly one. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, '')
}
