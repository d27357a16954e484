// The conformance corpus served over HTTP with an S3 listing must list and read exactly as it
// does from the file system, odd partition folder names (spaces, %3A) included.
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpStorage } from '../../src/storage/http.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { corpusTablesDir, hasCorpus } from '../conformance/corpus.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'

const tablesDir = corpusTablesDir()
const present = hasCorpus()

async function localFiles(dir: string): Promise<{ name: string; size: number }[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = entries.filter((e) => e.isFile()).map((e) => e.name).sort()
  return Promise.all(files.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })))
}

async function compareTable(url: string, table: string): Promise<void> {
  const storage = new HttpStorage({ signer: publicHttp(url, { listing: 's3' }), root: table })
  const subdirs = (await readdir(join(tablesDir, table), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  for (const dir of ['', ...subdirs]) {
    const expected = await localFiles(join(tablesDir, table, dir))
    const listed = await storage.list(dir)
    const prefix = dir === '' ? '' : `${dir}/`
    expect(listed.map((f) => [f.path, f.size]), `${table}/${dir}`).toEqual(expected.map((f) => [prefix + f.name, f.size]))
    const first = expected[0]
    if (first !== undefined && first.size < 1_000_000) {
      const got = Buffer.from(await storage.read(prefix + first.name))
      // Buffer.equals, not toEqual: deep-equal walks a megabyte byte by byte.
      expect(got.equals(await readFile(join(tablesDir, table, dir, first.name))), `${table}/${prefix}${first.name}`).toBe(true)
    }
  }
}

describe.skipIf(!present)('the conformance corpus over HTTP', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startStaticServer({ root: tablesDir, listing: true, pageSize: 50 })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('lists every table folder and its subfolders as the file system does, and reads the same bytes', async () => {
    const tables = (await readdir(tablesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
    expect(tables.length).toBeGreaterThan(0)
    // Tables in parallel, folders of one table in order: fast, and failures still name the folder.
    await Promise.all(tables.map((table) => compareTable(server.url, table)))
  })
})
