import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../../src/index.js'

const WRITERS = 8
const COMMITS = 50
const dist = new URL('../../../dist/', import.meta.url)
const dirs: string[] = []
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))) })

function runWriter(writer: number, dir: string): Promise<{ writer: number; attempts: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./append-worker.mjs', import.meta.url), { workerData: { writer, count: COMMITS, dir, dist: dist.href } })
    w.once('message', resolve)
    w.once('error', reject)
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`writer ${writer} exited with ${code}`)) })
  })
}

describe('racing writers on the file system', () => {
  it(`${WRITERS} threads x ${COMMITS} appends land every commit once, with no gap`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delta-race-'))
    dirs.push(dir)
    await DeltaTable.create(dir, { schema: { type: 'struct', fields: [
      { name: 'writer', type: 'long', nullable: false, metadata: {} },
      { name: 'seq', type: 'long', nullable: false, metadata: {} },
    ] } })
    const started = Date.now()
    const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => runWriter(i, dir)))
    const elapsed = Date.now() - started
    const table = await DeltaTable.open(dir)
    expect(table.version).toBe(WRITERS * COMMITS)
    const history = await table.history()
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: WRITERS * COMMITS + 1 }, (_, i) => WRITERS * COMMITS - i))
    expect(history.filter((h) => h.operation === 'WRITE')).toHaveLength(WRITERS * COMMITS)
    const rows = (await table.toArrow()).toArray().map((r) => `${r.writer}:${r.seq}`)
    expect(rows).toHaveLength(WRITERS * COMMITS)
    expect(new Set(rows).size).toBe(WRITERS * COMMITS)
    const attempts = results.reduce((n, r) => n + r.attempts, 0)
    console.log(`concurrency: ${WRITERS * COMMITS} commits by ${WRITERS} writers in ${elapsed} ms, ${attempts} attempts (${attempts - WRITERS * COMMITS} retries)`)
  }, 600_000)
})
