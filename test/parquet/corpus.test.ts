import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { tableToIPC } from 'apache-arrow'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ByteSource, ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { corpusTablesDir, hasCorpus } from '../conformance/corpus.js'
import { rawValues } from './arrow-fixtures.js'

const tables = corpusTablesDir()
const present = hasCorpus()

/** Every Parquet data file of every table (change data included), never the _delta_log. */
function dataFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === '_delta_log' ? [] : dataFiles(path)
    return name.endsWith('.parquet') ? [path] : []
  })
}

function floorDiv(a: bigint, b: bigint): bigint {
  return a / b - (a % b < 0n ? 1n : 0n)
}

function fileSource(path: string): ByteSource {
  const bytes = new Uint8Array(readFileSync(path))
  return { size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) }
}

describe.skipIf(!present)('conformance corpus data files', () => {
  let whole: ParquetCodec
  let ranged: ParquetCodec
  beforeAll(async () => {
    whole = await nodeParquetCodec()
    ranged = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 0, footerGuess: 512 })
  })

  it('decodes every data file, ranged reads giving the same table as whole reads', async () => {
    const files = present ? dataFiles(tables) : []
    expect(files.length).toBeGreaterThan(600)
    for (const path of files) {
      const name = relative(tables, path)
      const a = await whole.read(fileSource(path)).catch((e: unknown) => {
        throw new Error(`${name}: ${String(e)}`)
      })
      const b = await ranged.read(fileSource(path))
      expect(b.numRows, name).toBe(a.numRows)
      expect(Buffer.from(tableToIPC(b)).equals(Buffer.from(tableToIPC(a))), name).toBe(true)
    }
  })

  it('decodes INT96 timestamps beyond the int64-nanosecond range (table_with_edge_timestamps)', async () => {
    const dir = join(tables, 'table_with_edge_timestamps')
    const values = new Map<string, unknown[]>()
    for (const path of dataFiles(dir).sort()) {
      const t = await whole.read(fileSource(path))
      expect(String(t.getChild('BIG_DATE')!.type)).toBe('Timestamp<MICROSECOND>')
      for (const col of ['BIG_DATE', 'NORMAL_DATE', 'SOME_VALUE']) values.set(col, [...(values.get(col) ?? []), ...rawValues(t, col)])
    }
    expect(values.get('SOME_VALUE')).toEqual([1, 2])
    // 9999-12-31 and 9999-12-30, 2022-01-01 and 2022-02-01, as microseconds since the epoch
    expect(values.get('BIG_DATE')).toEqual([253402214400000000n, 253402128000000000n])
    expect(values.get('NORMAL_DATE')).toEqual([1640995200000000n, 1643673600000000n])
  })

  it('decodes every INT96 column of the corpus to the instants hyparquet reads', async () => {
    let checked = 0
    for (const path of dataFiles(tables)) {
      const bytes = new Uint8Array(readFileSync(path))
      const metadata = parquetMetadata(bytes)
      const int96 = metadata.schema.filter((e) => e.type === 'INT96').map((e) => e.name)
      if (int96.length === 0) continue
      const rows = await parquetReadObjects({ file: bytes.slice().buffer, columns: int96, parsers: { timestampFromNanoseconds: (n: bigint) => n } })
      const table = await whole.read(fileSource(path), { columns: int96 })
      for (const col of int96) {
        const expected = rows.map((r) => (typeof r[col] === 'bigint' ? floorDiv(r[col] as bigint, 1000n) : null))
        expect(rawValues(table, col), `${relative(tables, path)} ${col}`).toEqual(expected)
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20)
  })
})
