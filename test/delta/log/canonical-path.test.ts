import { Int64, Table, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import { canonicalPath, fileActionKey, parseCommit } from '../../../src/delta/model/actions.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { replayActions } from '../../../src/delta/log/replay.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { addAction, createActions, removeAction, writeCommit, writeJsonCheckpoint } from '../../helpers/log-builder.js'

let parquet: ParquetCodec
beforeAll(async () => {
  parquet = await nodeParquetCodec()
})

const commit = (version: number, ...objs: object[]) => ({ version, actions: parseCommit(objs.map((o) => JSON.stringify(o)).join('\n'), `v${version}`) })

/** Pairs of spellings of one file in the log: the add's, then the remove's. */
const SPELLINGS: [string, string][] = [
  ['a-b.parquet', 'a%2Db.parquet'],
  ['a%2Db.parquet', 'a-b.parquet'],
  ['a%2db.parquet', 'a%2Db.parquet'],
  ['with space.parquet', 'with%20space.parquet'],
  ['p=x/part-0.parquet', 'p%3Dx%2Fpart-0.parquet'],
  ['caf%C3%A9.parquet', 'café.parquet'],
  ['/abs/x.parquet', 'file:/abs/x.parquet'],
  ['file:///abs/x%20y.parquet', 'file://localhost/abs/x y.parquet'],
  ['s3://b/t/a%5Fb.parquet', 's3://b/t/a_b.parquet'],
]

describe('canonical paths', () => {
  it('key one file however its path is percent-encoded', () => {
    for (const [a, b] of SPELLINGS) expect(fileActionKey(a, null), `${a} ~ ${b}`).toBe(fileActionKey(b, null))
    expect(canonicalPath('plain/path.parquet')).toBe('plain/path.parquet')
    // Distinct files stay distinct; encoding that is not valid stays as written.
    expect(canonicalPath('a%2Bb')).not.toBe(canonicalPath('a b'))
    expect(canonicalPath('100%.parquet')).toBe('100%.parquet')
  })

  it('let a remove cancel its add in replay whichever spelling each uses', () => {
    for (const [added, removed] of SPELLINGS) {
      const s = replayActions([], [commit(0, addAction(added), addAction('other.parquet')), commit(1, removeAction(removed))])
      expect(s.files.map((f) => f.path), `${added} then ${removed}`).toEqual(['other.parquet'])
    }
  })

  it('let a commit decide a checkpoint file spelled another way, JSON or Parquet checkpoint', async () => {
    for (const [added, removed] of SPELLINGS.slice(0, 6)) {
      const storage = new MemoryStorage()
      await writeCommit(storage, 0, createActions())
      await writeCommit(storage, 1, [addAction(added), addAction('kept.parquet')])
      await writeJsonCheckpoint(storage, 1, [...createActions().slice(1), addAction(added), addAction('kept.parquet')])
      await writeCommit(storage, 2, [removeAction(removed)])
      expect((await loadSnapshot({ storage, parquet })).files.map((f) => f.path), `json ${added}`).toEqual(['kept.parquet'])

      const p = new MemoryStorage()
      await writeCommit(p, 0, createActions())
      await writeCommit(p, 1, [addAction(added), addAction('kept.parquet')])
      await writeCheckpoint({ storage: p, parquet }, await loadSnapshot({ storage: p, parquet }, undefined, { tombstones: true }))
      await writeCommit(p, 2, [removeAction(removed), addAction(removed.replace('.parquet', '-new.parquet'))])
      expect((await loadSnapshot({ storage: p, parquet })).files.map((f) => f.path).sort(), `parquet ${added}`).toEqual(['kept.parquet', removed.replace('.parquet', '-new.parquet')].sort())
    }
  })

  it('read the same rows from a table whose log spells its paths another way, and honour removes so spelled', async () => {
    const storage = new MemoryStorage()
    const opts = { storage, parquet }
    await writeDeltaLake('mem', new Table({ id: vectorFromArray([1n, 2n], new Int64()) }), opts)
    await writeDeltaLake('mem', new Table({ id: vectorFromArray([3n], new Int64()) }), { ...opts, mode: 'append' })
    // Re-spell every '-' of the add paths as %2D: the same files.
    for (const v of [0, 1]) {
      const text = new TextDecoder().decode(await storage.read(commitPath(v)))
      await storage.put(commitPath(v), new TextEncoder().encode(text.replace(/"path":"([^"]*)"/g, (_, p: string) => `"path":"${p.replaceAll('-', '%2D')}"`)))
    }
    const read = async (): Promise<bigint[]> => Array.from((await (await DeltaTable.open('mem', opts)).toArrow()).getChild('id')!.toArray() as BigInt64Array).sort()
    expect(await read()).toEqual([1n, 2n, 3n])
    const commit1 = new TextDecoder().decode(await storage.read(commitPath(1)))
    const added = (JSON.parse(commit1.split('\n').find((l) => l.includes('"add"'))!) as { add: { path: string } }).add.path
    const [second] = (await loadSnapshot({ storage, parquet })).files.filter((f) => f.path === added)
    expect(second!.path).toContain('%2D')
    // A remove spelled plainly cancels the add spelled with %2D.
    await writeCommit(storage, 2, [removeAction(decodeURIComponent(second!.path))])
    expect(await read()).toEqual([1n, 2n])
  })
})
