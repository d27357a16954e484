import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { convertToDeltaLake, DeltaTable } from '../../src/index-node.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'

const root = mkdtempSync(join(tmpdir(), 'convert-api-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('convertToDeltaLake', () => {
  it('turns a local folder of Hive-partitioned Parquet into a table that reads back the same rows', async () => {
    const parquet = await nodeParquetCodec()
    const storage = new NodeFsStorage(root)
    for (const [region, ids] of [['EU', [1, 2]], ['US', [3]]] as const) {
      mkdirSync(join(root, `region=${region}`))
      await storage.put(`region=${region}/part-0.parquet`, await parquet.write(tableFromArrays({ id: Int32Array.from(ids) })))
    }
    expect(await convertToDeltaLake(root, { partitionBy: ['region'] })).toMatchObject({ version: 0, numConvertedFiles: 2 })
    const dt = await DeltaTable.open(root)
    expect(dt.metadata().partitionColumns).toEqual(['region'])
    expect([...await dt.toArrow()].map((r) => `${r.id}:${r.region}`).sort()).toEqual(['1:EU', '2:EU', '3:US'])
    expect((await dt.history())[0]!.operation).toBe('CONVERT')
  })
})
