import { parseInterval } from '../../checkpoint/log-cleanup.js'
import { DeltaError } from '../../engine/errors.js'

/** Checks one table property's value; throws `InvalidArgument` naming the property. */
type PropertyCheck = (value: string, key: string) => void

function bad(key: string, value: string, accepted: string): never {
  throw new DeltaError('InvalidArgument', `table property ${key} is '${value}'; it takes ${accepted}`)
}

const isBoolean: PropertyCheck = (v, key) => {
  if (!/^(true|false)$/i.test(v.trim())) bad(key, v, "'true' or 'false'")
}

const isInterval: PropertyCheck = (v, key) => {
  parseInterval(v, `table property ${key}`)
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER): PropertyCheck {
  return (v, key) => {
    const n = Number(v.trim())
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) bad(key, v, `a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`)
  }
}

function oneOf(...values: string[]): PropertyCheck {
  return (v, key) => {
    if (!values.some((x) => x.toLowerCase() === v.trim().toLowerCase())) bad(key, v, `one of ${values.map((x) => `'${x}'`).join(', ')}`)
  }
}

const anyText: PropertyCheck = () => undefined

/**
 * The `delta.*` table properties this library knows, with the check of their values: booleans,
 * durations in Spark's interval syntax, whole numbers and enumerations, as delta-spark parses
 * them. A value that would not parse is refused rather than stored and ignored later.
 */
export const KNOWN_PROPERTIES: Readonly<Record<string, PropertyCheck>> = {
  'delta.appendOnly': isBoolean,
  'delta.enableChangeDataFeed': isBoolean,
  'delta.enableDeletionVectors': isBoolean,
  'delta.enableInCommitTimestamps': isBoolean,
  'delta.enableExpiredLogCleanup': isBoolean,
  'delta.enableTypeWidening': isBoolean,
  'delta.enableRowTracking': isBoolean,
  'delta.enableIcebergCompatV1': isBoolean,
  'delta.enableIcebergCompatV2': isBoolean,
  'delta.randomizeFilePrefixes': isBoolean,
  'delta.checkpoint.writeStatsAsJson': isBoolean,
  'delta.checkpoint.writeStatsAsStruct': isBoolean,
  'delta.tuneFileSizesForRewrites': isBoolean,
  'delta.autoOptimize.autoCompact': isBoolean,
  'delta.autoOptimize.optimizeWrite': isBoolean,
  'delta.compatibility.symlinkFormatManifest.enabled': isBoolean,
  'delta.logRetentionDuration': isInterval,
  'delta.deletedFileRetentionDuration': isInterval,
  'delta.setTransactionRetentionDuration': isInterval,
  'delta.checkpointRetentionDuration': isInterval,
  'delta.checkpointInterval': integer(1),
  'delta.dataSkippingNumIndexedCols': integer(-1),
  'delta.randomPrefixLength': integer(1),
  'delta.targetFileSize': integer(1),
  'delta.minReaderVersion': integer(1, 3),
  'delta.minWriterVersion': integer(1, 7),
  'delta.columnMapping.mode': oneOf('none', 'name', 'id'),
  'delta.checkpointPolicy': oneOf('classic', 'v2'),
  'delta.isolationLevel': oneOf('Serializable', 'WriteSerializable'),
  'delta.dataSkippingStatsColumns': anyText,
  'delta.universalFormat.enabledFormats': anyText,
}

/**
 * Properties the library keeps itself: set by the operations that own them (`addConstraints`,
 * column mapping, in-commit timestamps), never directly.
 */
const MANAGED: readonly [RegExp, string][] = [
  [/^delta\.constraints\./i, 'use addConstraints and dropConstraint'],
  [/^delta\.columnMapping\.maxColumnId$/i, 'it is kept by the library as columns are added'],
  [/^delta\.inCommitTimestampEnablement(Version|Timestamp)$/i, "it is set when delta.enableInCommitTimestamps becomes 'true'"],
]

/**
 * Check a property to set: managed ones are refused, known `delta.*` ones must hold a valid
 * value, `delta.feature.<name>` must be 'supported' or 'enabled', and other `delta.*` keys are
 * refused when `raiseIfNotExists` (a typo would otherwise be stored and never take effect).
 * Keys outside `delta.` are the user's and pass.
 */
export function checkProperty(key: string, value: string, raiseIfNotExists: boolean): void {
  for (const [pattern, why] of MANAGED) {
    if (pattern.test(key)) throw new DeltaError('InvalidArgument', `table property ${key} cannot be set directly: ${why}`)
  }
  if (!key.toLowerCase().startsWith('delta.')) return
  if (/^delta\.feature\./i.test(key)) {
    if (!/^(supported|enabled)$/i.test(value)) bad(key, value, "'supported' (use addFeature to add a feature)")
    return
  }
  const known = Object.keys(KNOWN_PROPERTIES).find((k) => k.toLowerCase() === key.toLowerCase())
  if (known) {
    if (known !== key) throw new DeltaError('InvalidArgument', `table property '${key}' is spelled '${known}'`)
    KNOWN_PROPERTIES[known]!(value, key)
  } else if (raiseIfNotExists) {
    throw new DeltaError('InvalidArgument', `unknown table property '${key}'; pass raiseIfNotExists: false to set it anyway`)
  }
}
