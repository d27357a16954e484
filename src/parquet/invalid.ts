import { DeltaError } from '../delta/engine/errors.js'

/** How a file is named in messages: its path when the source has one. */
export function fileLabel(name: string | undefined): string {
  return name === undefined ? 'the Parquet file' : `Parquet file '${name}'`
}

/**
 * The error for a file that cannot be what it claims: `InvalidData`, naming the file and what is
 * wrong, so the reader can restore or rewrite that one file.
 */
export function invalidParquet(name: string | undefined, why: string, cause?: unknown): DeltaError {
  return new DeltaError(
    'InvalidData',
    `${fileLabel(name)} is not readable: ${why}. The file is corrupt, truncated or not the file the log ` +
      'describes: restore it from a backup, or remove it from the table',
    cause === undefined ? undefined : { cause },
  )
}

/** The message of any thrown value (wasm and hyparquet throw plain Errors or strings). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
