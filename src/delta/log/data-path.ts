import { DeltaError } from '../engine/errors.js'
import { storagePathProblem } from '../engine/storage.js'

/**
 * A URI scheme at the start of a string (`s3:`, `file:`, `abfss:`). Two characters at least, so
 * that a Windows drive letter (`C:\data`) is not taken for one.
 */
export const URI_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/

/**
 * The path of an absolute URI relative to the table URI, decoded once (a storage path), or
 * undefined when the URI is not under the table root or either side does not parse as a URL.
 * Both sides are compared as URLs: scheme, user and host (for `file:`, no host and `localhost`
 * are the same) and the decoded path. So the forms writers use for one file agree:
 * `file:/data/t/x` (Spark, Hadoop), `file://localhost/data/t/x` and `file:///data/t/x`, with
 * `%20` or a space alike. A path that is not valid URI encoding fails with `InvalidLog`.
 */
export function relativeToTable(uri: string, tableUri: string | undefined): string | undefined {
  if (tableUri === undefined) return undefined
  const file = parseUrl(uri)
  const root = parseUrl(tableUri)
  if (!file || !root || authority(file) !== authority(root)) return undefined
  const base = decodeUriPath(root.pathname, tableUri, true).replace(/\/+$/, '')
  const path = decodeUriPath(file.pathname, uri)
  if (!path.startsWith(`${base}/`) || path.length <= base.length + 1) return undefined
  // `..%2F` decodes into a step out of the root that the URL parser did not see.
  const relative = path.slice(base.length + 1)
  return storagePathProblem(relative) === undefined ? relative : undefined
}

/**
 * The storage path of a file named in the log. Paths in the log are URIs (RFC 2396): relative
 * ones are decoded once (`x=A%252FA` names the folder `x=A%2FA`) and joined to the table root;
 * one that would leave the root (`..` or empty parts, also percent-encoded) is `InvalidLog`.
 * Absolute URIs are accepted when they point inside the table (see {@link relativeToTable});
 * others fail with `UnsupportedFeature` naming the path, since storage is scoped to the table.
 */
export function resolveDataPath(logPath: string, tableUri?: string): string {
  if (!URI_SCHEME.test(logPath)) return insideTable(decodeUriPath(logPath, logPath), logPath)
  const relative = relativeToTable(logPath, tableUri)
  if (relative === undefined) {
    throw new DeltaError('UnsupportedFeature', `the log names a data file outside the table by absolute path: '${logPath}'; only files under the table root${tableUri ? ` ${tableUri}` : ''} can be read`)
  }
  return relative
}

/**
 * The absolute URI of a file named in the log, for users (`fileUris()`).
 *
 * - `file:` tables: the file's `file:` URI, percent-encoded as `pathToFileURL` does, so that
 *   `fileURLToPath` gives the file's real path (a folder `p=x%2Fy` on disk comes back as `p=x%2Fy`).
 * - Other schemes: the table URI and the file's storage path (the log path decoded once, as the
 *   library reads it), each segment as the object store keys it: `s3://b/t/p=a b/part-0.parquet`.
 * - Files outside the table: the log's URI (normalised for `file:`, decoded once otherwise).
 * - No table URI (a storage opened under a label): `fallbackRoot` joined with the storage path.
 */
export function dataFileUri(logPath: string, tableUri: string | undefined, fallbackRoot: string): string {
  const isAbsolute = URI_SCHEME.test(logPath)
  const relative = isAbsolute ? relativeToTable(logPath, tableUri) : insideTable(decodeUriPath(logPath, logPath), logPath)
  if (relative === undefined) return isFileUri(logPath) ? normalisedFileUri(logPath) : decodeUriPath(logPath, logPath)
  if (tableUri === undefined) return joinPath(fallbackRoot, relative)
  if (isFileUri(tableUri)) return normalisedFileUri(`${tableUri.replace(/\/+$/, '')}/${relative.split('/').map(encodeFileSegment).join('/')}`)
  return joinPath(decodeUriPath(tableUri, tableUri, true), relative)
}

/**
 * A relative path of the log, decoded, when it stays under the table root; else `InvalidLog`
 * naming it (`../x`, `%2e%2e/x`, `a/../../x`, `a//b`, a leading `/`): a relative path is relative
 * to the table root, and no file outside it may be read as the table's.
 */
function insideTable(decoded: string, logPath: string): string {
  const problem = storagePathProblem(decoded)
  if (problem !== undefined) {
    throw new DeltaError('InvalidLog', `the log names the file '${logPath}', which is not a path inside the table (${problem}); the log is damaged or hostile`)
  }
  return decoded
}

function joinPath(base: string, relative: string): string {
  const root = base.replace(/\/+$/, '')
  return root === '' ? relative : `${root}/${relative}`
}

function isFileUri(uri: string): boolean {
  return /^file:/i.test(uri)
}

// The ASCII characters that Node's `pathToFileURL` percent-encodes in a path segment besides
// controls (`%`, `#`, `?` and `\` would otherwise read as syntax); the URL parser then encodes
// non-ASCII as UTF-8.
const FILE_URL_ESCAPED = new Set(' "#%<>?[\\]^`{|}~')

function encodeFileSegment(segment: string): string {
  let out = ''
  for (const c of segment) {
    const code = c.charCodeAt(0)
    out += code < 0x20 || code === 0x7f || FILE_URL_ESCAPED.has(c) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c
  }
  return out
}

function normalisedFileUri(uri: string): string {
  return parseUrl(uri)?.href ?? uri
}

function parseUrl(uri: string): URL | undefined {
  try {
    return new URL(uri)
  } catch {
    return undefined
  }
}

function authority(url: URL): string {
  const host = url.protocol === 'file:' && url.host === 'localhost' ? '' : url.host
  return `${url.protocol}//${url.username}:${url.password}@${host}`
}

function decodeUriPath(path: string, named: string, isTableUri = false): string {
  try {
    return decodeURIComponent(path)
  } catch (e) {
    if (isTableUri) throw new DeltaError('InvalidArgument', `the table URI '${named}' is not valid URI encoding: write a '%' as %25`, { cause: e })
    throw new DeltaError('InvalidLog', `the log names a file with an invalid URI path: '${named}'`, { cause: e })
  }
}
