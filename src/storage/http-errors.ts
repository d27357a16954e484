import { DeltaError } from '../delta/engine/errors.js'
import type { HttpOperation } from './http-signer.js'
import { describeFailure } from './redact.js'

/** What the error mapping needs to know about the failed request. */
export interface FailureContext {
  op: HttpOperation
  path: string
  /** The put was conditional, so 409/412 mean someone else created the file. */
  ifAbsent?: boolean
  /** The backend answers 403 for a missing object. */
  missingIs403?: boolean
}

// Words with which S3, Azure and GCS say that a signature or SAS is no longer (or never was) valid.
const EXPIRED = /expired|ExpiredToken|Signed expiry time/i
const AUTH_CODES = /AccessDenied|AuthenticationFailed|AuthorizationFailure|SignatureDoesNotMatch|InvalidAccessKeyId|ExpiredToken|AuthorizationPermissionMismatch/

/**
 * Whether a status says "try again": 408 and 429 (throttling), and the 5xx answers of a busy or
 * failing server (not 501 and 505, which will not change on a retry).
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
}

/** A `Retry-After` header (seconds or an HTTP date) in ms from `now`, or undefined. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('Retry-After')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

/**
 * Turn a failed answer into a DeltaError, from its status and the first bytes of its body. The
 * message names the path and the service's error code, never the URL: signed URLs carry
 * credentials.
 */
export function errorFromStatus(status: number, body: string, ctx: FailureContext, secrets: readonly string[] = []): DeltaError {
  const code = serviceCode(body, secrets)
  const what = `${ctx.op} of "${ctx.path}" (HTTP ${status}${code ? ` ${code}` : ''})`
  const expired = EXPIRED.test(body)
  if (status === 404) {
    return ctx.op === 'list'
      ? new DeltaError('NotFound', `The bucket or container was not found for ${what}; check the signer's bucket and endpoint.`)
      : new DeltaError('NotFound', `"${ctx.path}" was not found (${what}).`)
  }
  if (status === 416) {
    return new DeltaError('InvalidData', `The byte range asked lies past the end of "${ctx.path}" (${what}): the file is shorter than the log or its footer claims; it may be truncated, or the log names a wrong size.`)
  }
  // Only a bare denial can stand for a missing object; a bad or expired signature cannot.
  const bareDenial = code === '' || code === 'AccessDenied'
  if (status === 403 && ctx.missingIs403 && bareDenial && !expired && (ctx.op === 'get' || ctx.op === 'head')) {
    return new DeltaError('NotFound', `"${ctx.path}" was not found (the backend answers 403 for missing objects; ${what}).`)
  }
  if (ctx.ifAbsent && ctx.op === 'put' && (status === 412 || status === 409)) {
    return new DeltaError('FileAlreadyExists', `"${ctx.path}" already exists: another writer created it first (${what}).`)
  }
  if (expired && (status === 400 || status === 401 || status === 403)) {
    return new DeltaError('AccessDenied', `The signature for ${what} has expired; sign a fresh URL or get a new SAS token and retry.`)
  }
  if (status === 401 || status === 403 || (status === 400 && AUTH_CODES.test(code))) {
    return new DeltaError(
      'AccessDenied',
      `Access denied for ${what}; check that the signer's credentials are valid and allow ${ctx.op}, or, if the object may be missing and the credentials cannot list, set missingIs403.`,
    )
  }
  if (status >= 300 && status < 400) {
    // Following a redirect would send the request (and its signature) outside the table.
    return new DeltaError('InvalidArgument', `The server redirected the ${what} elsewhere; redirects are not followed, so that no request leaves the table: give the table's final location.`)
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new DeltaError('Unavailable', `The storage server failed the ${what}; retry later, or check the server if it keeps failing.`)
  }
  return new DeltaError('InvalidArgument', `The storage server refused the ${what}; check the table's URL and the signer's settings.`)
}

/** Wrap what a user-supplied signer threw as a DeltaError, keeping DeltaErrors as they are. */
export function errorFromSigner(e: unknown, ctx: FailureContext): DeltaError {
  if (e instanceof DeltaError) return e
  return new DeltaError('Internal', `The signer failed for ${ctx.op} of "${ctx.path}": ${describeFailure(e, [])}. Check the signer function.`, { cause: e })
}

// The service's own error code: <Code> in S3/Azure/GCS XML, error.status or error.code in JSON.
// Only a plain identifier is taken, so an answer cannot smuggle text into our messages, and not
// one that echoes a piece of the request's secrets.
function serviceCode(body: string, secrets: readonly string[]): string {
  const code = /<Code>([A-Za-z0-9._-]{1,64})<\/Code>/.exec(body)?.[1] ?? /"(?:status|reason)"\s*:\s*"([A-Za-z0-9._-]{1,64})"/.exec(body)?.[1] ?? ''
  return secrets.some((s) => s.includes(code) || code.includes(s)) ? '' : code
}
