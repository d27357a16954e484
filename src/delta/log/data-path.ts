import { DeltaError } from '../engine/errors.js'

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

/**
 * The storage path of a file named in the log. Paths in the log are URIs (RFC 2396): relative
 * ones are decoded once (`x=A%252FA` names the folder `x=A%2FA`) and joined to the table root.
 * Absolute URIs are accepted when they point inside the table (`tableUri` prefix).
 */
export function resolveDataPath(logPath: string, tableUri?: string): string {
  if (SCHEME.test(logPath)) {
    const decoded = safeDecode(logPath)
    // Both sides decoded: the table URI is a URI too (`file:///data/my%20table`).
    const base = tableUri === undefined ? undefined : safeDecode(tableUri).replace(/\/+$/, '')
    if (base && decoded.startsWith(`${base}/`)) return decoded.slice(base.length + 1)
    throw new DeltaError('UnsupportedFeature', `the log names a data file outside the table by absolute path: '${logPath}'`)
  }
  return safeDecode(logPath)
}

/**
 * The absolute, decoded URI of a file named in the log: an absolute path as the log gives it
 * (decoded), a relative one joined to the table URI (or to `fallbackRoot` when the table URI is
 * unknown, such as a table opened on a storage under a label).
 */
export function dataFileUri(logPath: string, tableUri: string | undefined, fallbackRoot: string): string {
  if (SCHEME.test(logPath)) return safeDecode(logPath)
  const base = (tableUri === undefined ? fallbackRoot : safeDecode(tableUri)).replace(/\/+$/, '')
  return base === '' ? safeDecode(logPath) : `${base}/${safeDecode(logPath)}`
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch (e) {
    throw new DeltaError('InvalidLog', `the log names a file with an invalid URI path: '${path}'`, { cause: e })
  }
}
