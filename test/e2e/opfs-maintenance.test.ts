// Maintenance in the browser: a table in the Origin Private File System of headless Chromium,
// built from small partitioned appends, then compacted, vacuumed and Z-ordered through
// WorkerDeltaTable over the page's worker pool. What each step should leave is worked out here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage } from '../../e2e/harness-client.js'
import type { MaintenancePlan, MaintRow } from '../../e2e/page/maintenance.js'

// Six appends of a few rows: 'a' and 'b' get a file per append, 'c' only one file in all.
const appends: MaintRow[][] = Array.from({ length: 6 }, (_, i) => {
  const rows: MaintRow[] = []
  for (let j = 0; j < 4; j++) {
    const id = i * 10 + j
    rows.push([id, j % 2 === 0 ? 'a' : 'b', id * 7 % 13])
  }
  if (i === 3) rows.push([i * 10 + 9, 'c', 99])
  return rows
})
const plan: MaintenancePlan = { appends, zOrderColumns: ['id', 'n'] }
const allRows = appends.flat().sort((a, b) => a[0] - b[0])

const run = chromiumAvailable('e2e OPFS maintenance')

describe.runIf(run)('optimize and vacuum on OPFS in Chromium', () => {
  let harness: BrowserHarness
  let page: HarnessPage

  beforeAll(async () => {
    harness = await startBrowserHarness()
    page = await harness.newPage(2)
  })
  afterAll(async () => {
    await harness?.close()
  })

  it('compacts small files, vacuums the ones it replaced, Z-orders, and reads the same rows throughout', async () => {
    const dir = 'tables/maintenance'
    await page.call('removeOpfs', dir)
    const r = await page.call('maintenance', { kind: 'opfs', dir }, plan)

    // Before: one file per partition per append, versions 0..5.
    expect(r.before.version).toBe(appends.length - 1)
    expect(r.before.rows).toEqual(allRows)
    const filesPerPart = new Map<string, number>()
    for (const rows of appends) for (const p of new Set(rows.map((x) => x[1]))) filesPerPart.set(p, (filesPerPart.get(p) ?? 0) + 1)
    expect(r.before.files).toHaveLength([...filesPerPart.values()].reduce((a, b) => a + b, 0))
    const countOf = (files: { part: string | null }[]) => {
      const m = new Map<string, number>()
      for (const f of files) m.set(f.part!, (m.get(f.part!) ?? 0) + 1)
      return Object.fromEntries([...m].sort())
    }
    expect(countOf(r.before.files)).toEqual(Object.fromEntries([...filesPerPart].sort()))

    // Compact: each partition with more than one file becomes one file; a single file stays.
    const many = [...filesPerPart].filter(([, n]) => n > 1)
    const removed = many.reduce((a, [, n]) => a + n, 0)
    expect(r.compacted).toMatchObject({ version: appends.length, numFilesAdded: many.length, numFilesRemoved: removed, partitionsOptimized: many.length })
    expect(r.afterCompact.version).toBe(appends.length)
    expect(r.afterCompact.rows).toEqual(allRows)
    expect(r.afterCompact.files).toHaveLength(r.before.files.length - removed + many.length)
    expect(countOf(r.afterCompact.files)).toEqual(Object.fromEntries([...filesPerPart].map(([p]) => [p, 1]).sort()))
    expect(r.progress.length).toBeGreaterThan(0)
    const last = r.progress[r.progress.length - 1]!
    expect(last.done).toBe(last.total)
    expect(last.total).toBe(removed)
    expect(r.progress.map((x) => x.done)).toEqual(r.progress.map((_, i) => i + 1))

    // The commit: removes and adds with dataChange false, recorded as OPTIMIZE.
    const beforePaths = new Set(r.before.files.map((f) => f.path))
    const afterPaths = new Set(r.afterCompact.files.map((f) => f.path))
    const gone = [...beforePaths].filter((p) => !afterPaths.has(p)).sort()
    const added = [...afterPaths].filter((p) => !beforePaths.has(p)).sort()
    expect(gone).toHaveLength(removed)
    expect(added).toHaveLength(many.length)
    const removes = r.compactActions.flatMap((a) => (a.remove ? [a.remove as { path: string; dataChange: boolean }] : []))
    const adds = r.compactActions.flatMap((a) => (a.add ? [a.add as { path: string; dataChange: boolean }] : []))
    expect(removes.map((x) => decodeURIComponent(x.path)).sort()).toEqual(gone)
    expect(adds.map((x) => decodeURIComponent(x.path)).sort()).toEqual(added)
    expect([...removes, ...adds].every((x) => x.dataChange === false)).toBe(true)
    expect(r.history[0]).toMatchObject({ version: appends.length, operation: 'OPTIMIZE' })

    // Vacuum: the dry run lists exactly the replaced files and deletes nothing; the real one deletes them.
    for (const p of gone) expect(r.folderBeforeVacuum).toContain(p)
    expect([...r.dryRun].sort()).toEqual(gone)
    expect(r.folderAfterDryRun).toEqual(r.folderBeforeVacuum)
    expect([...r.vacuumed].sort()).toEqual(gone)
    for (const p of gone) expect(r.folderAfterVacuum).not.toContain(p)
    for (const p of added) expect(r.folderAfterVacuum).toContain(p)
    expect(r.folderAfterVacuum.filter((p) => p.endsWith('.parquet')).sort()).toEqual([...afterPaths].sort())
    expect(r.afterVacuum.rows).toEqual(allRows)

    // Z-order keeps the rows; a fresh table reads them too.
    expect(r.zOrdered.version).toBeGreaterThan(r.afterVacuum.version)
    // Z-order rewrites every partition, the single-file one too.
    expect(r.zOrdered).toMatchObject({ numFilesRemoved: r.afterVacuum.files.length, numFilesAdded: filesPerPart.size })
    expect(r.afterZOrder.rows).toEqual(allRows)
    expect(r.reopened).toMatchObject({ version: r.afterZOrder.version, rows: allRows })
  }, 120_000)
})
