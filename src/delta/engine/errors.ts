/**
 * What went wrong, as a stable code that survives the worker boundary. `Unavailable`: the
 * storage could not be reached or kept failing (5xx, 429, a stall, a cut connection) after the
 * retries its options allow; the same call may work later.
 */
export type DeltaErrorCode =
  | 'NotFound'
  | 'FileAlreadyExists'
  | 'CommitConflict'
  | 'UnsupportedFeature'
  | 'InvalidLog'
  | 'InvalidArgument'
  | 'InvalidData'
  | 'SchemaMismatch'
  | 'ConstraintViolation'
  | 'AccessDenied'
  | 'Cancelled'
  | 'Unavailable'
  | 'Internal'

/**
 * The one error type of the library. `code` says what kind of failure it is; the message says
 * what to do about it.
 */
export class DeltaError extends Error {
  override readonly name = 'DeltaError'
  /** The kind of failure; match on this, never on the message. */
  readonly code: DeltaErrorCode

  constructor(code: DeltaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** True when `e` is a DeltaError, optionally of the given code. */
export function isDeltaError(e: unknown, code?: DeltaErrorCode): e is DeltaError {
  return e instanceof DeltaError && (code === undefined || e.code === code)
}
