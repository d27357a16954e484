import { DeltaError } from '../engine/errors.js'
import { RESERVED_COMMIT_INFO_KEYS } from '../txn/commit-info.js'
import { ISOLATION_LEVELS, PARQUET_COMPRESSIONS } from '../txn/options.js'
import { SCHEMA_MODES, WRITE_MODES } from '../write/write-options.js'

/** Checks one option's value; throws `InvalidArgument` naming `key` and what it accepts. */
type Check = (value: unknown, key: string) => void

/** The options an operation accepts, each with the check of its value. */
export type OptionChecks = Readonly<Record<string, Check>>

/** The options of every operation that commits. */
export const TRANSACTION_OPTIONS: OptionChecks = {
  commitProperties: checkCommitProperties,
  postCommitHookProperties: (v, key) => checkObject(v, key, { createCheckpoint: checkBoolean, cleanupExpiredLogs: checkBoolean }),
  isolationLevel: oneOf(ISOLATION_LEVELS),
  retryBudgetMs: (v, key) => checkNumber(v, key, 0),
}

/** The options of every operation that writes data files. */
export const DATA_WRITE_OPTIONS: OptionChecks = {
  writerProperties: (v, key) => checkObject(v, key, {
    compression: oneOf(PARQUET_COMPRESSIONS),
    maxRowGroupSize: (n, k) => checkNumber(n, k, 1, true),
  }),
  ...TRANSACTION_OPTIONS,
}

/** The options of `writeTable`. */
export const WRITE_OPTIONS: OptionChecks = {
  mode: oneOf(WRITE_MODES),
  schema: (v, key) => { if (!isPlainObject(v) || v.type !== 'struct' || !Array.isArray(v.fields)) fail(key, v, "a struct type: { type: 'struct', fields: [...] }") },
  partitionBy: checkStrings,
  predicate: (v, key) => checkPredicate(v, `option '${key}'`),
  schemaMode: oneOf(SCHEMA_MODES),
  name: checkString,
  description: checkString,
  configuration: checkStringMap,
  targetFileSize: (v, key) => checkNumber(v, key, 1),
  compression: oneOf(PARQUET_COMPRESSIONS),
  ...DATA_WRITE_OPTIONS,
}

/** The options of `deleteRows`. */
export const DELETE_OPTIONS: OptionChecks = DATA_WRITE_OPTIONS

/** The options of `updateRows`. */
export const UPDATE_OPTIONS: OptionChecks = {
  predicate: (v, key) => checkPredicate(v, `option '${key}'`),
  newValues: (v, key) => { if (!isPlainObject(v)) fail(key, v, 'an object of column: value') },
  ...DATA_WRITE_OPTIONS,
}

/** The options of `mergeRows`. */
export const MERGE_OPTIONS: OptionChecks = {
  predicate: (v, key) => checkPredicate(v, `option '${key}'`),
  sourceAlias: checkAlias,
  targetAlias: checkAlias,
  mergeSchema: checkBoolean,
  errorOnTypeMismatch: checkBoolean,
  ...DATA_WRITE_OPTIONS,
}

/** The options of `addConstraints`. */
export const ADD_CONSTRAINT_OPTIONS: OptionChecks = TRANSACTION_OPTIONS

/** The options of `dropConstraint`. */
export const DROP_CONSTRAINT_OPTIONS: OptionChecks = { raiseIfNotExists: checkBoolean, ...TRANSACTION_OPTIONS }

/**
 * Refuse options an operation does not know, or values it cannot take, with `InvalidArgument`
 * naming the option and what it accepts, before the operation reads or writes anything. A key
 * whose value is undefined counts as absent. Only the operation's own options are accepted:
 * a caller that mixes in its own (a Storage, a codec) strips them first.
 */
export function checkOptions(operation: string, opts: unknown, checks: OptionChecks): void {
  if (opts === undefined) return
  if (!isPlainObject(opts)) throw new DeltaError('InvalidArgument', `the ${operation} options must be an object, got ${describe(opts)}`)
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined) continue
    const check = checks[key]
    if (!check) {
      const known = Object.keys(checks)
      const near = closest(key, known)
      throw new DeltaError('InvalidArgument', `unknown ${operation} option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the ${operation} options are ${known.join(', ')}`)
    }
    check(value, key)
  }
}

/**
 * Refuse a predicate that is not a string or is blank, naming it as `label`: a blank one must
 * never pass for "no predicate", which means every row.
 */
export function checkPredicate(value: unknown, label: string): void {
  if (typeof value !== 'string') throw new DeltaError('InvalidArgument', `${label} must be a string, such as "id > 10"`)
  if (value.trim() === '') throw new DeltaError('InvalidArgument', `${label} is blank: give a condition, such as "id > 10"`)
}

export function oneOf(values: readonly string[]): Check {
  return (v, key) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(key, v, `one of ${values.map((x) => `'${x}'`).join(', ')}`)
  }
}

function checkAlias(v: unknown, key: string): void {
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) fail(key, v, 'a name of letters, digits and underscores, such as \'s\'')
}

export function checkBoolean(v: unknown, key: string): void {
  if (typeof v !== 'boolean') fail(key, v, 'true or false')
}

export function checkString(v: unknown, key: string): void {
  if (typeof v !== 'string') fail(key, v, 'a string')
}

export function checkStrings(v: unknown, key: string): void {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(key, v, 'an array of column names')
}

export function checkStringMap(v: unknown, key: string): void {
  if (!isPlainObject(v) || !Object.values(v).every((s) => typeof s === 'string')) fail(key, v, 'an object of string values')
}

export function checkNumber(v: unknown, key: string, min: number, integer = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    fail(key, v, `${integer ? 'an integer' : 'a number'} >= ${min}`)
  }
}

export function checkObject(v: unknown, key: string, fields: OptionChecks): void {
  if (!isPlainObject(v)) fail(key, v, `an object with ${Object.keys(fields).join(', ')}`)
  for (const [field, value] of Object.entries(v as Record<string, unknown>)) {
    if (value === undefined) continue
    const check = fields[field]
    if (!check) throw new DeltaError('InvalidArgument', `unknown option '${key}.${field}'; ${key} takes ${Object.keys(fields).join(', ')}`)
    check(value, `${key}.${field}`)
  }
}

function checkCommitProperties(v: unknown, key: string): void {
  checkObject(v, key, {
    customMetadata: (m, k) => {
      if (!isPlainObject(m)) fail(k, m, 'an object')
      const reserved = Object.keys(m as object).filter((name) => RESERVED_COMMIT_INFO_KEYS.has(name))
      if (reserved.length > 0) {
        throw new DeltaError('InvalidArgument', `${k} may not set ${reserved.map((r) => `'${r}'`).join(', ')}: the library writes those commitInfo fields itself`)
      }
    },
    appTransactions: (list, k) => {
      const ok = Array.isArray(list) && list.every((t) => isPlainObject(t) && typeof t.appId === 'string' && t.appId !== '' &&
        Number.isInteger(t.version) && (t.version as number) >= 0)
      if (!ok) fail(k, list, 'an array of { appId: string, version: integer >= 0 }')
    },
  })
}

export function fail(key: string, value: unknown, accepted: string): never {
  throw new DeltaError('InvalidArgument', `option '${key}' is ${describe(value)}; it takes ${accepted}`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The known name a typo most likely meant: at most two edits away. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}
