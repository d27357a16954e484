import { Float64, Int64, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow'

/** Rows a test asks the page to write: ids `start..start+count-1`, tagged with `label`. */
export interface RowSpec {
  start: number
  count: number
  label: string
}

/** An Arrow table of the rows: id (long), value (double, id / 2), label (string). */
export function makeRows(spec: RowSpec): Table {
  const ids = BigInt64Array.from({ length: spec.count }, (_, i) => BigInt(spec.start + i))
  return new Table({
    id: makeVector({ type: new Int64(), data: ids }),
    value: makeVector({ type: new Float64(), data: Float64Array.from(ids, (v) => Number(v) / 2) }),
    label: vectorFromArray(Array.from({ length: spec.count }, () => spec.label), new Utf8()),
  })
}
