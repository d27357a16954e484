// Compaction: the expected rows, files and metrics are worked out here from what the test
// wrote and from the log before the optimize, not by the code under test.
import { parquetMetadata } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { optimizeCompact } from '../../../src/delta/ops/optimize/compact.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { commitActions, commitInfoOf, memoryEngine, readIds, rows, tableState } from './fixture.js'
import { activePaths, hookedEngine, readRows } from './optimize-fixture.js'

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i)

/** A table of `appends` appends of `size` ids each (one file per append), optionally partitioned by p. */
async function smallFiles(appends: number, size: number, opts: { p?: (i: number) => string; configuration?: Record<string, string> } = {}) {
  const engine = await memoryEngine()
  for (let a = 0; a < appends; a++) {
    const ids = range(a * size, (a + 1) * size)
    await writeTable(engine, rows(ids, opts.p ? ids.map(opts.p) : undefined), {
      mode: 'append', ...(opts.p && { partitionBy: ['p'] }), ...(opts.configuration && { configuration: opts.configuration }),
    })
  }
  return engine
}

const sizes = (files: { size: number }[]) => {
  const s = files.map((f) => f.size)
  const total = s.reduce((a, b) => a + b, 0)
  return { min: Math.min(...s), max: Math.max(...s), avg: total / s.length, totalFiles: s.length, totalSize: total }
}

