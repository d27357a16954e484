import { Data, DataType, Struct } from 'apache-arrow'

/**
 * A deep copy of `data` into buffers of its own. Arrow data decoded from IPC are views into the
 * one buffer of the whole message: keeping one column alive keeps every column of the batch
 * alive. A copy lets the rest go.
 */
export function copyData<T extends DataType>(data: Data<T>): Data<T> {
  // Empty arrays too: an empty view still holds the whole buffer it views.
  const own = <A extends ArrayLike<unknown> & { slice(): A }>(b: A | undefined): A | undefined => b?.slice()
  return new Data(
    data.type, data.offset, data.length, data.nullCount,
    [own(data.valueOffsets), own(data.values), own(data.nullBitmap), own(data.typeIds)] as never,
    data.children.map((c) => copyData(c)),
    data.dictionary,
  )
}

/**
 * A copy of a struct column with only the fields that hold a value in some row (a field that is
 * null in every row reads the same as one that is absent), each in buffers of its own.
 */
export function compactStruct(data: Data<Struct>): Data<Struct> {
  const keep = data.type.children.map((_, i) => i).filter((i) => {
    const c = data.children[i]!
    return c.nullCount < c.length && !DataType.isNull(c.type)
  })
  const type = new Struct(keep.map((i) => data.type.children[i]!))
  const own = data.nullBitmap?.slice()
  return new Data(type, data.offset, data.length, data.nullCount, [undefined, undefined, own] as never, keep.map((i) => copyData(data.children[i]!)))
}
