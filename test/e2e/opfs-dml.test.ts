// Row-level changes in the browser: a table in the Origin Private File System of headless
// Chromium, created with the change data feed on (with deletion vectors and without), then
// deleted from, updated and merged into through WorkerDeltaTable over the page's worker pool.
// What each step should leave, change and report is worked out here in plain JS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage } from '../../e2e/harness-client.js'
import { sortedRows } from '../../e2e/table-rows.js'
import type { DmlPlan, DmlRow, FileLayout } from '../../e2e/page/dml.js'

type Mode = 'deletion vectors' | 'copy-on-write'

const DELETED = [3, 7, 18]
const plan = (mode: Mode): DmlPlan => ({
  rows: Array.from({ length: 20 }, (_, i): DmlRow => [i + 1, (i + 1) * 1.5, (i + 1) % 2 === 0 ? 'even' : 'odd']),
  configuration: {
    'delta.enableChangeDataFeed': 'true',
    ...(mode === 'deletion vectors' && { 'delta.enableDeletionVectors': 'true' }),
  },
  deletePredicate: `id IN (${DELETED.join(', ')}) OR value > 28`,
  update: { values: { value: 'value * 10', label: "'updated'" }, predicate: "label = 'even' AND id < 12" },
  merge: {
    // 2 and 11 are updated, 5 and 8 deleted (8 was updated before), 3 (deleted before) and 30 inserted.
    source: [[2, 1, 'src'], [5, 0.5, 'drop'], [8, 0, 'drop'], [11, 2, 'src'], [3, 100, 'new'], [30, 7.5, 'new']],
    predicate: 't.id = s.id',
    sourceAlias: 's',
    targetAlias: 't',
    updates: { value: 't.value + s.value', label: 's.label' },
    updateWhen: "s.label <> 'drop'",
  },
})

/** What a step does to the rows, computed here: the rows after, its change rows, the target rows it took away or rewrote, the rows it wrote. */
interface Expected {
  rows: DmlRow[]
  changes: string[]
  touched: Set<number>
  written: DmlRow[]
  counts: { inserted: number; updated: number; deleted: number }
}

const byId = (rows: readonly DmlRow[]) => [...rows].sort((a, b) => a[0] - b[0])
const change = (type: string, r: DmlRow) => `${type}:${r[0]}:${r[1]}:${r[2]}`

function expectCreate(p: DmlPlan): Expected {
  return { rows: byId(p.rows), changes: p.rows.map((r) => change('insert', r)).sort(), touched: new Set(), written: p.rows, counts: { inserted: p.rows.length, updated: 0, deleted: 0 } }
}

function expectDelete(before: readonly DmlRow[]): Expected {
  const gone = before.filter((r) => DELETED.includes(r[0]) || r[1] > 28)
  return {
    rows: before.filter((r) => !gone.includes(r)), changes: gone.map((r) => change('delete', r)).sort(),
    touched: new Set(gone.map((r) => r[0])), written: [], counts: { inserted: 0, updated: 0, deleted: gone.length },
  }
}

function expectUpdate(before: readonly DmlRow[]): Expected {
  const hit = (r: DmlRow) => r[2] === 'even' && r[0] < 12
  const updated = before.filter(hit).map((r): DmlRow => [r[0], r[1] * 10, 'updated'])
  return {
    rows: byId(before.map((r) => (hit(r) ? updated.find((u) => u[0] === r[0])! : r))),
    changes: [...before.filter(hit).map((r) => change('update_preimage', r)), ...updated.map((r) => change('update_postimage', r))].sort(),
    touched: new Set(updated.map((r) => r[0])), written: updated, counts: { inserted: 0, updated: updated.length, deleted: 0 },
  }
}

