import { RecordBatch, Table } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { StructType } from '../model/schema.js'
import { inferTable } from './infer.js'

/**
 * What a write accepts: an Arrow table or batch, an iterable or async iterable of record
 * batches (streamed, never gathered whole), or an array of plain objects (schema inferred, or
 * taken from the table being appended to).
 */
export type WriteData =
  | Table
  | RecordBatch
  | Iterable<RecordBatch>
  | AsyncIterable<RecordBatch>
  | readonly Record<string, unknown>[]

/**
 * The batches of the input, one at a time. Plain objects become one Arrow table, typed by
 * `schema` when the table already has one.
 */
export async function* inputBatches(data: WriteData, schema?: StructType): AsyncGenerator<RecordBatch> {
  if (data instanceof Table) {
    yield* data.batches
    return
  }
  if (data instanceof RecordBatch) {
    yield data
    return
  }
  if (Array.isArray(data)) {
    if (data.length === 0 || !(data[0] instanceof RecordBatch)) {
      yield* inferTable(data as readonly Record<string, unknown>[], schema).batches
      return
    }
  }
  if (isAsyncIterable(data)) {
    for await (const b of data) yield checkBatch(b)
    return
  }
  if (isIterable(data)) {
    for (const b of data) yield checkBatch(b)
    return
  }
  throw new DeltaError('InvalidArgument', 'data must be an Arrow Table, a RecordBatch, an (async) iterable of RecordBatches, or an array of objects')
}

function checkBatch(b: unknown): RecordBatch {
  if (b instanceof RecordBatch) return b
  throw new DeltaError('InvalidArgument', 'every item of the data iterable must be an Arrow RecordBatch')
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof (x as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function'
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return typeof (x as Iterable<unknown>)?.[Symbol.iterator] === 'function'
}
