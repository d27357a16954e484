// Deletes on a table with deletion vectors enabled mark rows instead of rewriting files. The
// expected rows, log actions and change rows are worked out here from the ids written, not by
// the code under test.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index-node.js'
import { checkTableProtocol } from '../../helpers/protocol-check.js'

const temps: string[] = []
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true })
})

/** A table with DVs (and maybe the change data feed) of two appends: ids [0, n) and [n, 2n). */
async function table(n: number, cdf = false): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'delta-dv-delete-'))
  temps.push(root)
  const configuration = { 'delta.enableDeletionVectors': 'true', ...(cdf ? { 'delta.enableChangeDataFeed': 'true' } : {}) }
  for (const start of [0, n]) {
    const ids = Array.from({ length: n }, (_, i) => start + i)
    await writeDeltaLake(root, tableFromArrays({ id: BigInt64Array.from(ids, BigInt), name: ids.map((i) => `n${i}`) }), { mode: 'append', configuration })
  }
  return root
}

async function ids(root: string): Promise<number[]> {
  const t = await (await DeltaTable.open(root)).toArrow()
  return Array.from(t.getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b)
}

/** The actions of one commit, as written. */
async function commitActions(root: string, version: number): Promise<Record<string, any>[]> {
  const text = await readFile(join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8')
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

const dataFiles = async (root: string) => (await readdir(root)).filter((f) => f.endsWith('.parquet')).sort()
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i)

describe('delete on a table with deletion vectors', () => {
  it('marks the rows in inline vectors, rewrites no file, and merges a later delete into the vector', async () => {
    const root = await table(10)
    const before = await dataFiles(root)
    const dt = await DeltaTable.open(root)
    const result = await dt.delete('id < 3 OR id = 15')
    expect(result).toMatchObject({ version: 2, numDeletedRows: 4, numRemovedFiles: 0, numAddedFiles: 0 })
    expect(await dataFiles(root)).toEqual(before)
    expect(await ids(root)).toEqual(range(0, 20).filter((i) => !(i < 3 || i === 15)))
    const actions = await commitActions(root, 2)
    const adds = actions.filter((a) => a.add).map((a) => a.add)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove)
    expect(adds.map((a) => a.deletionVector.cardinality).sort()).toEqual([1, 3])
    expect(adds.every((a) => a.deletionVector.storageType === 'i' && a.dataChange === true && JSON.parse(a.stats).tightBounds === false)).toBe(true)
    expect(removes.map((r) => r.path).sort()).toEqual(adds.map((a) => a.path).sort())
    expect(removes.every((r) => !r.deletionVector)).toBe(true)
    const info = actions.find((a) => a.commitInfo)!.commitInfo
    expect(info.operation).toBe('DELETE')
    expect(info.operationMetrics).toMatchObject({ numDeletedRows: 4, numDeletionVectorsAdded: 2, numDeletionVectorsUpdated: 0 })

    // A second delete on the first file: its vector grows from 3 rows to 5.
    expect(await dt.delete('id IN (4, 7)')).toMatchObject({ numDeletedRows: 2 })
    const second = await commitActions(root, 3)
    const added = second.find((a) => a.add)!.add
    const removed = second.find((a) => a.remove)!.remove
    expect(added.path).toBe(removed.path)
    expect(removed.deletionVector.cardinality).toBe(3)
    expect(added.deletionVector.cardinality).toBe(5)
    expect(second.find((a) => a.commitInfo)!.commitInfo.operationMetrics).toMatchObject({ numDeletionVectorsUpdated: 1 })
    expect(await ids(root)).toEqual(range(0, 20).filter((i) => !(i < 3 || i === 15 || i === 4 || i === 7)))
    // Rows already deleted do not count again.
    expect(await dt.delete('id < 3')).toMatchObject({ numDeletedRows: 0 })
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('removes a file whose every row goes, and writes long vectors to a DV file', async () => {
    const root = await table(3000)
    const dt = await DeltaTable.open(root)
    // Every other row of the first file (a vector too long to inline), and the whole second file.
    expect(await dt.delete('id >= 3000 OR id IN (' + range(0, 1500).map((i) => 2 * i).join(',') + ')')).toMatchObject({ numDeletedRows: 4500, numRemovedFiles: 1 })
    const actions = await commitActions(root, 2)
    const adds = actions.filter((a) => a.add).map((a) => a.add)
    expect(adds).toHaveLength(1)
    expect(adds[0].deletionVector).toMatchObject({ storageType: 'u', cardinality: 1500 })
    expect(actions.filter((a) => a.remove)).toHaveLength(2)
    expect((await readdir(root)).filter((f) => /^deletion_vector_[0-9a-f-]{36}\.bin$/.test(f))).toHaveLength(1)
    expect(await ids(root)).toEqual(range(0, 3000).filter((i) => i % 2 === 1))
    expect(await (await DeltaTable.open(root)).count()).toBe(1500)
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('puts the DV file under a random folder when the table asks for random file prefixes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'delta-dv-prefix-'))
    temps.push(root)
    const configuration = { 'delta.enableDeletionVectors': 'true', 'delta.randomizeFilePrefixes': 'true', 'delta.randomPrefixLength': '3' }
    await writeDeltaLake(root, tableFromArrays({ id: BigInt64Array.from(range(0, 3000), BigInt) }), { configuration })
    await (await DeltaTable.open(root)).delete('id IN (' + range(0, 1500).map((i) => 2 * i).join(',') + ')')
    const [add] = (await commitActions(root, 1)).filter((a) => a.add).map((a) => a.add)
    const prefix = String(add.deletionVector.pathOrInlineDv).slice(0, -20)
    expect(prefix).toMatch(/^[A-Za-z0-9]{3}$/)
    expect((await readdir(join(root, prefix))).filter((f) => /^deletion_vector_[0-9a-f-]{36}\.bin$/.test(f))).toHaveLength(1)
    expect(await ids(root)).toEqual(range(0, 3000).filter((i) => i % 2 === 1))
    expect(await checkTableProtocol(root)).toEqual([])
  })

  it('writes the deleted rows to the change data feed, and reads the same after a checkpoint', async () => {
    const root = await table(10, true)
    const dt = await DeltaTable.open(root)
    await dt.delete('id = 2 OR id = 12')
    const changes = await dt.changes({ startVersion: 2, endVersion: 2 })
    expect(Array.from(changes.getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b)).toEqual([2, 12])
    expect(new Set(changes.getChild('_change_type')!.toArray())).toEqual(new Set(['delete']))
    const expected = await ids(root)
    await writeDeltaLake(root, tableFromArrays({ id: BigInt64Array.from([100n]), name: ['x'] }), { mode: 'append' })
    const { loadSnapshot } = await import('../../../src/delta/log/snapshot.js')
    const { writeCheckpoint } = await import('../../../src/delta/checkpoint/write.js')
    const { NodeFsStorage, nodeParquetCodec } = await import('../../../src/node.js')
    const engine = { storage: new NodeFsStorage(root), parquet: await nodeParquetCodec() }
    await writeCheckpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }))
    expect(await ids(root)).toEqual([...expected, 100])
  })
})
