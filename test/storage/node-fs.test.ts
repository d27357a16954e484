import { mkdtemp, mkdir, readdir, rm, writeFile, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import { explainMissingLog, NodeFsStorage, toDeltaError } from '../../src/storage/node-fs.js'
import { describeSignalContract, describeStorageContract, expectDeltaError } from './storage-contract.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

async function makeTemp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'deltalake-nodefs-'))
}

describeStorageContract('NodeFsStorage', async () => {
  const dir = await makeTemp()
  return { storage: new NodeFsStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) }
})
describeSignalContract('NodeFsStorage', async () => {
  const dir = await makeTemp()
  return { storage: new NodeFsStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) }
})

describe('NodeFsStorage', () => {
  let dir: string
  let storage: NodeFsStorage
  beforeEach(async () => {
    dir = await makeTemp()
    storage = new NodeFsStorage(join(dir, 'table'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes plain files at the relative path, creating folders', async () => {
    await storage.put('_delta_log/00000000000000000000.json', bytes('{}'))
    expect(await readdir(join(dir, 'table', '_delta_log'))).toEqual(['00000000000000000000.json'])
    expect(storage.rootDir).toBe(join(dir, 'table'))
  })

  it('never writes outside its root', async () => {
    await expectDeltaError(storage.put('../escape.json', bytes('x')), 'InvalidArgument')
    await expectDeltaError(storage.put('a/../../escape.json', bytes('x')), 'InvalidArgument')
    expect(await readdir(dir)).toEqual([])
  })

  it('lists files behind symlinks but not folders', async () => {
    await storage.put('data/real.parquet', bytes('PAR1'))
    await symlink(join(dir, 'table', 'data', 'real.parquet'), join(dir, 'table', 'data', 'link.parquet'))
    await symlink(join(dir, 'table', '_delta_log'), join(dir, 'table', 'data', 'dangling'))
    await mkdir(join(dir, 'table', 'data', 'sub'))
    const listed = await storage.list('data')
    expect(listed.map((f) => [f.path, f.size])).toEqual([['data/link.parquet', 4], ['data/real.parquet', 4]])
  })

  it('reports a folder in the way of a write as InvalidArgument, leaving no temp file', async () => {
    await mkdir(join(dir, 'table', 'busy', 'sub'), { recursive: true })
    await expectDeltaError(storage.put('busy/sub', bytes('x')), 'InvalidArgument')
    expect(await readdir(join(dir, 'table', 'busy'))).toEqual(['sub'])
    await expectDeltaError(storage.put('busy/sub', bytes('x'), { ifAbsent: true }), 'FileAlreadyExists')
    expect(await readdir(join(dir, 'table', 'busy'))).toEqual(['sub'])
    await expectDeltaError(storage.delete('busy/sub'), 'InvalidArgument')
  })

  it('reports a file in the way of a folder as InvalidArgument', async () => {
    await storage.put('plain', bytes('x'))
    await expectDeltaError(storage.put('plain/child.json', bytes('y')), 'InvalidArgument')
    await mkdir(join(dir, 'table', 'deep'))
    await writeFile(join(dir, 'table', 'deep', 'file'), 'x')
    await expectDeltaError(storage.put('deep/file/a/b.json', bytes('y')), 'InvalidArgument')
  })

  it('reads a file that changed size on disk at its new size', async () => {
    await storage.put('f.json', bytes('short'))
    await writeFile(join(dir, 'table', 'f.json'), 'a good deal longer')
    expect(new TextDecoder().decode(await storage.read('f.json'))).toBe('a good deal longer')
    expect(new TextDecoder().decode(await storage.read('f.json', { offset: 2, length: 4 }))).toBe('good')
  })

  it('names its temp files as hidden, random and distinct from log files', async () => {
    // Watch the folder while racing creates run, so in-flight temp files are seen.
    const seen = new Set<string>()
    await storage.put('_delta_log/seed', bytes('x'))
    const log = join(dir, 'table', '_delta_log')
    let racing = true
    const watch = (async () => {
      while (racing) {
        for (const name of await readdir(log)) seen.add(name)
        await new Promise((r) => setImmediate(r))
      }
    })()
    await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
      storage.put(`_delta_log/${String(i % 4).padStart(20, '0')}.json`, bytes('y'.repeat(50_000)), { ifAbsent: true })))
    racing = false
    await watch
    const temps = [...seen].filter((n) => n !== 'seed' && !/^\d{20}\.json$/.test(n))
    expect(temps.length).toBeGreaterThan(0)
    for (const t of temps) expect(t).toMatch(/^\.\d{20}\.json\.[0-9a-f]{16}\.tmp$/)
    expect((await readdir(log)).sort()).toEqual(['00000000000000000000.json', '00000000000000000001.json',
      '00000000000000000002.json', '00000000000000000003.json', 'seed'])
  })
})