function expectMerge(before: readonly DmlRow[], source: readonly DmlRow[]): Expected {
  const target = new Map(before.map((r) => [r[0], r]))
  const after = new Map(target)
  const changes: string[] = []
  const written: DmlRow[] = []
  const counts = { inserted: 0, updated: 0, deleted: 0 }
  for (const s of source) {
    const t = target.get(s[0])
    if (!t) {
      after.set(s[0], s)
      written.push(s)
      changes.push(change('insert', s))
      counts.inserted++
    } else if (s[2] !== 'drop') {
      const u: DmlRow = [t[0], t[1] + s[1], s[2]]
      after.set(s[0], u)
      written.push(u)
      changes.push(change('update_preimage', t), change('update_postimage', u))
      counts.updated++
    } else {
      after.delete(s[0])
      changes.push(change('delete', t))
      counts.deleted++
    }
  }
  const touched = new Set(source.map((s) => s[0]).filter((id) => target.has(id)))
  return { rows: byId([...after.values()]), changes: changes.sort(), touched, written, counts }
}

/**
 * Check the files a step left against the files before it and what it touched, and return the
 * file and row counts its metrics should report. With deletion vectors a touched file stays,
 * its vector grown by the rows taken from it (unless none are left); copy-on-write replaces it.
 */
function checkFiles(mode: Mode, before: FileLayout[], after: FileLayout[], expected: Expected) {
  const dv = mode === 'deletion vectors'
  const afterByPath = new Map(after.map((f) => [f.path, f]))
  for (const f of after) expect(f.numRecords - (f.deleted ?? 0), `live rows of ${f.path}`).toBe(f.ids.length)
  expect(after.flatMap((f) => f.ids).sort((a, b) => a - b)).toEqual(expected.rows.map((r) => r[0]))
  if (!dv) expect(after.filter((f) => f.deleted !== null)).toEqual([])
  let copied = 0
  let removed = 0
  const kept: number[] = []
  for (const f of before) {
    const taken = f.ids.filter((id) => expected.touched.has(id)).length
    const now = afterByPath.get(f.path)
    if (taken === 0) {
      expect(now, `untouched ${f.path}`).toEqual(f)
    } else if (dv && taken < f.ids.length) {
      expect(now, `vector of ${f.path}`).toEqual({ ...f, deleted: (f.deleted ?? 0) + taken, ids: f.ids.filter((id) => !expected.touched.has(id)) })
    } else {
      expect(now, `${f.path} removed`).toBeUndefined()
      removed++
      if (!dv) {
        copied += f.ids.length - taken
        kept.push(...f.ids.filter((id) => !expected.touched.has(id)))
      }
    }
  }
  const known = new Set(before.map((f) => f.path))
  const added = after.filter((f) => !known.has(f.path))
  expect(added.filter((f) => f.deleted !== null)).toEqual([])
  expect(added.flatMap((f) => f.ids).sort((a, b) => a - b)).toEqual([...kept, ...expected.written.map((r) => r[0])].sort((a, b) => a - b))
  return { copied, removed, added: added.length }
}

const run = chromiumAvailable('e2e OPFS row-level changes')

