// The package as a user gets it: `npm pack` ships the built entries and nothing of the repository,
// and an empty project that installs the tarball can import, read, write and type-check every
// entry in Node. Offline: the tarball is unpacked into the project's node_modules and its
// dependencies are linked from this repository's node_modules.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
/** The runtime dependencies in package.json, and the types a Node project type-checks with. */
const LINKED = ['apache-arrow', 'aws4fetch', 'comlink', 'hyparquet', 'parquet-wasm', '@types/node']
/** npm must not reach the network, nor print notices into the JSON it answers. */
const NPM_ENV = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }

interface PackResult {
  filename: string
  files: { path: string }[]
}

/** `npm pack --json` in `cwd`; `args` add flags such as --dry-run. */
async function npmPack(cwd: string, args: string[]): Promise<PackResult> {
  const { stdout } = await run(NPM, ['pack', '--json', ...args], { cwd, env: NPM_ENV, maxBuffer: 64 << 20 })
  // Lifecycle scripts print to stdout before the JSON array.
  return (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1 || stdout.indexOf('['))) as PackResult[])[0]!
}

function expectShippedFiles(paths: string[]): void {
  for (const path of ['dist/index.js', 'dist/index.d.ts', 'dist/index-node.js', 'dist/node.js', 'dist/node.d.ts', 'dist/worker/index.js',
    'dist/worker/index.d.ts', 'dist/worker/node.js', 'dist/worker/node-worker.js', 'dist/testing.js', 'dist/testing.d.ts', 'dist/cli/main.js', 'README.md', 'LICENSE', 'package.json']) {
    expect(paths, path).toContain(path)
  }
  const outside = paths.filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(p))
  expect(outside).toEqual([])
  expect(paths.filter((p) => /^(test|src|e2e|bench|public)\/|^dist\/ui\//.test(p))).toEqual([])
}

describe('npm pack of the repository', () => {
  it('ships dist, README, LICENSE and package.json only', async () => {
    // Scripts stay off: prepare would rebuild the dist/ that other suites read while they run.
    const { files } = await npmPack(ROOT, ['--dry-run', '--ignore-scripts'])
    expectShippedFiles(files.map((f) => f.path))
  })
})

describe('the packed package in an empty project', () => {
  let temp: string
  let project: string
  let packed: string[] = []

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'deltalake-pack-'))
    // A copy of what prepare needs, so it can build and clean its own dist/ in peace.
    const source = join(temp, 'source')
    await mkdir(source)
    for (const name of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'src']) {
      await cp(join(ROOT, name), join(source, name), { recursive: true })
    }
    await symlink(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'junction')
    await mkdir(join(source, 'dist', 'delta'), { recursive: true })
    await writeFile(join(source, 'dist', 'delta', 'storage.js'), '// a file of an older layout\n')
    const result = await npmPack(source, ['--pack-destination', temp])
    packed = result.files.map((f) => f.path)

    project = join(temp, 'project')
    const installed = join(project, 'node_modules', 'deltalake')
    await mkdir(installed, { recursive: true })
    await run('tar', ['-xzf', join(temp, result.filename), '-C', installed, '--strip-components=1'])
    for (const name of LINKED) {
      await mkdir(dirname(join(project, 'node_modules', name)), { recursive: true })
      await symlink(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), 'junction')
    }
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }))
  }, 180_000)

  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true })
  })

  /** Run an ES module script in the project; its last line of output is JSON. */
  async function runScript(name: string, code: string, args: string[] = []): Promise<unknown> {
    await writeFile(join(project, name), code)
    const { stdout } = await run(process.execPath, [name, ...args], { cwd: project, timeout: 60_000 })
    return JSON.parse(stdout.trim().split('\n').at(-1)!)
  }

  it('is built by prepare, without files of older layouts', async () => {
    expectShippedFiles(packed)
    expect(packed).not.toContain('dist/delta/storage.js')
    expect(await readdir(join(project, 'node_modules', 'deltalake'))).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'README.md', 'package.json']))
  })

  it('runs the quick start from "deltalake" on a local folder', async () => {
    const out = await runScript('quick-start.mjs', QUICK_START)
    expect(out).toEqual({
      created: 0, rows: 2, appended: 1, rowsAfter: 3, history: [1, 0], operations: ['WRITE', 'CREATE TABLE'], versionZeroRows: 2,
      inMain: { CountingStorage: false, FailingStorage: false, NodeFsStorage: false }, testing: ['CountingStorage', 'FailingStorage', 'isInjectedFailure'],
      missing: 'NotFound', entry: 'dist/index-node.js',
    })
  })

  it('runs the command named in bin on the quick start table', async () => {
    const pkg = JSON.parse(await readFile(join(project, 'node_modules', 'deltalake', 'package.json'), 'utf8')) as { bin: Record<string, string> }
    const bin = join(project, 'node_modules', 'deltalake', pkg.bin['deltalake']!)
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
    const { stdout } = await run(process.execPath, [bin, 'info', 'tables/quick-start'], { cwd: project, timeout: 60_000 })
    expect(stdout).toContain('version: 1\n')
    expect(stdout).toContain('rows: 3\n')
  })

  it('opens local paths in Node from the browser-safe dist/index.js too', async () => {
    const out = await runScript('browser-entry.mjs', BROWSER_ENTRY)
    expect(out).toEqual({ version: 0, rows: 1 })
  })

  it('refuses an unknown mode and schema mode with InvalidArgument, leaving the table as it was', async () => {
    const out = await runScript('bad-mode.mjs', BAD_MODE)
    expect(out).toEqual({
      mode: { code: 'InvalidArgument', message: expect.stringMatching(/overwite[\s\S]*append[\s\S]*overwrite/) },
      schemaMode: { code: 'InvalidArgument', message: expect.stringMatching(/mrege[\s\S]*merge/) },
      versions: [0, 0], files: [1, 1], rows: 1,
    })
  })

  it('reads through a Node pool, and the process exits without terminate()', async () => {
    // A pool that held the event loop would keep the script alive until the 60 s timeout.
    const out = await runScript('pool.mjs', POOL) as { version: number; rows: number; doneAt: number }
    const exitedAt = Date.now()
    expect(out).toMatchObject({ version: 0, rows: 3, sameEntry: true })
    expect(exitedAt - out.doneAt).toBeLessThan(5_000)
  })

  /** Type-check `code` in the project with `compilerOptions`; resolves to tsc's output. */
  async function typeCheck(name: string, code: string, compilerOptions: object): Promise<string> {
    await writeFile(join(project, `${name}.ts`), code)
    await writeFile(join(project, `${name}.tsconfig.json`), JSON.stringify({
      compilerOptions: { target: 'ES2023', strict: true, skipLibCheck: false, noEmit: true, ...compilerOptions },
      files: [`${name}.ts`],
    }))
    return run(process.execPath, [TSC, '-p', `${name}.tsconfig.json`], { cwd: project }).then(
      ({ stdout }) => stdout,
      // A failure is never '': tsc may say why on stderr alone, or not at all.
      (e: { stdout?: string; stderr?: string; code?: unknown }) => `tsc failed (exit ${String(e.code)})\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    )
  }

  it('type-checks every entry in a Node project without the DOM lib', async () => {
    const options = { lib: ['ES2023'], types: ['node'], module: 'NodeNext', moduleResolution: 'NodeNext' }
    expect(await typeCheck('node-check', TYPE_CHECK, options)).toBe('')
  })

  it('type-checks the browser entries in a DOM project, with the browser\'s own handles and workers', async () => {
    const options = { lib: ['ES2023', 'DOM', 'DOM.Iterable', 'DOM.AsyncIterable'], types: [], module: 'ESNext', moduleResolution: 'Bundler' }
    expect(await typeCheck('dom-check', DOM_TYPE_CHECK, options)).toBe('')
  })
})

const QUICK_START = `
import { join } from 'node:path'
import { DeltaTable, writeDeltaLake } from 'deltalake'
import * as main from 'deltalake'
import * as testing from 'deltalake/testing'

// A relative path, as the README writes it; the tables live in the project, removed with it.
const dir = 'tables/quick-start'
const created = await writeDeltaLake(dir, [{ id: 1n, name: 'a' }, { id: 2n, name: 'b' }])
const table = await DeltaTable.open(dir)
const rows = (await table.toArrow()).numRows
const appended = await writeDeltaLake(dir, [{ id: 3n, name: 'c' }], { mode: 'append' })
await table.updateIncremental()
const rowsAfter = (await table.toArrow({ columns: ['id'] })).numRows
const history = await table.history()
await table.loadAsVersion(0)
const versionZeroRows = (await table.toArrow()).numRows
const missing = await DeltaTable.open(join(dir, 'nothing-here')).then(() => 'opened', (e) => e.code)
console.log(JSON.stringify({
  created: created.version, rows, appended: appended.version, rowsAfter,
  history: history.map((c) => c.version), operations: history.map((c) => c.operation), versionZeroRows,
  inMain: { CountingStorage: 'CountingStorage' in main, FailingStorage: 'FailingStorage' in main, NodeFsStorage: 'NodeFsStorage' in main },
  testing: Object.keys(testing).sort(), missing,
  entry: import.meta.resolve('deltalake').split('/deltalake/').at(-1),
}))
`

// Only the file the browser condition picks, loaded by path: the Node engine is found at run time.
const BROWSER_ENTRY = `
const { DeltaTable, writeDeltaLake } = await import('./node_modules/deltalake/dist/index.js')

const dir = 'tables/browser-entry'
await writeDeltaLake(dir, [{ id: 1n }])
const table = await DeltaTable.open(dir)
console.log(JSON.stringify({ version: table.version, rows: (await table.toArrow()).numRows }))
`

const BAD_MODE = `
import { DeltaTable, writeDeltaLake } from 'deltalake'

const dir = 'tables/bad-mode'
await writeDeltaLake(dir, [{ id: 1n }])
const before = await DeltaTable.open(dir)
const refusal = (e) => ({ code: e.code, message: e.message })
const mode = await writeDeltaLake(dir, [{ id: 2n }], { mode: 'overwite' }).then(() => 'written', refusal)
const schemaMode = await writeDeltaLake(dir, [{ id: 2n }], { mode: 'append', schemaMode: 'mrege' }).then(() => 'written', refusal)
const after = await DeltaTable.open(dir)
console.log(JSON.stringify({
  mode, schemaMode, versions: [before.version, after.version],
  files: [(await before.files()).length, (await after.files()).length], rows: (await after.toArrow()).numRows,
}))
`

const POOL = `
import { resolve } from 'node:path'
import { writeDeltaLake } from 'deltalake'
import { createNodePool, WorkerDeltaTable } from 'deltalake/worker/node'

const dir = resolve('tables/pool')
await writeDeltaLake(dir, [{ id: 1n }, { id: 2n }, { id: 3n }])
const pool = createNodePool({ size: 2 })
const table = await WorkerDeltaTable.open(pool, { kind: 'node-fs', dir })
const rows = (await table.toArrow()).numRows
const sameEntry = (await import('deltalake/worker')).createNodePool === createNodePool
console.log(JSON.stringify({ version: table.version, rows, sameEntry, doneAt: Date.now() }))
// No pool.terminate(): the idle workers must not keep the process alive.
`

const TYPE_CHECK = `
import { DeltaError, DeltaTable, FsaStorage, MemoryStorage, writeDeltaLake, type FsaDirectoryHandle, type Storage } from 'deltalake'
import { NodeFsStorage, nodeEngine, nodeParquetCodec } from 'deltalake/node'
import { createBrowserPool, fsaStorageDescriptor, WorkerDeltaTable, type StorageDescriptor } from 'deltalake/worker'
import { createNodePool, type NodePoolOptions } from 'deltalake/worker/node'
// Under Node's condition, deltalake/worker is the Node pool's entry too.
import { createNodePool as fromWorker } from 'deltalake/worker'
import { CountingStorage, FailingStorage, isInjectedFailure } from 'deltalake/testing'
// @ts-expect-error the test storages are only in deltalake/testing
import { CountingStorage as NotInMain } from 'deltalake'

export async function quickStart(dir: string): Promise<number> {
  await writeDeltaLake(dir, [{ id: 1n }], { mode: 'append' })
  const table = await DeltaTable.open(dir)
  await table.loadAsVersion(0)
  const rows: number = (await table.toArrow({ columns: ['id'] })).numRows
  return rows + (await table.history()).length
}

export const storages: Storage[] = [new CountingStorage(new FailingStorage(new MemoryStorage(), { failAt: 2 })), new NodeFsStorage('.')]
export const local: StorageDescriptor = { kind: 'node-fs', dir: '.' }
export const options: NodePoolOptions = { size: 1 }
export const samePool: typeof createNodePool = fromWorker
export const pools = [createNodePool, createBrowserPool]
export const isError = (e: unknown): boolean => e instanceof DeltaError || isInjectedFailure(e)
export function folder(handle: FsaDirectoryHandle): unknown[] {
  return [new FsaStorage(handle), fsaStorageDescriptor(handle)]
}
export { nodeEngine, nodeParquetCodec, WorkerDeltaTable, NotInMain }
`

const DOM_TYPE_CHECK = `
import { DeltaTable, FsaStorage } from 'deltalake'
import { createBrowserPool, fsaStorageDescriptor, WorkerDeltaTable } from 'deltalake/worker'

export async function open(): Promise<WorkerDeltaTable> {
  const folder = await navigator.storage.getDirectory()
  const pool = createBrowserPool({ createWorker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) })
  await DeltaTable.open('local', { storage: new FsaStorage(folder) })
  return WorkerDeltaTable.open(pool, fsaStorageDescriptor(folder))
}
`
