// A small reader of Thrift's compact protocol, the encoding of Parquet page headers and page
// indexes. It exists to check those structures before parquet-wasm sees them, so every read is
// bounded: by the bytes given, by a nesting depth, and by what a value can claim to hold.

/** A decoded value: i8/i16/i32 as numbers, i64 as bigints, binary as bytes. */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftValue[] | ThriftStruct

/** A struct: its fields by field id. */
export type ThriftStruct = Map<number, ThriftValue>

/** Why bytes are not a well-formed compact-protocol struct. */
export class ThriftError extends Error {
  override readonly name = 'ThriftError'
}

const STOP = 0
const TRUE = 1
const FALSE = 2
const BYTE = 3
const I16 = 4
const I32 = 5
const I64 = 6
const DOUBLE = 7
const BINARY = 8
const LIST = 9
const SET = 10
const MAP = 11
const STRUCT = 12

/** Deeper nesting than Parquet's own structures ever use is refused rather than recursed into. */
const MAX_DEPTH = 16

/**
 * Read one struct starting at `offset`, never reading at or past `end`. Returns the struct and
 * where it ended. Throws `ThriftError` on anything malformed.
 */
export function readThriftStruct(bytes: Uint8Array, offset: number, end = bytes.length): { value: ThriftStruct; end: number } {
  const reader = new Reader(bytes, offset, Math.min(end, bytes.length))
  const value = reader.struct(0)
  return { value, end: reader.pos }
}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError(`structs nest deeper than ${MAX_DEPTH}`)
    const fields: ThriftStruct = new Map()
    let id = 0
    for (;;) {
      const head = this.byte()
      const type = head & 0x0f
      if (type === STOP) return fields
      const delta = head >> 4
      id = delta === 0 ? this.zigzag32() : id + delta
      if (id < -32768 || id > 32767) throw new ThriftError(`field id ${id} is out of range`)
      fields.set(id, type === TRUE || type === FALSE ? type === TRUE : this.value(type, depth))
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case BYTE:
        return (this.byte() << 24) >> 24
      case I16:
      case I32:
        return this.zigzag32()
      case I64:
        return this.zigzag64()
      case DOUBLE:
        this.take(8)
        return 0 // no Parquet structure we check holds a double that matters
      case BINARY: {
        const length = this.varint32()
        const at = this.take(length)
        return this.bytes.subarray(at, at + length)
      }
      case LIST:
      case SET:
        return this.list(depth)
      case MAP:
        return this.map(depth)
      case STRUCT:
        return this.struct(depth + 1)
      default:
        throw new ThriftError(`unknown field type ${type} at byte ${this.pos - 1}`)
    }
  }

  private list(depth: number): ThriftValue[] {
    const head = this.byte()
    const type = head & 0x0f
    const size = head >> 4 === 15 ? this.varint32() : head >> 4
    // Every element takes at least one byte: a larger count is a lie, refused before allocating.
    if (size > this.end - this.pos) throw new ThriftError(`a list claims ${size} elements in ${this.end - this.pos} bytes`)
    const out: ThriftValue[] = []
    for (let i = 0; i < size; i++) {
      // Booleans in a list are one byte each: 1 is true.
      out.push(type === TRUE || type === FALSE ? this.byte() === 1 : this.value(type, depth + 1))
    }
    return out
  }

  // Parquet has no maps; one is read (and dropped) only to step over it.
  private map(depth: number): ThriftValue[] {
    const size = this.varint32()
    if (size === 0) return []
    if (2 * size > this.end - this.pos) throw new ThriftError(`a map claims ${size} entries in ${this.end - this.pos} bytes`)
    const types = this.byte()
    for (let i = 0; i < size; i++) {
      this.value(types >> 4, depth + 1)
      this.value(types & 0x0f, depth + 1)
    }
    return []
  }

  private byte(): number {
    return this.bytes[this.take(1)]!
  }

  private take(n: number): number {
    if (n > this.end - this.pos) throw new ThriftError(`needs ${n} more bytes at byte ${this.pos}, the structure ends at ${this.end}`)
    const at = this.pos
    this.pos += n
    return at
  }

  private varint32(): number {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new ThriftError('a 32-bit varint overflows')
        return result
      }
    }
    throw new ThriftError('a 32-bit varint runs past 5 bytes')
  }

  private zigzag32(): number {
    const u = this.varint32()
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2
  }

  private zigzag64(): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte()
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) {
        if (result >= 1n << 64n) throw new ThriftError('a 64-bit varint overflows')
        return (result >> 1n) ^ -(result & 1n)
      }
    }
    throw new ThriftError('a 64-bit varint runs past 10 bytes')
  }
}

/** Field `id` of `s` as an integer (i32 or a safe i64), or undefined when absent or not one. */
export function intField(s: ThriftStruct, id: number): number | undefined {
  const v = s.get(id)
  if (typeof v === 'number') return v
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v)
  return undefined
}

/** Field `id` of `s` as a struct, or undefined. */
export function structField(s: ThriftStruct, id: number): ThriftStruct | undefined {
  const v = s.get(id)
  return v instanceof Map ? v : undefined
}

/** Field `id` of `s` as a list, or undefined. */
export function listField(s: ThriftStruct, id: number): ThriftValue[] | undefined {
  const v = s.get(id)
  return Array.isArray(v) ? v : undefined
}
