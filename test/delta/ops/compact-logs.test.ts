import { describe, expect, it } from 'vitest'
import { parseCommit, type Action } from '../../../src/delta/model/actions.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { replayActions } from '../../../src/delta/log/replay.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { compactionPath, compactLogs } from '../../../src/delta/ops/compact-logs.js'
import { cleanupMetadata } from '../../../src/delta/ops/cleanup-metadata.js'
import { createCheckpoint } from '../../../src/delta/ops/checkpoint.js'
import { byPath, essence } from '../../helpers/file-essence.js'
import { buildMaintenanceTable } from './maintenance-fixture.js'
import { memoryEngine } from './fixture.js'

type Json = Record<string, Record<string, unknown>>

function jsonLines(bytes: Uint8Array): Json[] {
  return new TextDecoder().decode(bytes).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json)
}

/** A JSON value with its object keys sorted, as text: two spellings of one action compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== null && x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/**
 * What PROTOCOL.md's example asks of a compaction of commits `start` to `end`, worked out here on
 * the raw JSON lines: walking the commits oldest first, a later action replaces an earlier one of
 * the same key (protocol; metaData; txn per appId; domainMetadata per domain; add and remove per
 * decoded path and deletion vector id); commitInfo and cdc are left out.
 */
async function expectedCompaction(engine: Engine, start: number, end: number): Promise<Map<string, Json>> {
  const kept = new Map<string, Json>()
  for (let v = start; v <= end; v++) {
    for (const line of jsonLines(await engine.storage.read(commitPath(v)))) {
      const [kind, body] = Object.entries(line)[0]!
      let key: string | undefined
      if (kind === 'protocol' || kind === 'metaData') key = kind
      else if (kind === 'txn') key = `txn ${String(body.appId)}`
      else if (kind === 'domainMetadata') key = `domain ${String(body.domain)}`
      else if (kind === 'add' || kind === 'remove') {
        const dv = body.deletionVector as Record<string, unknown> | undefined
        key = `file ${decodeURIComponent(String(body.path))} ${dv ? `${String(dv.storageType)}${String(dv.pathOrInlineDv)}@${String(dv.offset)}` : ''}`
      }
      if (key === undefined) continue
      kept.delete(key)
      kept.set(key, line)
    }
  }
  return kept
}

/** The state a snapshot stands for, as actions: what replay on top of it starts from. */
function stateActions(s: Snapshot): Action[] {
  return [s.protocol, s.metadata, ...s.txns.values(), ...s.domains.values(), ...s.files, ...(s.tombstones ?? [])]
}

async function table(): Promise<Engine & { storage: import('../../../src/storage/memory.js').MemoryStorage }> {
  const engine = await memoryEngine()
  await buildMaintenanceTable(engine)
  return engine
}

describe('compactLogs', () => {
  for (const [start, end] of [[2, 7], [0, 8], [3, 4]] as const) {
    it(`writes the reconciled actions of commits ${start} to ${end}`, async () => {
      const engine = await table()
      const result = await compactLogs(engine, { startVersion: start, endVersion: end })
      expect(result).toMatchObject({ path: compactionPath(start, end), startVersion: start, endVersion: end })
      expect(result.path).toBe(`_delta_log/${String(start).padStart(20, '0')}.${String(end).padStart(20, '0')}.compacted.json`)
      const lines = jsonLines(await engine.storage.read(result.path))
      expect(lines).toHaveLength(result.actions)
      const expected = await expectedCompaction(engine, start, end)
      expect(lines.map(canonical).sort()).toEqual([...expected.values()].map(canonical).sort())
      // Grouped by kind, protocol and metaData first.
      const kinds = lines.map((l) => Object.keys(l)[0]!)
      const order = ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove']
      expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)))

      // It stands in for its commits: the state before the range plus the compaction is the state at its end.
      const actions = parseCommit(await engine.storage.read(result.path), result.path)
      const before = start === 0 ? [] : stateActions(await loadSnapshot(engine, start - 1, { tombstones: true }))
      const replayed = replayActions(before, [{ version: end, actions }])
      const atEnd = await loadSnapshot(engine, end)
      expect(replayed.protocol).toEqual(atEnd.protocol)
      expect(replayed.metadata).toEqual(atEnd.metadata)
      expect([...replayed.txns.entries()].sort()).toEqual([...atEnd.txns.entries()].sort())
      expect([...replayed.domains.entries()].sort()).toEqual([...atEnd.domains.entries()].sort())
      expect(byPath(replayed.files).map(essence)).toEqual(byPath(atEnd.files).map(essence))
    })
  }

  it('covers the whole log by default, and the table reads the same with the file there', async () => {
    const engine = await table()
    const before = await loadSnapshot(engine)
    const atFour = await loadSnapshot(engine, 4)
    const result = await compactLogs(engine)
    expect(result).toMatchObject({ startVersion: 0, endVersion: 8 })
    const after = await loadSnapshot(engine)
    // Read from the commits as before: the reader ignores compaction files, as the protocol allows.
    expect(after.segment.commits.map((c) => c.version)).toEqual(before.segment.commits.map((c) => c.version))
    expect([...after.commitInfos.keys()]).toEqual([...before.commitInfos.keys()])
    expect(byPath(after.files).map(essence)).toEqual(byPath(before.files).map(essence))
    expect(byPath((await loadSnapshot(engine, 4)).files).map(essence)).toEqual(byPath(atFour.files).map(essence))
    expect(after.metadata).toEqual(before.metadata)
  })

  it('starts after a checkpoint and clean-up by default, at the oldest commit still there', async () => {
    const engine = await table()
    await createCheckpoint(engine)
    await cleanupMetadata(engine, { now: Date.now() + 400 * 86_400_000 })
    expect(await engine.storage.head(commitPath(7))).toBeUndefined()
    await expect(compactLogs(engine)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/greater than startVersion \(8\)/) })
  })

  it('refuses bad ranges and options before writing anything', async () => {
    const engine = await table()
    const paths = engine.storage.paths()
    await expect(compactLogs(engine, { startVersion: 3, endVersion: 3 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(compactLogs(engine, { startVersion: 5, endVersion: 2 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(compactLogs(engine, { startVersion: 2, endVersion: 9 })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/latest version is 8/) })
    await expect(compactLogs(engine, { startVersion: 1.5 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(compactLogs(engine, { start: 1 } as never)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(engine.storage.paths()).toEqual(paths)
    await engine.storage.delete(commitPath(3))
    await expect(compactLogs(engine, { startVersion: 1, endVersion: 5 })).rejects.toMatchObject({ code: 'NotFound' })
    expect(engine.storage.paths()).toEqual(paths.filter((p) => p !== commitPath(3)))
  })
})
