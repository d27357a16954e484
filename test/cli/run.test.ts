import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { runCli } from '../../src/cli/run.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deltalake-cli-'))
  await writeDeltaLake(join(dir, 't'), [{ id: 1n, p: 'a' }, { id: 2n, p: 'b' }], { partitionBy: ['p'] })
  await writeDeltaLake(join(dir, 't'), [{ id: 3n, p: 'a' }], { mode: 'append' })
})

afterAll(() => rm(dir, { recursive: true, force: true }))

describe('deltalake info', () => {
  it('describes the latest version of a table', async () => {
    const r = await runCli(['info', join(dir, 't')])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('version: 1\n')
    expect(r.stdout).toContain('partition columns: p\n')
    expect(r.stdout).toContain('files: 3\n')
    expect(r.stdout).toContain('rows: 3\n')
    expect(r.stdout).toContain('  id: long\n')
  })

  it('describes an older version with --version', async () => {
    const r = await runCli(['info', join(dir, 't'), '--version', '0'])
    expect(r.stdout).toContain('rows: 2\n')
  })

  it('fails with the error code and a message for a missing table, and usage for bad arguments', async () => {
    const missing = await runCli(['info', join(dir, 'nope')])
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(missing.stderr).toMatch(/^NotFound: .*No such path/)
    expect((await runCli(['info'])).stderr).toMatch(/info needs a table path[\s\S]*usage:/)
    expect((await runCli(['info', 'x', '--version', 'two'])).stderr).toContain("--version needs a whole number, got 'two'")
    expect((await runCli(['info', 'x', '--version', ''])).stderr).toContain("--version needs a whole number, got ''")
    expect((await runCli(['info', 'x', '--version', '1', 'y'])).stderr).toContain("unexpected argument 'y'")
    expect((await runCli(['frobnicate'])).code).toBe(1)
    expect((await runCli([])).stdout).toMatch(/^usage: deltalake/)
  })
})
