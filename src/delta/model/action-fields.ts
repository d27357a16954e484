import { storagePathProblem } from '../engine/storage.js'
import { invalidLog, type LogLocation } from './log-location.js'

// An absolute URI (`s3://...`, `file:/...`): resolved against the table where it is read, as
// absolute paths (`/data/x.parquet`) are.
const URI_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

/** A JSON object of the log (an action's body, or a checkpoint row converted to plain values). */
export type Json = Record<string, unknown>

/**
 * Typed reads of one action's fields, each refusing a missing required field or a value of the
 * wrong type with `InvalidLog` naming the action, the field, what was found and where (see
 * {@link LogLocation}). Longs come as JSON numbers, or as bigints from a Parquet checkpoint;
 * both must be whole numbers a double holds exactly (a size of `1e300` is refused, not rounded).
 */
export class FieldReader {
  constructor(readonly at: LogLocation) {}

  /** Refuse field `key` of `owner` (an action or a struct in one; none for an action itself). */
  fail(owner: string, key: string, expected: string, found: unknown): never {
    throw invalidLog(this.at, `${owner ? `${owner}.${key}` : key} must be ${expected}, found ${describeValue(found)}`)
  }

  string(v: unknown, owner: string, key: string, nonEmpty = false): string {
    if (typeof v !== 'string' || (nonEmpty && v === '')) this.fail(owner, key, nonEmpty ? 'a non-empty string' : 'a string', v)
    return v
  }

  /**
   * The path of a file action: a non-empty string, and when relative (no URI scheme, no leading
   * `/`) one that stays inside the table once decoded: no empty, `.` or `..` part. Removes are checked as adds
   * are read, so that `./x` or `%2e%2e/x` cannot silently fail to cancel an add.
   */
  filePath(v: unknown, owner: string, key: string): string {
    const path = this.string(v, owner, key, true)
    if (URI_SCHEME.test(path) || path.startsWith('/')) return path
    const problem = storagePathProblem(path)
    if (problem !== undefined) this.fail(owner, key, `a path inside the table (${problem})`, path)
    return path
  }

  optionalString(v: unknown, owner: string, key: string): string | null {
    if (v === null || v === undefined) return null
    if (typeof v !== 'string') this.fail(owner, key, 'a string when present', v)
    return v
  }

  /** A long at least `min` (none by default); bigints within 2^53 become numbers. */
  long(v: unknown, owner: string, key: string, min?: number): number {
    const n = toLong(v, min)
    if (n === undefined) this.fail(owner, key, longKind(min), v)
    return n
  }

  optionalLong(v: unknown, owner: string, key: string, min?: number): number | null {
    if (v === null || v === undefined) return null
    const n = toLong(v, min)
    if (n === undefined) this.fail(owner, key, `${longKind(min)} when present`, v)
    return n
  }

  boolean(v: unknown, owner: string, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(owner, key, 'true or false', v)
    return v
  }

  optionalBoolean(v: unknown, owner: string, key: string): boolean | null {
    if (v === null || v === undefined) return null
    if (typeof v !== 'boolean') this.fail(owner, key, 'true or false when present', v)
    return v
  }

  /** A JSON object (not a list, not null). */
  object(v: unknown, owner: string, key: string): Json {
    if (!isObject(v)) this.fail(owner, key, 'an object', v)
    return v
  }

  optionalObject(v: unknown, owner: string, key: string): Json | null {
    return v === null || v === undefined ? null : this.object(v, owner, key)
  }

  /** A map of string keys to string (or null) values. */
  stringMap(v: unknown, owner: string, key: string): Record<string, string | null> {
    if (!isObject(v)) this.fail(owner, key, 'a map of strings', v)
    for (const k in v) {
      const x = v[k]
      if (x !== null && typeof x !== 'string') this.fail(owner, `${key}[${JSON.stringify(k)}]`, 'a string or null', x)
    }
    return v as Record<string, string | null>
  }

  optionalStringMap(v: unknown, owner: string, key: string): Record<string, string | null> | null {
    return v === null || v === undefined ? null : this.stringMap(v, owner, key)
  }

  /** A list of strings (no nulls). */
  stringList(v: unknown, owner: string, key: string): string[] {
    if (!Array.isArray(v)) this.fail(owner, key, 'a list of strings', v)
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') this.fail(owner, `${key}[${i}]`, 'a string', v[i])
    return v as string[]
  }

  optionalStringList(v: unknown, owner: string, key: string): string[] | undefined {
    return v === null || v === undefined ? undefined : this.stringList(v, owner, key)
  }
}

/** True for a JSON object: not null, not a list, not a byte array. */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

/** The number of a long field: a whole number that a double holds exactly, at least `min`. */
export function toLong(v: unknown, min?: number): number | undefined {
  let n: number
  if (typeof v === 'number') n = v
  else if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return undefined
    n = Number(v)
  } else return undefined
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min)) return undefined
  return n
}

function longKind(min: number | undefined): string {
  if (min === 0) return 'a non-negative whole number'
  if (min === 1) return 'a positive whole number'
  return 'a whole number'
}

/**
 * A short description of a value for messages. Lists and objects are named, never serialised:
 * one may be nested deeper than JSON.stringify can follow.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (Array.isArray(v)) return 'a list'
  if (v instanceof Uint8Array) return 'bytes'
  return 'an object'
}
