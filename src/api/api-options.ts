import { DeltaError } from '../delta/engine/errors.js'
import { checkOptions, WRITE_OPTIONS, type OptionChecks } from '../delta/ops/check-options.js'

/** The modes of `DeltaTable.create`. */
export const CREATE_MODES = ['error', 'ignore', 'overwrite'] as const

// Where a table lives: checked for shape only, the storage and codec check themselves.
const ENGINE_OPTIONS: OptionChecks = {
  storage: (v, key) => expectObject(v, key, 'a Storage (list, read, head, put, delete, capabilities)'),
  parquet: (v, key) => expectObject(v, key, 'a ParquetCodec (read, write)'),
  signal: (v, key) => {
    if (!isAbortSignal(v)) refuse(key, v, 'an AbortSignal')
  },
}

const OPEN_OPTIONS: OptionChecks = {
  version: (v, key) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) refuse(key, v, 'a version number (a whole number, 0 or more)')
  },
  timestamp: (v, key) => {
    if (!(v instanceof Date) && typeof v !== 'string' && typeof v !== 'number') refuse(key, v, 'a Date, an ISO date string or milliseconds since the epoch')
  },
  withoutFiles: (v, key) => {
    if (typeof v !== 'boolean') refuse(key, v, 'true or false')
  },
  ...ENGINE_OPTIONS,
}

const CREATE_OPTIONS: OptionChecks = {
  mode: (v, key) => {
    if (!(CREATE_MODES as readonly unknown[]).includes(v)) refuse(key, v, `one of ${CREATE_MODES.map((m) => `'${m}'`).join(', ')}`)
  },
  ...pick(WRITE_OPTIONS, ['schema', 'partitionBy', 'name', 'description', 'configuration', 'commitProperties', 'postCommitHookProperties', 'retryBudgetMs']),
  ...ENGINE_OPTIONS,
}

/**
 * Refuse unknown or ill-typed options of `DeltaTable.open` with `InvalidArgument`, as the
 * writing calls do: a typo such as `versoin` must not silently open the latest version.
 */
export function checkOpenOptions(opts: unknown): void {
  checkOptions('open', opts, OPEN_OPTIONS)
  const o = opts as { version?: unknown; timestamp?: unknown } | undefined
  if (o?.version !== undefined && o.timestamp !== undefined) {
    throw new DeltaError('InvalidArgument', 'give either version or timestamp to open a table, not both')
  }
}

/** Refuse unknown or ill-typed options of `DeltaTable.create`; a schema is required. */
export function checkCreateOptions(opts: unknown): void {
  checkOptions('create', opts, CREATE_OPTIONS)
  if ((opts as { schema?: unknown } | undefined)?.schema === undefined) {
    throw new DeltaError('InvalidArgument', "create needs a schema: { schema: { type: 'struct', fields: [...] } }")
  }
}

/** Refuse unknown or ill-typed options of `DeltaTable.isDeltaTable`. */
export function checkEngineOptions(operation: string, opts: unknown): void {
  checkOptions(operation, opts, ENGINE_OPTIONS)
}

function pick(checks: OptionChecks, keys: readonly string[]): OptionChecks {
  return Object.fromEntries(keys.map((k) => [k, checks[k]!]))
}

function isAbortSignal(v: unknown): boolean {
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return true
  // A signal of another realm (a worker's, a test environment's) is taken by its shape.
  const s = v as { aborted?: unknown; addEventListener?: unknown } | null
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function'
}

function expectObject(v: unknown, key: string, what: string): void {
  if (typeof v !== 'object' || v === null) refuse(key, v, what)
}

function refuse(key: string, value: unknown, what: string): never {
  throw new DeltaError('InvalidArgument', `option '${key}' must be ${what}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`)
}
