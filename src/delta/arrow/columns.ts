import { Type, type Data, type Field, type Table } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'

/**
 * One record batch's worth of a (possibly nested) column: the leaf `Data` and which rows are
 * null, parents included (a field of a null struct is null). `nulls` is 1 for a null row, or
 * `null` when the chunk has no nulls at all (the fast paths skip the check then).
 */
export interface LeafChunk {
  readonly data: Data
  readonly length: number
  readonly nulls: Uint8Array | null
}

/** Null flags of one Data (1 = null), honouring its bit offset; null when nothing is null. */
export function nullMask(data: Data): Uint8Array | null {
  if (data.typeId === Type.Null) return new Uint8Array(data.length).fill(1)
  const bitmap = data.nullBitmap
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return null
  const out = new Uint8Array(data.length)
  const off = data.offset
  for (let i = 0; i < data.length; i++) {
    const p = off + i
    out[i] = (bitmap[p >> 3]! >> (p & 7)) & 1 ? 0 : 1
  }
  return out
}

function mergeNulls(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (!a) return b
  if (!b) return a
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!
  return out
}

function findByName<T extends { name: string }>(items: readonly T[], name: string): number {
  const exact = items.findIndex((f) => f.name === name)
  if (exact >= 0) return exact
  const lower = name.toLowerCase()
  return items.findIndex((f) => f.name.toLowerCase() === lower)
}

function missing(path: readonly string[], names: readonly Field[]): DeltaError {
  return new DeltaError(
    'SchemaMismatch',
    `the filter uses column '${path.join('.')}', which the data being filtered does not have (it has: ${names.map((f) => f.name).join(', ')}); read that column too`,
  )
}

/** Walk from a struct chunk down to the leaf named by `rest`, merging null flags on the way. */
function descend(data: Data, rest: readonly string[], path: readonly string[]): LeafChunk {
  let d = data
  let nulls = nullMask(d)
  for (const name of rest) {
    if (d.typeId !== Type.Struct) throw missing(path, [])
    const fields = (d.type as { children: Field[] }).children
    const idx = findByName(fields, name)
    if (idx < 0) throw missing(path, fields)
    d = d.children[idx]!
    nulls = mergeNulls(nulls, nullMask(d))
  }
  return { data: d, length: d.length, nulls }
}

/**
 * The chunks of the column at `path` (a top-level name, then struct fields), one per record
 * batch. The names match exactly first, then case-insensitively, as the filter resolved them.
 * `SchemaMismatch` when the table does not have the column.
 */
export function resolveColumnChunks(table: Table, path: readonly string[]): LeafChunk[] {
  const fields = table.schema.fields
  const idx = findByName(fields, path[0]!)
  if (idx < 0) throw missing(path, fields)
  const vector = table.getChildAt(idx)
  if (!vector) throw missing(path, fields)
  return vector.data.map((d) => descend(d, path.slice(1), path))
}
