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

/** Expect `f` to throw a DeltaError of `code`, its message matching `pattern` when given. */
export function expectDeltaError(f: () => unknown, code: string, pattern?: RegExp): void {
  const e = caught(f)
  if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`)
  if (pattern && !pattern.test(e.message)) throw new Error(`expected a message matching ${pattern}, got: ${e.message}`)
}