describe('toDeltaError', () => {
  const errno = (code: string): Error => Object.assign(new Error(`${code}: failed`), { code })

  it('maps permission errors to AccessDenied naming the path', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const e = toDeltaError(errno(code), '/t/_delta_log/0.json')
      expect(e.code).toBe('AccessDenied')
      expect(e.message).toContain('/t/_delta_log/0.json')
      expect(e.cause).toBeInstanceOf(Error)
    }
  })

  it('maps the other errors by what the caller was doing', () => {
    expect(toDeltaError(errno('ENOENT'), 'p').code).toBe('NotFound')
    expect(toDeltaError(errno('EEXIST'), 'p', 'write').code).toBe('FileAlreadyExists')
    expect(toDeltaError(errno('EISDIR'), 'p').code).toBe('NotFound')
    expect(toDeltaError(errno('EISDIR'), 'p', 'write').code).toBe('InvalidArgument')
    expect(toDeltaError(errno('ENOTDIR'), 'p').code).toBe('NotFound')
    expect(toDeltaError(errno('ENOTDIR'), 'p', 'write').code).toBe('InvalidArgument')
    expect(toDeltaError(errno('ENOTSUP'), 'p', 'write').code).toBe('UnsupportedFeature')
    expect(toDeltaError(errno('EIO'), 'p').code).toBe('Internal')
    expect(toDeltaError('odd', 'p').code).toBe('Internal')
  })

  it('passes DeltaErrors through', () => {
    const original = new DeltaError('CommitConflict', 'x')
    expect(toDeltaError(original, 'p')).toBe(original)
  })
})

describe('explainMissingLog', () => {
  let dir: string
  beforeEach(async () => {
    dir = await makeTemp()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names a path that does not exist, absolute', async () => {
    const why = await explainMissingLog(join(dir, 'nothing', 'here'))
    expect(why).toMatchObject({ code: 'NotFound' })
    expect(why?.message).toContain(`No such path: '${join(dir, 'nothing', 'here')}'`)
  })

  it('names a file where a folder should be', async () => {
    await writeFile(join(dir, 'table.parquet'), 'x')
    const why = await explainMissingLog(join(dir, 'table.parquet'))
    expect(why).toMatchObject({ code: 'NotFound' })
    expect(why?.message).toContain(`Not a folder: '${join(dir, 'table.parquet')}' is a file`)
  })

  it('names a folder without _delta_log, or with a file of that name', async () => {
    const why = await explainMissingLog(dir)
    expect(why).toMatchObject({ code: 'NotFound' })
    expect(why?.message).toContain(`No _delta_log in '${dir}'`)
    await writeFile(join(dir, '_delta_log'), 'x')
    expect((await explainMissingLog(dir))?.message).toContain('No _delta_log in')
  })

  it('finds nothing to explain when _delta_log is a folder, even an empty one', async () => {
    await mkdir(join(dir, '_delta_log'))
    expect(await explainMissingLog(dir)).toBeUndefined()
  })
})

describe('NodeFsStorage listings', () => {
  it('leaves out names that no storage path can spell, and lists the rest', async () => {
    const dir = await makeTemp()
    try {
      const storage = new NodeFsStorage(dir)
      await storage.put('_delta_log/00000000000000000000.json', bytes('{}'))
      await writeFile(join(dir, '_delta_log', 'a\\..\\b.json'), 'x')
      await writeFile(join(dir, '_delta_log', '%2e%2e'), 'x')
      expect((await storage.list('_delta_log')).map((f) => f.path)).toEqual(['_delta_log/00000000000000000000.json'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('fails typed when a file is shorter than the range asked, or shrinks while read', async () => {
    const dir = await makeTemp()
    try {
      const storage = new NodeFsStorage(dir)
      await storage.put('part.parquet', new Uint8Array(100))
      const e = await expectDeltaError(storage.read('part.parquet', { offset: 90, length: 20 }), 'InvalidData')
      expect(e.message).toContain('part.parquet')
      expect(e.message).toContain('100 bytes')
      await writeFile(join(dir, 'empty.parquet'), '')
      await expectDeltaError(storage.read('empty.parquet', { offset: 0, length: 8 }), 'InvalidData')
      await expectDeltaError(storage.read('part.parquet', { offset: 0, length: 1e300 }), 'InvalidArgument')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