describe('optimizeCompact', () => {
  it('rewrites small files as one, keeping every row, with dataChange false and delta-rs metrics', async () => {
    const engine = await smallFiles(10, 10)
    const before = (await loadSnapshot(engine)).files.toArray()
    expect(before).toHaveLength(10)
    const result = await optimizeCompact(engine)
    expect(await readIds(engine)).toEqual(range(0, 100))
    const after = (await loadSnapshot(engine)).files.toArray()
    expect(after).toHaveLength(1)
    expect(result).toEqual({
      version: 10, numFilesAdded: 1, numFilesRemoved: 10,
      filesAdded: sizes(after), filesRemoved: sizes(before),
      partitionsOptimized: 1, numBatches: 10, totalConsideredFiles: 10, totalFilesSkipped: 0,
      preserveInsertionOrder: false, numCommits: 1,
    })
    const actions = await commitActions(engine, 10)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove!)
    const adds = actions.filter((a) => a.add).map((a) => a.add!)
    expect(removes.map((r) => r.path).sort()).toEqual(before.map((f) => f.path).sort())
    expect(removes.every((r) => r.dataChange === false)).toBe(true)
    expect(adds.map((a) => a.path)).toEqual(after.map((f) => f.path))
    expect(adds.every((a) => a.dataChange === false)).toBe(true)
    expect(JSON.parse(adds[0]!.stats as string)).toMatchObject({ numRecords: 100, minValues: { id: 0 }, maxValues: { id: 99 } })
    expect(await commitInfoOf(engine, 10)).toMatchObject({
      operation: 'OPTIMIZE', operationParameters: { predicate: '[]', zOrderBy: '[]' }, readVersion: 9, isBlindAppend: false,
      operationMetrics: {
        numFilesAdded: 1, numFilesRemoved: 10, numAddedBytes: after[0]!.size, numRemovedBytes: sizes(before).totalSize,
        partitionsOptimized: 1, numBatches: 10, totalConsideredFiles: 10, totalFilesSkipped: 0,
      },
    })
    // delta-rs's default for the rewritten files: zstd.
    const meta = parquetMetadata((await engine.storage.read(decodeURI(after[0]!.path))).buffer as ArrayBuffer)
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('ZSTD')
  })

  it('commits nothing when every partition has one file left', async () => {
    const engine = await smallFiles(3, 5)
    await optimizeCompact(engine)
    const result = await optimizeCompact(engine)
    expect(result).toMatchObject({ version: 3, numFilesAdded: 0, numFilesRemoved: 0, totalConsideredFiles: 1, totalFilesSkipped: 1, numCommits: 0 })
    expect((await loadSnapshot(engine)).version).toBe(3)
  })

  it('leaves files already at the target size alone and compacts the rest', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, rows(range(0, 5000)))
    for (let a = 0; a < 3; a++) await writeTable(engine, rows(range(5000 + a * 5, 5005 + a * 5)), { mode: 'append' })
    const files = (await loadSnapshot(engine)).files.toArray()
    const big = files.reduce((a, b) => (a.size > b.size ? a : b))
    const small = files.filter((f) => f !== big)
    expect(small.every((f) => f.size * 3 < big.size)).toBe(true)
    const result = await optimizeCompact(engine, { targetSize: big.size })
    expect(result).toMatchObject({ numFilesRemoved: 3, numFilesAdded: 1, totalConsideredFiles: 4, totalFilesSkipped: 1, filesRemoved: sizes(small) })
    const removed = (await commitActions(engine, 4)).filter((a) => a.remove).map((a) => a.remove!.path)
    expect(removed.sort()).toEqual(small.map((f) => f.path).sort())
    expect(await activePaths(engine)).toContain(big.path)
    expect(await readIds(engine)).toEqual(range(0, 5015))
  })

  it('takes its default target from delta.targetFileSize', async () => {
    const engine = await smallFiles(4, 5, { configuration: { 'delta.targetFileSize': '1' } })
    // Every file is at least one byte: all are skipped as already big enough.
    expect(await optimizeCompact(engine)).toMatchObject({ numFilesRemoved: 0, totalConsideredFiles: 4, totalFilesSkipped: 4 })
  })

  it('restricts itself to the partitions partitionFilters selects, and records the filter', async () => {
    const engine = await smallFiles(4, 10, { p: (i) => (i % 2 === 0 ? 'a' : 'b') })
    const before = (await loadSnapshot(engine)).files.toArray()
    const inA = before.filter((f) => f.partitionValues.p === 'a')
    const inB = before.filter((f) => f.partitionValues.p === 'b')
    expect(inA).toHaveLength(4)
    const result = await optimizeCompact(engine, { partitionFilters: "p = 'a'", commitProperties: { customMetadata: { job: 'nightly' } } })
    expect(result).toMatchObject({ numFilesRemoved: 4, numFilesAdded: 1, totalConsideredFiles: 4, partitionsOptimized: 1 })
    const removed = (await commitActions(engine, 4)).filter((a) => a.remove).map((a) => a.remove!.path)
    expect(removed.sort()).toEqual(inA.map((f) => f.path).sort())
    const active = await activePaths(engine)
    for (const f of inB) expect(active).toContain(f.path)
    expect(await commitInfoOf(engine, 4)).toMatchObject({ operationParameters: { predicate: `["p = 'a'"]` }, job: 'nightly' })
    expect((await readRows(engine)).map((r) => [Number(r.id), r.p]).sort((x, y) => (x[0] as number) - (y[0] as number)))
      .toEqual(range(0, 40).map((i) => [i, i % 2 === 0 ? 'a' : 'b']))
  })

  it('refuses a partition filter on a data column, and bad options, before writing anything', async () => {
    const engine = await smallFiles(3, 5, { p: () => 'a' })
    const state = await tableState(engine)
    await expect(optimizeCompact(engine, { partitionFilters: 'id > 3' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('partition columns') })
    await expect(optimizeCompact(engine, { targetSize: 0 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(optimizeCompact(engine, { targetSise: 10 } as never)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining("did you mean 'targetSize'") })
    expect(await tableState(engine)).toEqual(state)
  })

  it('keeps rows deleted by deletion vectors deleted; the removes carry the vectors', async () => {
    const engine = await smallFiles(3, 100, { configuration: { 'delta.enableDeletionVectors': 'true' } })
    await deleteRows(engine, 'id % 7 = 0 OR id BETWEEN 150 AND 160')
    const withVectors = (await loadSnapshot(engine)).files.toArray()
    expect(withVectors.filter((f) => f.deletionVector)).toHaveLength(3)
    const expected = range(0, 300).filter((i) => !(i % 7 === 0 || (i >= 150 && i <= 160)))
    await optimizeCompact(engine)
    expect(await readIds(engine)).toEqual(expected)
    const actions = await commitActions(engine, 4)
    const adds = actions.filter((a) => a.add).map((a) => a.add!)
    expect(adds).toHaveLength(1)
    expect(adds[0]!.deletionVector ?? null).toBeNull()
    expect(JSON.parse(adds[0]!.stats as string).numRecords).toBe(expected.length)
    const removes = actions.filter((a) => a.remove).map((a) => a.remove! as { path: string; deletionVector?: { cardinality: number } })
    expect(removes.map((r) => r.deletionVector?.cardinality).sort()).toEqual(withVectors.map((f) => f.deletionVector!.cardinality).sort())
  })

  it('keeps the order rows were written in with preserveInsertionOrder, packing largest first without', async () => {
    // Files of 5, 50 and 20 rows: largest first would read the 50-row file first.
    const build = async () => {
      const engine = await memoryEngine()
      let at = 0
      for (const n of [5, 50, 20]) {
        await writeTable(engine, rows(range(at, at + n)), { mode: 'append' })
        at += n
      }
      return engine
    }
    const ordered = await build()
    expect(await optimizeCompact(ordered, { preserveInsertionOrder: true })).toMatchObject({ preserveInsertionOrder: true, numFilesAdded: 1 })
    expect((await readRows(ordered)).map((r) => Number(r.id))).toEqual(range(0, 75))
    const packed = await build()
    await optimizeCompact(packed)
    expect((await readRows(packed)).map((r) => Number(r.id))).toEqual([...range(5, 55), ...range(55, 75), ...range(0, 5)])
  })

  it('commits in several commits with minCommitInterval, each with its own bins', async () => {
    const engine = await smallFiles(6, 10, { p: (i) => (i < 30 ? 'a' : 'b') })
    const result = await optimizeCompact(engine, { minCommitInterval: 0 })
    expect(result).toMatchObject({ version: 7, numCommits: 2, numFilesRemoved: 6, numFilesAdded: 2, partitionsOptimized: 2 })
    for (const v of [6, 7]) {
      const actions = await commitActions(engine, v)
      expect(actions.filter((a) => a.remove)).toHaveLength(3)
      expect(actions.filter((a) => a.add)).toHaveLength(1)
      expect(actions.find((a) => a.commitInfo)!.commitInfo).toMatchObject({ operation: 'OPTIMIZE', operationMetrics: { numFilesRemoved: 3, numFilesAdded: 1 } })
    }
    expect(await readIds(engine)).toEqual(range(0, 60))
  })

  it('reports progress per file and stops when cancelled, leaving the table as it was', async () => {
    const engine = await smallFiles(5, 10)
    const seen: unknown[] = []
    await optimizeCompact(await smallFiles(5, 10), { onProgress: (p) => seen.push(p) })
    expect(seen).toEqual(range(1, 6).map((done) => ({ done, total: 5, phase: 'rewrite' })))
    const state = await tableState(engine)
    const controller = new AbortController()
    await expect(optimizeCompact(engine, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toMatchObject({ code: 'Cancelled' })
    expect(await tableState(engine)).toEqual(state)
  })
  it('deletes the files of bins already written when cancelled before its commit', async () => {
    const engine = await smallFiles(4, 10, { p: (i) => (i < 20 ? 'a' : 'b') })
    const state = await tableState(engine)
    const controller = new AbortController()
    const progress = (p: { done: number }) => { if (p.done === 3) controller.abort() }
    await expect(optimizeCompact(engine, { signal: controller.signal, onProgress: progress })).rejects.toMatchObject({ code: 'Cancelled' })
    expect(await tableState(engine)).toEqual(state)
  })

  it('compacts a table with column mapping, reading and writing physical names', async () => {
    const engine = await smallFiles(3, 10, { p: (i) => (i < 10 ? 'a' : 'b'), configuration: { 'delta.columnMapping.mode': 'name' } })
    await optimizeCompact(engine)
    expect((await readRows(engine)).map((r) => [Number(r.id), r.p]).sort((x, y) => (x[0] as number) - (y[0] as number)))
      .toEqual(range(0, 30).map((i) => [i, i < 10 ? 'a' : 'b']))
    const add = (await commitActions(engine, 3)).find((a) => a.add)!.add!
    expect(Object.keys(add.partitionValues as object)).toEqual([expect.stringMatching(/^col-/)])
  })
})

describe('optimizeCompact against concurrent commits', () => {
  it('lands on top of a concurrent append', async () => {
    const engine = await smallFiles(3, 10)
    const hooked = hookedEngine(engine)
    hooked.arm(async () => { await writeTable(engine, rows([1000, 1001]), { mode: 'append' }) })
    const result = await optimizeCompact(hooked.engine)
    expect(result).toMatchObject({ version: 4, numFilesRemoved: 3 })
    expect(await readIds(engine)).toEqual([...range(0, 30), 1000, 1001])
    expect(await activePaths(engine)).toHaveLength(2)
  })

  it('conflicts with a concurrent delete of a file it compacted, and deletes what it wrote', async () => {
    const engine = await smallFiles(3, 10)
    const hooked = hookedEngine(engine)
    const before = engine.storage.paths()
    hooked.arm(async () => { await deleteRows(engine, 'id = 1') })
    await expect(optimizeCompact(hooked.engine)).rejects.toMatchObject({ code: 'CommitConflict' })
    expect(await readIds(engine)).toEqual(range(0, 30).filter((i) => i !== 1))
    // Only the delete's files are new: the optimize's own file is gone.
    const deleteWrote = (await commitActions(engine, 3)).filter((a) => a.add).map((a) => decodeURI(a.add!.path as string))
    const added = engine.storage.paths().filter((p) => !before.includes(p) && !p.startsWith('_delta_log/'))
    expect(added.sort()).toEqual(deleteWrote.sort())
  })

  it('conflicts with a concurrent deletion vector on a file it compacted', async () => {
    const engine = await smallFiles(3, 10, { configuration: { 'delta.enableDeletionVectors': 'true' } })
    const hooked = hookedEngine(engine)
    hooked.arm(async () => { await deleteRows(engine, 'id = 25') })
    await expect(optimizeCompact(hooked.engine)).rejects.toMatchObject({ code: 'CommitConflict' })
    expect(await readIds(engine)).toEqual(range(0, 30).filter((i) => i !== 25))
  })

  it('checks a later commit of minCommitInterval against what others committed before its earlier ones', async () => {
    // Two partitions, two commits. Just before the first commit, another writer deletes a row of
    // the partition the second commit will rewrite: the first commit lands past it, and the
    // second must still see that its file is gone.
    const engine = await smallFiles(4, 10, { p: (i) => (i < 20 ? 'a' : 'b') })
    const before = engine.storage.paths()
    const hooked = hookedEngine(engine)
    hooked.arm(async () => {
      const written = engine.storage.paths().filter((p) => !before.includes(p) && p.endsWith('.parquet'))
      expect(written).toHaveLength(1)
      const other = written[0]!.startsWith('p=a/') ? 'b' : 'a'
      await deleteRows(engine, other === 'a' ? 'id = 3' : 'id = 33')
    })
    await expect(optimizeCompact(hooked.engine, { minCommitInterval: 0 })).rejects.toMatchObject({ code: 'CommitConflict' })
    const deleted = (await commitActions(engine, 4)).some((a) => a.remove && String(a.remove.path).startsWith('p=a/')) ? 3 : 33
    expect(await readIds(engine)).toEqual(range(0, 40).filter((i) => i !== deleted))
    // The first commit landed after the delete; the second did not.
    expect((await commitInfoOf(engine, 5)).operation).toBe('OPTIMIZE')
    expect((await loadSnapshot(engine)).version).toBe(5)
  })
})
