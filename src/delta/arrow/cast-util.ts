import { Data, type DataType } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { PrimitiveType } from '../model/schema.js'
import { isValidRow } from './bitmap.js'

/** The error for a file column whose type cannot become the Delta type. */
export function castError(path: string, from: DataType, to: PrimitiveType | string, why?: string): DeltaError {
  return new DeltaError(
    'InvalidData',
    `column '${path}' is ${String(from)} in the data file, which cannot be read as Delta type ${to}` +
      `${why ? ` (${why})` : ''}; the file does not match the table schema: check that it was written for this table`,
  )
}

/** The same buffers under another (equivalent) type: zero-copy. */
export function relabel(data: Data, type: DataType): Data {
  return data.type === type ? data : data.clone(type)
}

/**
 * New row-aligned values (`values[i]` is row i of the slice) under `type`, keeping the source
 * validity bitmap and offset as they are: no copy of the nulls.
 */
export function withValues(data: Data, type: DataType, values: unknown, offsets?: unknown): Data {
  return new Data(type, data.offset, data.length, data.nullCount, [offsets, values, data.nullBitmap])
}

/**
 * Throw `castError` for a value that does not convert, unless its row is null (a null slot
 * may hold anything). Call only on failure: building `why` for every row would cost more than
 * the conversion.
 */
export function rejectRow(data: Data, row: number, path: string, to: PrimitiveType, why: string): void {
  if (isValidRow(data, row)) throw castError(path, data.type, to, why)
}
