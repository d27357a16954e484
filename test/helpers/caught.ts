import { isDeltaError, type DeltaError } from '../../src/delta/engine/errors.js'

/** The DeltaError `f` throws; any other outcome fails the test. */
export function caught(f: () => unknown): DeltaError {
  try {
    f()
  } catch (e) {
    if (isDeltaError(e)) return e
    throw e
  }
  throw new Error('expected a DeltaError')
}
