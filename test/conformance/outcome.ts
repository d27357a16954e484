import type { ManifestEntry } from './corpus.js'

/** A DeltaError as seen from outside: `name` and a string `code` (the class may be a copy). */
export interface DeltaLikeError {
  name: 'DeltaError'
  code: string
  message: string
}

/** True for the library's error type; any other exception is a failure of the reader. */
export function isDeltaLike(e: unknown): e is DeltaLikeError {
  return e instanceof Error && e.name === 'DeltaError' && typeof (e as { code?: unknown }).code === 'string'
}

/** An exception in a few readable lines: DeltaErrors by code, anything else with its stack head. */
export function describeError(e: unknown): string {
  if (isDeltaLike(e)) return `DeltaError(${e.code}): ${e.message}`
  if (e instanceof Error) return (e.stack ?? `${e.name}: ${e.message}`).split('\n').slice(0, 4).join('\n')
  return `non-Error thrown: ${String(e)}`
}

/**
 * Undefined when `run` rejects with a DeltaError, else what went wrong: it succeeded, or it
 * threw something that is not a DeltaError.
 */
export async function expectDeltaError(run: () => Promise<unknown>, reason: string): Promise<string | undefined> {
  try {
    await run()
  } catch (e) {
    return isDeltaLike(e) ? undefined : `expected a DeltaError (${reason}), got ${describeError(e)}`
  }
  return `expected an error (${reason}), but the read succeeded`
}

/**
 * The reader features a refusal may name for this table: the protocol's reader features plus
 * any `<name> reader feature` the notes mention.
 */
export function refusableFeatures(entry: ManifestEntry): string[] {
  const fromNotes = [...entry.notes.matchAll(/(\S+) reader feature/g)].map((m) => m[1]!)
  return [...new Set([...entry.readerFeatures, ...fromNotes])]
}

/**
 * True when `e` is an UnsupportedFeature refusal naming one of the table's reader features:
 * the one acceptable failure for a feature this library does not implement.
 */
export function isFeatureRefusal(e: unknown, entry: ManifestEntry): boolean {
  if (!isDeltaLike(e) || e.code !== 'UnsupportedFeature') return false
  return refusableFeatures(entry).some((f) => e.message.includes(f))
}
