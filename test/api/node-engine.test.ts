// Opening a local path in Node: a missing table says which case it is, with the absolute path,
// while writers still create tables where there is none.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
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
  /**
   * A table partitioned by `p` whose first commit names its data files by absolute `file:` URI
   * (as Spark and Hadoop do), in the form `uriOf` gives from the table folder's `file:///` URI
   * and the relative path of the log.
   */
  async function tableWithAbsolutePaths(name: string, uriOf: (tableUri: string, path: string) => string): Promise<string> {
    const path = join(dir, name)
    await writeDeltaLake(path, [{ id: 1n, p: 'x/y' }, { id: 2n, p: 'a b' }, { id: 3n, p: '100%' }], { partitionBy: ['p'] })
    const commit = join(path, '_delta_log', '00000000000000000000.json')
    const lines = (await readFile(commit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, { path: string }>)
    for (const l of lines) if (l['add']) l['add'].path = uriOf(pathToFileURL(path).href, l['add'].path)
    await writeFile(commit, lines.map((l) => JSON.stringify(l)).join('\n'))
    return path
  }

  const FORMS: Record<string, (tableUri: string, path: string) => string> = {
    'file:/ (Spark, Hadoop)': (t, p) => `${t.replace(/^file:\/\//, 'file:')}/${p}`,
    'file://localhost/': (t, p) => `${t.replace(/^file:\/\//, 'file://localhost')}/${p}`,
    'file:///': (t, p) => `${t}/${p}`,
  }

  it.each(Object.keys(FORMS).map((form, i) => [form, i] as const))('reads data files named %s in a folder with a space and a percent sign, listing their real paths', async (form, i) => {
    const name = `abs ${i} 50%`
    const path = await tableWithAbsolutePaths(name, FORMS[form]!)
    const table = await DeltaTable.open(path)
    const rows = (await table.toArrow()).toArray().map((r) => `${String(r.id)}:${String(r.p)}`).sort()
    expect(rows).toEqual(['1:x/y', '2:a b', '3:100%'])
    const uris = await table.fileUris()
    expect(uris).toHaveLength(3)
    // Each URI names a file that exists, one in each partition folder the writer made.
    const folders = (await readdir(path)).filter((f) => f.startsWith('p=')).sort()
    expect(folders).toContain('p=x%2Fy')
    for (const uri of uris) {
      expect(uri.startsWith(`${pathToFileURL(path).href}/p=`), uri).toBe(true)
      expect((await stat(fileURLToPath(uri))).isFile()).toBe(true)
    }
    expect(uris.map((u) => relative(path, fileURLToPath(u)).split(sep)[0]).sort()).toEqual(folders)
    // The same table named by relative paths gives the same URIs.
    const plain = join(dir, `plain ${name}`)
    await writeDeltaLake(plain, [{ id: 1n, p: 'x/y' }, { id: 2n, p: 'a b' }, { id: 3n, p: '100%' }], { partitionBy: ['p'] })
    const plainUris = await (await DeltaTable.open(plain)).fileUris()
    expect(plainUris.map((u) => relative(plain, fileURLToPath(u)).split(sep)[0]).sort()).toEqual(uris.map((u) => relative(path, fileURLToPath(u)).split(sep)[0]).sort())
  })

  it('opens a table by its file:/ URI as Spark writes it', async () => {
    const path = await tableWithAbsolutePaths('by spark uri', FORMS['file:/ (Spark, Hadoop)']!)
    const table = await DeltaTable.open(pathToFileURL(path).href.replace(/^file:\/\//, 'file:'))
    expect(await table.count()).toBe(3)
    expect((await table.toArrow()).numRows).toBe(3)
  })

  it('refuses a data file outside the table, naming it', async () => {
    for (const [i, [form, uriOf]] of Object.entries(FORMS).entries()) {
      const path = await tableWithAbsolutePaths(`abs-outside ${i}`, (_t, p) => uriOf(pathToFileURL(join(dir, 'elsewhere')).href, p))
      const table = await DeltaTable.open(path)
      await expect(table.toArrow(), form).rejects.toMatchObject({ code: 'UnsupportedFeature', message: expect.stringContaining('elsewhere') })
    }
  })
})
