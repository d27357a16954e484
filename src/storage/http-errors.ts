import { DeltaError } from '../delta/engine/errors.js'
import type { HttpOperation } from './http-signer.js'

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
 * Turn a failed response into a DeltaError. The message names the path and the service's error
 * code, never the URL: signed URLs carry credentials.
 */
export async function errorFromResponse(res: Response, ctx: FailureContext): Promise<DeltaError> {
  const body = ctx.op === 'head' ? '' : await readSnippet(res)
  const code = serviceCode(body)
  const what = `${ctx.op} of "${ctx.path}" (HTTP ${res.status}${code ? ` ${code}` : ''})`
  const expired = EXPIRED.test(body)
  if (res.status === 404) {
    return ctx.op === 'list'
      ? new DeltaError('NotFound', `The bucket or container was not found for ${what}; check the signer's bucket and endpoint.`)
      : new DeltaError('NotFound', `"${ctx.path}" was not found (${what}).`)
  }
  // Only a bare denial can stand for a missing object; a bad or expired signature cannot.
  const bareDenial = code === '' || code === 'AccessDenied'
  if (res.status === 403 && ctx.missingIs403 && bareDenial && !expired && (ctx.op === 'get' || ctx.op === 'head')) {
    return new DeltaError('NotFound', `"${ctx.path}" was not found (the backend answers 403 for missing objects; ${what}).`)
  }
  if (ctx.ifAbsent && ctx.op === 'put' && (res.status === 412 || res.status === 409)) {
    return new DeltaError('FileAlreadyExists', `"${ctx.path}" already exists: another writer created it first (${what}).`)
  }
  if (expired && (res.status === 400 || res.status === 401 || res.status === 403)) {
    return new DeltaError('AccessDenied', `The signature for ${what} has expired; sign a fresh URL or get a new SAS token and retry.`)
  }
  if (res.status === 401 || res.status === 403 || (res.status === 400 && AUTH_CODES.test(code))) {
    return new DeltaError(
      'AccessDenied',
      `Access denied for ${what}; check that the signer's credentials are valid and allow ${ctx.op}, or, if the object may be missing and the credentials cannot list, set missingIs403.`,
    )
  }
  return new DeltaError('Internal', `The storage server failed the ${what}; retry later, or check the server if it keeps failing.`)
}

/** Wrap what `fetch` threw (network failure, CORS refusal, abort) as a DeltaError. */
export function errorFromFetchFailure(e: unknown, ctx: FailureContext): DeltaError {
  if (e instanceof DeltaError) return e
  if (e instanceof Error && e.name === 'AbortError') {
    return new DeltaError('Cancelled', `The ${ctx.op} of "${ctx.path}" was aborted.`, { cause: e })
  }
  const reason = e instanceof Error ? e.message : String(e)
  return new DeltaError(
    'Internal',
    `Could not reach the storage server for ${ctx.op} of "${ctx.path}" (${reason}). Check the network; in a browser, also check the bucket's CORS rules allow this origin, the method and the Range and If-None-Match headers.`,
    { cause: e },
  )
}

/** Wrap what a user-supplied signer threw as a DeltaError, keeping DeltaErrors as they are. */
export function errorFromSigner(e: unknown, ctx: FailureContext): DeltaError {
  if (e instanceof DeltaError) return e
  const reason = e instanceof Error ? e.message : String(e)
  return new DeltaError('Internal', `The signer failed for ${ctx.op} of "${ctx.path}": ${reason}. Check the signer function.`, { cause: e })
}

async function readSnippet(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 4000)
  } catch {
    return ''
  }
}

// The service's own error code: <Code> in S3/Azure/GCS XML, error.status or error.code in JSON.
function serviceCode(body: string): string {
  const xml = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1]
  if (xml) return xml
  const json = /"(?:status|reason)"\s*:\s*"([^"]{1,100})"/.exec(body)?.[1]
  return json ?? ''
}
