import { AwsV4Signer } from 'aws4fetch'
import { encodeKey, joinKey, trimBase, type HttpBackend, type HttpOperation, type SignOptions, type SignedRequest } from '../http-signer.js'

/** Where an S3 (or S3-compatible: R2, MinIO) table lives and the credentials to presign with. */
export interface S3SignerOptions {
  bucket: string
  region: string
  /** A custom endpoint such as `https://<account>.r2.cloudflarestorage.com`; addressed path-style. */
  endpoint?: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  /** The key prefix of the table's namespace in the bucket. */
  prefix?: string
  /** Lifetime of each presigned URL in seconds (default 300). */
  expiresIn?: number
  /** The credentials lack s3:ListBucket, so S3 answers 403 for a missing key. */
  missingIs403?: boolean
  /**
   * Whether the server honours `If-None-Match: *` on PUT (default true: AWS S3 since 2024, R2).
   * Set false for servers that ignore it, so the storage does not claim atomic commits.
   */
  ifNoneMatch?: boolean
}

/**
 * A backend that presigns every request with AWS SigV4 (query signing, via aws4fetch). The keys
 * are in this object: use it in Node or a trusted worker, with short-lived session credentials,
 * or write a signer that asks your server instead. Conditional puts sign `If-None-Match: *`.
 */
export function s3Signer(opts: S3SignerOptions): HttpBackend {
  const bucketUrl = s3BucketUrl(opts)
  const expires = String(opts.expiresIn ?? 300)
  const cache = new Map<string, ArrayBuffer>()
  const sign = async (op: HttpOperation, path: string, so: SignOptions): Promise<SignedRequest> => {
    const url = new URL(op === 'list' ? bucketUrl : `${bucketUrl}/${encodeKey(joinKey(opts.prefix ?? '', path))}`)
    if (op === 'list') url.search = s3ListQuery(opts.prefix ?? '', so).toString()
    url.searchParams.set('X-Amz-Expires', expires)
    const method = op === 'list' ? 'GET' : op.toUpperCase()
    const headers: Record<string, string> = so.ifAbsent && opts.ifNoneMatch !== false ? { 'If-None-Match': '*' } : {}
    const signer = new AwsV4Signer({
      method,
      url: url.toString(),
      headers,
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      ...(opts.sessionToken === undefined ? {} : { sessionToken: opts.sessionToken }),
      service: 's3',
      region: opts.region,
      signQuery: true,
      cache,
    })
    const signed = await signer.sign()
    return { url: signed.url.toString(), method, headers }
  }
  return {
    sign,
    listing: 's3',
    conditionalCreate: opts.ifNoneMatch === false ? 'none' : 'if-none-match',
    write: true,
    missingIs403: opts.missingIs403 ?? false,
  }
}

/**
 * The query of a ListObjectsV2 request for one folder: `list-type=2`, the prefix (under
 * `keyPrefix`), `/` as delimiter, `start-after` and the continuation token. Shared by the S3
 * signer and by plain HTTP servers that answer S3 listings.
 */
export function s3ListQuery(keyPrefix: string, so: SignOptions): URLSearchParams {
  const prefix = joinKey(keyPrefix, so.prefix ?? '')
  const query = new URLSearchParams({ 'list-type': '2', prefix: prefix === '' ? '' : `${prefix}/`, delimiter: '/' })
  if (so.startAfter !== undefined) query.set('start-after', joinKey(keyPrefix, so.startAfter))
  if (so.continuation !== undefined) query.set('continuation-token', so.continuation)
  return query
}

// Virtual-hosted on AWS; path-style for custom endpoints and for bucket names with dots
// (which break the TLS wildcard certificate).
function s3BucketUrl(opts: S3SignerOptions): string {
  if (opts.endpoint !== undefined) return `${trimBase(opts.endpoint)}/${encodeURIComponent(opts.bucket)}`
  if (opts.bucket.includes('.')) return `https://s3.${opts.region}.amazonaws.com/${encodeURIComponent(opts.bucket)}`
  return `https://${opts.bucket}.s3.${opts.region}.amazonaws.com`
}
