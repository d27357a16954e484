import { DeltaError } from '../../engine/errors.js'
import type { PrimitiveType } from '../../model/schema.js'
import { HIVE_DEFAULT_PARTITION, parsePartitionValue } from '../../values/partition-value.js'

/** A Parquet file to convert: its storage path and the partition values its folders name. */
export interface PartitionedFile {
  path: string
  /** Column -> value as the folder holds it, Hive escapes undone; null for `__HIVE_DEFAULT_PARTITION__`. */
  partitionValues: Record<string, string | null>
}

/** Undo Hive's escaping of a folder name or value (`a%2Fb` is `a/b`); malformed escapes stay. */
export function unescapePathName(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

/**
 * The partition values of a file from its `key=value` folders, checked against the partition
 * columns: every folder must be `key=value` with a key among `columns` (once), every column must
 * have its folder, and every value must parse as its column's type. Anything else is
 * `InvalidArgument` naming the file.
 */
export function partitionValuesOf(path: string, columns: Readonly<Record<string, PrimitiveType>>): PartitionedFile {
  const folders = path.split('/').slice(0, -1)
  const values: Record<string, string | null> = {}
  for (const folder of folders) {
    const eq = folder.indexOf('=')
    if (eq <= 0) throw new DeltaError('InvalidArgument', `'${path}' lies in folder '${folder}', which is not a 'column=value' partition folder`)
    const key = unescapePathName(folder.slice(0, eq))
    const raw = unescapePathName(folder.slice(eq + 1))
    if (!(key in columns)) {
      const known = Object.keys(columns)
      throw new DeltaError('InvalidArgument', `'${path}' lies in partition folder '${folder}', but '${key}' is not a partition column (${known.length > 0 ? `partitionBy names ${known.join(', ')}` : 'give partitionBy to convert a partitioned folder'})`)
    }
    if (key in values) throw new DeltaError('InvalidArgument', `'${path}' names partition column '${key}' twice`)
    values[key] = raw === HIVE_DEFAULT_PARTITION || raw === '' ? null : raw
    checkValue(path, key, values[key]!, columns[key]!)
  }
  const missing = Object.keys(columns).filter((c) => !(c in values))
  if (missing.length > 0) {
    throw new DeltaError('InvalidArgument', `'${path}' is not under a folder for partition column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}: every file must lie in a 'column=value' folder for each partition column`)
  }
  return { path, partitionValues: values }
}

function checkValue(path: string, key: string, raw: string | null, type: PrimitiveType): void {
  try {
    parsePartitionValue(raw, type)
  } catch {
    throw new DeltaError('InvalidArgument', `'${path}' gives partition column '${key}' the value '${raw}', which is not a valid ${type}`)
  }
}
