import type { Action } from '../../../src/delta/model/actions.js'
import { formatCommit } from '../../../src/delta/model/action-json.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { rows } from './fixture.js'

/** Commit `actions` (after a commitInfo) at the next version, as another writer would. */
export async function rawCommit(engine: Engine, actions: Action[]): Promise<number> {
  const version = (await loadSnapshot(engine, undefined, { withoutFiles: true })).version + 1
  const info: Action = { kind: 'commitInfo', info: { timestamp: Date.now(), operation: 'MANUAL UPDATE' } }
  await engine.storage.put(commitPath(version), new TextEncoder().encode(formatCommit([info, ...actions])), { ifAbsent: true })
  return version
}

/**
 * A table whose log holds every action a checkpoint keeps: adds across partitions, removes
 * (a rewrite) and deletion-vector adds (a delete), txns of two applications (one updated), a
 * protocol change adding `domainMetadata`, two domains (one removed later), and a metadata change.
 * `before(step)` runs (and is awaited) before the commit of version `step`, so a test can move its
 * clock or checkpoint between commits. Ends at version 8.
 */
export async function buildMaintenanceTable(engine: Engine, configuration: Record<string, string> = {}, before: (step: number) => unknown = () => undefined): Promise<void> {
  const ids = (from: number): number[] => Array.from({ length: 6 }, (_, i) => from + i)
  const parts = (n: number): string[] => Array.from({ length: n }, (_, i) => ['a', 'b', 'c'][i % 3]!)
  await before(0)
  await writeTable(engine, rows(ids(0), parts(6)), { partitionBy: ['p'], configuration: { 'delta.enableDeletionVectors': 'true', ...configuration } })
  await before(1)
  await writeTable(engine, rows(ids(10), parts(6)), { mode: 'append', commitProperties: { appTransactions: [{ appId: 'stream-1', version: 1 }] } })
  await before(2)
  await writeTable(engine, rows(ids(20), parts(6)), { mode: 'append', commitProperties: { appTransactions: [{ appId: 'stream-2', version: 7 }] } })
  await before(3)
  const snapshot = await loadSnapshot(engine, undefined, { withoutFiles: true })
  const protocol = { ...snapshot.protocol, writerFeatures: [...(snapshot.protocol.writerFeatures ?? []), 'domainMetadata'] }
  await rawCommit(engine, [
    protocol,
    { kind: 'domainMetadata', domain: 'app.one', configuration: '{"a":1}', removed: false },
    { kind: 'domainMetadata', domain: 'app.two', configuration: '{"b":2}', removed: false },
  ])
  await before(4)
  await deleteRows(engine, 'id = 1 or id = 11')
  await before(5)
  await writeTable(engine, rows(ids(30), parts(6)), { mode: 'append', commitProperties: { appTransactions: [{ appId: 'stream-1', version: 2 }] } })
  await before(6)
  await rawCommit(engine, [{ kind: 'domainMetadata', domain: 'app.two', configuration: '{"b":2}', removed: true }])
  await before(7)
  // A rewrite of partition 'c': its files become tombstones.
  await writeTable(engine, rows([40, 41], ['c', 'c']), { mode: 'overwrite', predicate: "p = 'c'" })
  await before(8)
  const latest = await loadSnapshot(engine, undefined, { withoutFiles: true })
  await rawCommit(engine, [{ ...latest.metadata, description: 'described later' }])
}
