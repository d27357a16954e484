// Opening a local path in Node: a missing table says which case it is, with the absolute path,
// while writers still create tables where there is none.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { nodeEngine, NodeTableStorage } from '../../src/api/node-engine.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { DeltaError } from '../../src/delta/engine/errors.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deltalake-node-engine-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The DeltaError `open` rejects with. */
async function openError(uri: string): Promise<DeltaError> {
  const e: unknown = await DeltaTable.open(uri).then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(DeltaError)
  return e as DeltaError
}

describe('DeltaTable.open of a local path', () => {
  it('says there is no such path, with the absolute path', async () => {
    const e = await openError(join(dir, 'missing'))
    expect(e.code).toBe('NotFound')
    expect(e.message).toContain(`No such path: '${join(dir, 'missing')}'`)
  })

  it('resolves a relative path before naming it', async () => {
    const e = await openError(relative(process.cwd(), join(dir, 'missing-too')))
    expect(e.message).toContain(`'${join(dir, 'missing-too')}'`)
  })

  it('says a file is not a folder', async () => {
    await writeFile(join(dir, 'part-0.parquet'), 'PAR1')
    const e = await openError(join(dir, 'part-0.parquet'))
    expect(e.code).toBe('NotFound')
    expect(e.message).toContain(`Not a folder: '${join(dir, 'part-0.parquet')}' is a file`)
  })

  it('says a folder has no _delta_log, for paths and file: URLs', async () => {
    await mkdir(join(dir, 'plain'))
    for (const uri of [join(dir, 'plain'), pathToFileURL(join(dir, 'plain')).href]) {
      const e = await openError(uri)
      expect(e.code).toBe('NotFound')
      expect(e.message).toContain(`No _delta_log in '${join(dir, 'plain')}'`)
    }
  })

  it('leaves an empty _delta_log to the reader, still NotFound', async () => {
    await mkdir(join(dir, 'empty-log', '_delta_log'), { recursive: true })
    const e = await openError(join(dir, 'empty-log'))
    expect(e.code).toBe('NotFound')
    expect(e.message).toMatch(/_delta_log/)
  })
})

describe('writing where there is no table yet', () => {
  it('creates the folders and the table', async () => {
    const path = join(dir, 'new', 'nested', 'table')
    await writeDeltaLake(path, [{ id: 1n }])
    const table = await DeltaTable.open(path)
    expect(table.version).toBe(0)
    expect((await table.toArrow()).numRows).toBe(1)
  })

  it('creates a table in an existing folder without a log', async () => {
    await mkdir(join(dir, 'folder-first'))
    await writeDeltaLake(join(dir, 'folder-first'), [{ id: 1n }])
    expect(await readdir(join(dir, 'folder-first', '_delta_log'))).toContain('00000000000000000000.json')
  })

  it('refuses to write where a file stands', async () => {
    await writeFile(join(dir, 'a-file'), 'x')
    await expect(writeDeltaLake(join(dir, 'a-file'), [{ id: 1n }])).rejects.toBeInstanceOf(DeltaError)
  })
})

describe('nodeEngine', () => {
  it('gives a table storage for paths and keeps a given storage', async () => {
    const engine = await nodeEngine(join(dir, 'x'), {})
    expect(engine.storage).toBeInstanceOf(NodeTableStorage)
    const storage = new NodeTableStorage(dir)
    expect((await nodeEngine('label', { storage })).storage).toBe(storage)
  })

  it('lists a missing folder other than a log as empty', async () => {
    const storage = new NodeTableStorage(join(dir, 'missing'))
    expect(await storage.list('data')).toEqual([])
    await expect(storage.list('_delta_log')).rejects.toThrow(/No such path/)
    await expect(storage.list('sub/_delta_log/')).rejects.toThrow(/No such path/)
  })
})

describe('absolute paths in the log', () => {
  /** A table whose first commit names its data file by absolute `file:` URI (as some writers do). */
  async function tableWithAbsolutePath(name: string, uriOf: (tableDir: string, path: string) => string): Promise<string> {
    const path = join(dir, name)
    await writeDeltaLake(path, [{ id: 1n }, { id: 2n }])
    const commit = join(path, '_delta_log', '00000000000000000000.json')
    const lines = (await readFile(commit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, { path: string }>)
    for (const l of lines) if (l['add']) l['add'].path = uriOf(path, l['add'].path)
    await writeFile(commit, lines.map((l) => JSON.stringify(l)).join('\n'))
    return path
  }

  it('reads a data file named by a file: URI under the table root, and lists it as that URI', async () => {
    const path = await tableWithAbsolutePath('abs inside', (t, p) => `${pathToFileURL(t).href}/${p}`)
    const table = await DeltaTable.open(path)
    expect((await table.toArrow()).numRows).toBe(2)
    const [uri] = await table.fileUris()
    expect(uri).toMatch(/^file:\/\/.*\/abs inside\/part-.*\.parquet$/)
    expect(await table.count()).toBe(2)
  })

  it('refuses a data file outside the table, naming it', async () => {
    const path = await tableWithAbsolutePath('abs-outside', (_t, p) => `${pathToFileURL(join(dir, 'elsewhere')).href}/${p}`)
    const table = await DeltaTable.open(path)
    await expect(table.toArrow()).rejects.toMatchObject({ code: 'UnsupportedFeature', message: expect.stringContaining('elsewhere') })
  })
})
