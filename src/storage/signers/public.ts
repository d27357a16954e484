import { encodeKey, joinKey, trimBase, type HttpBackend, type HttpOperation, type SignOptions, type SignedRequest } from '../http-signer.js'
import { s3ListQuery } from './s3.js'

/** Options of a plain, read-only HTTP backend. */
export interface PublicHttpOptions {
  /**
   * `s3` when the server at `baseUrl` answers S3 ListObjectsV2 (`?list-type=2`), as a public
   * S3/R2 bucket or the test server does; `none` (default) otherwise.
   */
  listing?: 's3' | 'none'
  /** The server answers 403 for missing files (a public bucket without public listing). */
  missingIs403?: boolean
}

/**
 * A read-only backend on plain, unsigned URLs: `${baseUrl}/${path}`. No writes, so no atomic
 * create; no listing unless the server speaks S3 ListObjectsV2.
 */
export function publicHttp(baseUrl: string, opts: PublicHttpOptions = {}): HttpBackend {
  const base = trimBase(baseUrl)
  const sign = (op: HttpOperation, path: string, so: SignOptions): SignedRequest => {
    if (op !== 'list') return { url: `${base}/${encodeKey(joinKey(path))}` }
    const url = new URL(base)
    url.search = s3ListQuery('', so).toString()
    return { url: url.toString() }
  }
  return {
    sign,
    listing: opts.listing ?? 'none',
    conditionalCreate: 'none',
    write: false,
    missingIs403: opts.missingIs403 ?? false,
  }
}
