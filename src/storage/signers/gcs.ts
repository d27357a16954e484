import { joinKey, trimBase, type HttpBackend, type HttpOperation, type SignOptions, type SignedRequest } from '../http-signer.js'

/** The object operations a GCS signed URL is asked for. */
export type GcsObjectOperation = 'get' | 'head' | 'put' | 'delete'

/** Where a GCS table lives and how to get signed URLs for it. */
export interface GcsSignerOptions {
  bucket: string
  /** The object-name prefix of the table's namespace in the bucket. */
  prefix?: string
  /**
   * A V4 signed URL (XML API) for one operation on one object, usually from your backend (V4
   * signing needs the service account's RSA key). For a put with `ifAbsent`, sign the header
   * `x-goog-if-generation-match: 0`, which the storage sends.
   */
  signUrl: (op: GcsObjectOperation, objectName: string, opts: { ifAbsent?: boolean }) => string | Promise<string>
  /**
   * Listing through the JSON API, which signed URLs cannot reach: true for a bucket that allows
   * anonymous listing, or a function giving request headers (say a short-lived OAuth bearer
   * token from your backend). Omitted: no listing.
   */
  list?: boolean | (() => Record<string, string> | Promise<Record<string, string>>)
  /** Defaults to `https://storage.googleapis.com`. */
  endpoint?: string
  /** The credentials lack storage.objects.list, so GCS answers 403 for a missing object. */
  missingIs403?: boolean
}

/**
 * A backend on GCS signed URLs. Conditional creates send `x-goog-if-generation-match: 0`, which
 * GCS honours atomically (412 for the losers).
 */
export function gcsSigner(opts: GcsSignerOptions): HttpBackend {
  const prefix = opts.prefix ?? ''
  const listUrl = `${trimBase(opts.endpoint ?? 'https://storage.googleapis.com')}/storage/v1/b/${encodeURIComponent(opts.bucket)}/o`
  const sign = async (op: HttpOperation, path: string, so: SignOptions): Promise<SignedRequest> => {
    if (op === 'list') {
      const headers = typeof opts.list === 'function' ? await opts.list() : {}
      return { url: `${listUrl}?${listQuery(prefix, so)}`, headers }
    }
    const url = await opts.signUrl(op, joinKey(prefix, path), so.ifAbsent ? { ifAbsent: true } : {})
    return so.ifAbsent ? { url, headers: { 'x-goog-if-generation-match': '0' } } : { url }
  }
  return {
    sign,
    listing: opts.list ? 'gcs' : 'none',
    conditionalCreate: 'x-goog-if-generation-match',
    write: true,
    missingIs403: opts.missingIs403 ?? false,
  }
}

// startOffset is inclusive; the storage drops the start name itself.
function listQuery(prefix: string, so: SignOptions): string {
  const full = joinKey(prefix, so.prefix ?? '')
  const query = new URLSearchParams({ prefix: full === '' ? '' : `${full}/`, delimiter: '/' })
  if (so.startAfter !== undefined) query.set('startOffset', joinKey(prefix, so.startAfter))
  if (so.continuation !== undefined) query.set('pageToken', so.continuation)
  query.set('fields', 'items(name,size,updated),nextPageToken')
  return query.toString()
}
