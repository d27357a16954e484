import { describe, expect, it } from 'vitest'
import { parseCommit } from '../../../src/delta/model/actions.js'
import { replayActions } from '../../../src/delta/log/replay.js'

const commit = (version: number, ...objs: object[]) => ({
  version,
  actions: parseCommit(objs.map((o) => JSON.stringify(o)).join('\n'), `v${version}`),
})
const add = (path: string, extra: object = {}) => ({ add: { path, partitionValues: {}, size: 1, modificationTime: 1, dataChange: true, ...extra } })
const remove = (path: string, extra: object = {}) => ({ remove: { path, dataChange: true, ...extra } })
const meta = (id: string) => ({ metaData: { id, format: { provider: 'parquet', options: {} }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: [], configuration: {} } })
const dv = (id: string) => ({ storageType: 'u', pathOrInlineDv: id, offset: 1, sizeInBytes: 10, cardinality: 1 })

describe('replayActions', () => {
  it('keeps the newest protocol and metadata', () => {
    const s = replayActions([], [
      commit(0, { protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, meta('a')),
      commit(1, { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: [] } }),
      commit(2, meta('b')),
    ])
    expect(s.protocol?.minReaderVersion).toBe(3)
    expect(s.metadata?.id).toBe('b')
  })

  it('removes and re-adds files by path', () => {
    const s = replayActions([], [commit(0, add('a'), add('b')), commit(1, remove('a')), commit(2, add('a', { size: 7 })), commit(3, remove('b'))])
    expect(s.files.map((f) => [f.path, f.size])).toEqual([['a', 7]])
  })

  it('keys file actions by path and deletion vector', () => {
    // A DV update: add the file with a new DV and remove it with its old DV, in one commit.
    const s = replayActions([], [
      commit(0, add('f')),
      commit(1, add('f', { deletionVector: dv('one') }), remove('f')),
      commit(2, add('f', { deletionVector: dv('two') }), remove('f', { deletionVector: dv('one') })),
    ])
    expect(s.files).toHaveLength(1)
    expect(s.files.at(0)?.deletionVector?.pathOrInlineDv).toBe('two')
  })

  it('lets commits override checkpoint files', () => {
    const cp = parseCommit([add('a'), add('b')].map((o) => JSON.stringify(o)).join('\n'), 'cp')
    const s = replayActions(cp, [commit(5, remove('a')), commit(6, add('c'))])
    expect(s.files.map((f) => f.path)).toEqual(['b', 'c'])
  })

  it('keeps the newest txn per app and drops removed domains', () => {
    const s = replayActions([], [
      commit(0, { txn: { appId: 'x', version: 1 } }, { domainMetadata: { domain: 'd1', configuration: '1', removed: false } }, { domainMetadata: { domain: 'd2', configuration: 'a', removed: false } }),
      commit(1, { txn: { appId: 'x', version: 2 } }, { txn: { appId: 'y', version: 9 } }, { domainMetadata: { domain: 'd1', configuration: '', removed: true } }),
    ])
    expect([...s.txns].map(([k, v]) => [k, v.version])).toEqual([['x', 2], ['y', 9]])
    expect([...s.domains.keys()]).toEqual(['d2'])
  })

  it('ignores unknown actions', () => {
    const s = replayActions([], [commit(0, { futureAction: { x: 1 } }, add('a'))])
    expect(s.files).toHaveLength(1)
  })
})
