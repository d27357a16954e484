import {
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  type Data,
} from 'apache-arrow'
import { parquetRead, type AsyncBuffer, type ColumnData, type FileMetaData } from 'hyparquet'
import { DeltaError } from '../delta/engine/errors.js'
import { errorText } from './footer.js'
import { isSelected, leafColumns, type ReadSelection } from './read-plan.js'

/**
 * The selected top-level columns stored as INT96 (legacy Spark/Hive timestamps). parquet-wasm
 * 0.8 decodes these to int64 nanoseconds and silently wraps outside 1677..2262, so they are
 * decoded separately. A selected INT96 inside a struct, list or map is refused by name; leaving
 * it out of the selection (`add.path` instead of `add`) reads the rest.
 */
export function findInt96Columns(metadata: FileMetaData, selection: ReadSelection): string[] {
  const found: string[] = []
  for (const { path, type, repeated } of leafColumns(metadata)) {
    if (type !== 'INT96' || !isSelected(selection, path)) continue
    if (path.length > 1 || repeated) {
      throw new DeltaError(
        'UnsupportedFeature',
        `column "${path.join('.')}" holds an INT96 timestamp inside a nested type, which this reader cannot ` +
          'decode correctly; leave the column out of the read or rewrite the file with int64 timestamps',
      )
    }
    found.push(path[0]!)
  }
  return found
}

/**
 * Decode INT96 columns with hyparquet into Arrow Timestamp(MICROSECOND) data (no time zone, as
 * parquet-wasm types them), one chunk per column covering the selection's rows in order.
 */
export async function readInt96Columns(
  file: AsyncBuffer,
  metadata: FileMetaData,
  names: string[],
  selection: ReadSelection,
): Promise<Map<string, Data<TimestampMicrosecond>>> {
  const columns = new Map(names.map((name) => [name, new Int96Builder(selection.numRows)]))
  let base = 0
  for (const [runStart, runEnd] of rowRuns(metadata, selection)) {
    const place = (chunk: ColumnData) => {
      const builder = columns.get(chunk.columnName)
      const from = Math.max(chunk.rowStart, runStart)
      const to = Math.min(chunk.rowEnd, runEnd)
      for (let row = from; row < to; row++) builder?.set(base + row - runStart, chunk.columnData[row - chunk.rowStart])
    }
    await readChunks(file, metadata, names, runStart, runEnd, place)
    base += runEnd - runStart
  }
  return new Map(names.map((name) => [name, columns.get(name)!.finish(name)]))
}

/** Values and validity of one INT96 column, filled row by row. */
class Int96Builder {
  private readonly values: BigInt64Array
  private readonly valid: Uint8Array
  private filled = 0
  private nulls = 0

  constructor(private readonly length: number) {
    this.values = new BigInt64Array(length)
    this.valid = new Uint8Array(Math.ceil(length / 8))
  }

  set(row: number, value: unknown): void {
    this.filled++
    if (typeof value === 'bigint') {
      this.values[row] = value
      this.valid[row >> 3]! |= 1 << (row & 7)
    } else {
      this.nulls++
    }
  }

  finish(name: string): Data<TimestampMicrosecond> {
    if (this.filled !== this.length) {
      throw new DeltaError(
        'InvalidData',
        `INT96 column "${name}" has ${this.filled} values where the footer promises ${this.length}; the file is corrupt`,
      )
    }
    const nullBitmap = this.nulls > 0 ? this.valid : undefined
    const type = new TimestampMicrosecond()
    return makeData({ type, length: this.length, nullCount: this.nulls, nullBitmap, data: this.values })
  }
}

/** Row ranges `[start, end)` of the selected row groups, adjacent groups joined. */
function rowRuns(metadata: FileMetaData, selection: ReadSelection): [number, number][] {
  const runs: [number, number][] = []
  let start = 0
  metadata.row_groups.forEach((group, g) => {
    const end = start + Number(group.num_rows)
    if (!selection.rowGroups || selection.rowGroups.includes(g)) {
      const last = runs[runs.length - 1]
      if (last && last[1] === start) last[1] = end
      else runs.push([start, end])
    }
    start = end
  })
  return runs
}

/** Decode `columns` over rows `[rowStart, rowEnd)`, column-wise; chunks may overhang the range. */
async function readChunks(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  rowStart: number,
  rowEnd: number,
  onChunk: (chunk: ColumnData) => void,
): Promise<void> {
  try {
    await parquetRead({
      file,
      metadata,
      columns,
      rowStart,
      rowEnd,
      parsers: { timestampFromNanoseconds: nanosToMicros },
      onChunk,
    })
  } catch (e) {
    throw int96Failure(metadata, columns, e)
  }
}

/** Nanoseconds to microseconds, rounding down so instants before 1970 stay in their microsecond. */
function nanosToMicros(nanos: bigint): bigint {
  const q = nanos / 1000n
  return nanos % 1000n < 0n ? q - 1n : q
}

function int96Failure(metadata: FileMetaData, columns: string[], e: unknown): DeltaError {
  const text = errorText(e)
  if (/compression|codec/i.test(text)) {
    const codecs = new Set(
      metadata.row_groups.flatMap((g) =>
        g.columns.filter((c) => columns.includes(c.meta_data?.path_in_schema[0] ?? '')).map((c) => c.meta_data?.codec),
      ),
    )
    return new DeltaError(
      'UnsupportedFeature',
      `INT96 timestamp column(s) ${columns.map((c) => `"${c}"`).join(', ')} are compressed with ` +
        `${[...codecs].join('/')}, which the INT96 decoder cannot decompress (it reads uncompressed and ` +
        'snappy INT96 columns); leave the column out of the read or rewrite the file with snappy',
      { cause: e },
    )
  }
  return new DeltaError('InvalidData', `could not decode INT96 column(s) ${columns.join(', ')}: ${text}`, {
    cause: e,
  })
}

/**
 * The same table with the named columns replaced by `replacements` (sliced to each record batch)
 * and typed accordingly; field names, nullability and metadata are kept.
 */
export function replaceColumns(table: Table, replacements: Map<string, Data<TimestampMicrosecond>>): Table {
  const fields = table.schema.fields.map((f) => {
    const r = replacements.get(f.name)
    return r ? new Field(f.name, r.type, f.nullable, f.metadata) : f
  })
  const schema = new Schema(fields, table.schema.metadata)
  let offset = 0
  const batches = table.batches.map((batch) => {
    const children = batch.schema.fields.map((f, i) => {
      const r = replacements.get(f.name)
      return r ? r.slice(offset, batch.numRows) : batch.data.children[i]!
    })
    offset += batch.numRows
    const data = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children })
    return new RecordBatch(schema, data)
  })
  return new Table(schema, batches)
}
