import { makeVector, Struct, tableFromArrays, tableFromIPC, tableToIPC, type Data } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { compactStruct, copyData } from '../../../src/delta/arrow/copy-data.js'

/** Every buffer a Data and its children view. */
function buffersOf(d: Data): ArrayBufferLike[] {
  const own = [d.valueOffsets, d.values, d.nullBitmap, d.typeIds].filter((b) => b !== undefined && b !== null).map((b) => (b as Uint8Array).buffer)
  return [...own, ...d.children.flatMap(buffersOf)]
}

describe('copyData and compactStruct', () => {
  // Decoded from IPC, every column views one buffer: the whole message.
  const decoded = tableFromIPC(tableToIPC(tableFromArrays({ a: ['x', 'yy', 'zzz'], b: Float64Array.from([1, 2, 3]) })))
  const message = decoded.getChild('a')!.data[0]!.values.buffer

  it('copies into buffers of its own, even empty ones, with the same values', () => {
    const copy = copyData(decoded.getChild('a')!.data[0]!)
    expect(buffersOf(copy).some((b) => b === message)).toBe(false)
    expect(makeVector(copy).toArray()).toEqual(['x', 'yy', 'zzz'])
  })

  it('keeps only the struct fields some row uses, and nothing of the message', () => {
    const withNulls = tableFromIPC(tableToIPC(tableFromArrays({ s: [{ p: 'a', q: null }, { p: 'b', q: null }] as never })))
    const data = withNulls.getChild('s')!.data[0]! as Data<Struct>
    const compact = compactStruct(data)
    expect(compact.type.children.map((f) => f.name)).toEqual(['p'])
    expect(buffersOf(compact).some((b) => b === withNulls.getChild('s')!.data[0]!.children[0]!.values.buffer)).toBe(false)
    expect(compact.children[0]!.length).toBe(2)
  })
})
