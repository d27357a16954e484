import { describe, expect, it } from 'vitest'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { LOG_DIR } from '../../../src/delta/log/log-path.js'
import { checkpointPartCount, multiPartCheckpointPath, writeMultiPartCheckpoint } from '../../../src/delta/checkpoint/write-multipart.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { byPath, essence } from '../../helpers/file-essence.js'
import { buildMaintenanceTable } from '../ops/maintenance-fixture.js'
import { memoryEngine, rows } from '../ops/fixture.js'

describe('writeMultiPartCheckpoint', () => {
  it('writes every part, empty ones included, and reads back whole', async () => {
    const engine = await memoryEngine()
    await buildMaintenanceTable(engine)
    const before = await loadSnapshot(engine, undefined, { tombstones: true })
    const actions = 1 + before.files.length + (before.tombstones?.length ?? 0)
    const parts = actions + 10 // more parts than actions: at least ten are empty
    const result = await writeMultiPartCheckpoint(engine, before, { parts })
    expect(result.files).toEqual(Array.from({ length: parts }, (_, i) => multiPartCheckpointPath(8, i + 1, parts)))
    for (const f of result.files) expect(await engine.storage.head(f)).toBeDefined()
    const after = await loadSnapshot(engine, undefined, { tombstones: true })
    expect(after.segment.checkpoint).toMatchObject({ version: 8, format: 'multipart' })
    expect(after.segment.commits).toEqual([])
    expect(byPath(after.files).map(essence)).toEqual(byPath(before.files).map(essence))
    expect(after.txns).toEqual(before.txns)
    expect(after.domains).toEqual(before.domains)
    expect(after.tombstones?.length).toBe(before.tombstones?.length)
  })

  it('refuses one part, and tables that support v2 checkpoints', async () => {
    const engine = await memoryEngine()
    await buildMaintenanceTable(engine)
    const snapshot = await loadSnapshot(engine, undefined, { tombstones: true })
    await expect(writeMultiPartCheckpoint(engine, snapshot, { parts: 1 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    const v2 = { ...snapshot, protocol: { ...snapshot.protocol, readerFeatures: [...(snapshot.protocol.readerFeatures ?? []), 'v2Checkpoint'], writerFeatures: [...(snapshot.protocol.writerFeatures ?? []), 'v2Checkpoint'] } }
    await expect(writeMultiPartCheckpoint(engine, v2, { parts: 3 })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/forbidden/) })
    const partSize = { ...v2.metadata, configuration: { 'delta.checkpoint.partSize': '1' } }
    expect(checkpointPartCount({ protocol: v2.protocol, metadata: partSize }, 10)).toBe(1)
    expect(checkpointPartCount({ protocol: snapshot.protocol, metadata: partSize }, 10)).toBe(10)
    expect(checkpointPartCount({ protocol: snapshot.protocol, metadata: { ...partSize, configuration: { 'delta.checkpoint.partSize': 'x' } } }, 10)).toBe(1)
    expect((await engine.storage.list(LOG_DIR)).filter((f) => f.path.includes('checkpoint'))).toEqual([])
  })

  it('is what commits get when the table sets a part size', async () => {
    const engine = await memoryEngine()
    const configuration = { 'delta.checkpointInterval': '2', 'delta.checkpoint.partSize': '1' }
    for (let v = 0; v < 3; v++) await writeTable(engine, rows([v, v + 10]), { mode: 'append', configuration })
    const snapshot = await loadSnapshot(engine)
    expect(snapshot.segment.checkpoint).toMatchObject({ version: 2, format: 'multipart' })
    expect(snapshot.segment.checkpoint?.files).toHaveLength(3)
  })
})