describe.runIf(run)('delete, update and merge on OPFS in Chromium', () => {
  let harness: BrowserHarness
  let page: HarnessPage

  beforeAll(async () => {
    harness = await startBrowserHarness()
    page = await harness.newPage(2)
  })
  afterAll(async () => {
    await harness?.close()
  })

  for (const mode of ['deletion vectors', 'copy-on-write'] as const) {
    it(`changes rows with ${mode}, records each change, and reads the same rows after reopening`, async () => {
      const spec = { kind: 'opfs' as const, dir: `tables/dml-${mode.replaceAll(' ', '-')}` }
      await page.call('removeOpfs', spec.dir)
      const p = plan(mode)
      const report = await page.call('dml', spec, p)
      const dv = mode === 'deletion vectors'

      const create = expectCreate(p)
      const del = expectDelete(create.rows)
      const upd = expectUpdate(del.rows)
      const mrg = expectMerge(upd.rows, p.merge.source)

      // Rows after each step, and the version each committed.
      expect(report.create).toMatchObject({ version: 0, rows: create.rows })
      expect(report.create.result.version).toBe(0)
      expect(report.deleted).toMatchObject({ version: 1, rows: del.rows })
      expect(report.updated).toMatchObject({ version: 2, rows: upd.rows })
      expect(report.merged).toMatchObject({ version: 3, rows: mrg.rows })

      // Files: deletion vectors keep the files and mark rows; copy-on-write rewrites them.
      // Twenty rows make one file, so the copy-on-write delete rewrites it whole.
      expect(report.create.files).toHaveLength(1)
      expect(report.create.files[0]!.deleted).toBeNull()
      const d = checkFiles(mode, report.create.files, report.deleted.files, del)
      const u = checkFiles(mode, report.deleted.files, report.updated.files, upd)
      const m = checkFiles(mode, report.updated.files, report.merged.files, mrg)
      if (dv) {
        expect(report.merged.files.some((f) => f.deleted !== null)).toBe(true)
        expect(d).toEqual({ copied: 0, removed: 0, added: 0 })
      } else {
        expect(d.copied).toBe(create.rows.length - del.counts.deleted)
      }

      // Metrics.
      expect(report.deleted.result).toMatchObject({
        version: 1, numDeletedRows: del.counts.deleted, numCopiedRows: d.copied, numRemovedFiles: d.removed, numAddedFiles: d.added,
      })
      expect(report.updated.result).toMatchObject({
        version: 2, numUpdatedRows: upd.counts.updated, numCopiedRows: u.copied, numRemovedFiles: u.removed, numAddedFiles: u.added,
      })
      expect(report.merged.result).toMatchObject({
        version: 3,
        numSourceRows: p.merge.source.length,
        numTargetRowsInserted: mrg.counts.inserted,
        numTargetRowsUpdated: mrg.counts.updated,
        numTargetRowsDeleted: mrg.counts.deleted,
        numTargetRowsCopied: m.copied,
        numOutputRows: mrg.counts.inserted + mrg.counts.updated + m.copied,
        numTargetFilesRemoved: m.removed,
        numTargetFilesAdded: m.added,
      })
      expect([mrg.counts.inserted, mrg.counts.updated, mrg.counts.deleted]).toEqual([2, 2, 2])

      // The change data feed, version by version and over the whole range.
      const steps = [create, del, upd, mrg]
      expect(report.changes).toHaveLength(steps.length)
      report.changes.forEach((rows, v) => {
        expect(rows.map((c) => `${c.type}:${c.id}:${c.value}:${c.label}`).sort(), `changes of version ${v}`).toEqual(steps[v]!.changes)
        expect(new Set(rows.map((c) => c.version))).toEqual(new Set([v]))
      })
      const everything = steps.flatMap((s, v) => s.changes.map((c) => `${v}:${c}`)).sort()
      expect(report.allChanges.map((c) => `${c.version}:${c.type}:${c.id}:${c.value}:${c.label}`).sort()).toEqual(everything)

      // History, newest first, with the metrics each operation recorded.
      expect(report.history.map((h) => [h.version, h.operation])).toEqual([[3, 'MERGE'], [2, 'UPDATE'], [1, 'DELETE'], [0, 'CREATE TABLE']])
      const metrics = (v: number) => report.history.find((h) => h.version === v)!.operationMetrics as Record<string, unknown>
      expect(Number(metrics(1).numDeletedRows)).toBe(del.counts.deleted)
      expect(Number(metrics(2).numUpdatedRows)).toBe(upd.counts.updated)
      expect([metrics(3).numTargetRowsInserted, metrics(3).numTargetRowsUpdated, metrics(3).numTargetRowsDeleted].map(Number))
        .toEqual([mrg.counts.inserted, mrg.counts.updated, mrg.counts.deleted])

      // Opened afresh in the page: the latest rows, and each version's rows by time travel.
      expect(report.reopened).toMatchObject({ version: 3, rows: mrg.rows })
      expect(report.reopened.configuration['delta.enableChangeDataFeed']).toBe('true')
      expect(report.reopened.writerFeatures.includes('deletionVectors')).toBe(dv)
      expect(report.reopened.readerFeatures.includes('deletionVectors')).toBe(dv)
      expect(report.versions.map((r) => [r.version, r.rows])).toEqual(steps.map((s, v) => [v, s.rows]))

      // And in another tab, from the same OPFS folder.
      const other = await harness.newPage(2)
      try {
        const table = await other.openTable(spec)
        expect(table.version).toBe(3)
        expect(sortedRows(await table.toArrow())).toEqual(mrg.rows)
        await table.close()
      } finally {
        await other.page.close()
      }
    }, 120_000)
  }
})
