import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Table } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake, isDeltaError } from '../../../src/index.js'
import { canonicalizeTable } from '../../conformance/canonical.js'
import { serializeValue } from '../../conformance/canonical-value.js'
import { corpusDir, hasCorpus, loadManifest } from '../../conformance/corpus.js'

const corpus = corpusDir()
const present = hasCorpus(corpus)
const temp: string[] = []
afterAll(async () => { await Promise.all(temp.map((d) => rm(d, { recursive: true, force: true }))) })

async function canonical(t: DeltaTable, data?: Table): Promise<string[]> {
  const skip = new Set(t.schema().fields.filter((f) => 'delta.identity.start' in f.metadata).map((f) => f.name))
  const columns = t.schema().fields.filter((f) => !skip.has(f.name)).map((f) => ({ name: f.name, type: f.type }))
  const table = data ?? (await t.toArrow())
  return canonicalizeTable(table.select(columns.map((c) => c.name)), columns).map((r) => serializeValue(r)).sort()
}

type Outcome = 'written' | 'refused' | 'unreadable' | 'empty'

/** Copy a corpus table, append some of its own rows, check, overwrite with them, check. */
async function appendAndOverwrite(name: string): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'delta-interop-'))
  temp.push(dir)
  await cp(join(corpus, 'tables', name), dir, { recursive: true })
  let table: DeltaTable
  let before: Table
  try {
    table = await DeltaTable.open(dir)
    before = await table.toArrow()
  } catch (e) {
    if (isDeltaError(e)) return 'unreadable'
    throw e
  }
  if (before.numRows === 0) return 'empty'
  const identity = table.schema().fields.filter((f) => 'delta.identity.start' in f.metadata).map((f) => f.name)
  const ours = before.slice(0, Math.min(3, before.numRows)).select(before.schema.fields.map((f) => f.name).filter((n) => !identity.includes(n)))
  try {
    await writeDeltaLake(table, ours, { mode: 'append' })
  } catch (e) {
    if (isDeltaError(e, 'UnsupportedFeature')) return 'refused'
    throw e
  }
  const expected = [...(await canonical(table, before)), ...(await canonical(table, ours))].sort()
  expect(await canonical(await DeltaTable.open(dir)), `${name} after append`).toEqual(expected)
  await writeDeltaLake(table, ours, { mode: 'overwrite' })
  expect(await canonical(await DeltaTable.open(dir)), `${name} after overwrite`).toEqual(await canonical(table, ours))
  return 'written'
}

describe.skipIf(!present)('corpus tables written to by us', () => {
  const entries = present ? loadManifest(corpus).filter((e) => e.expected && !e.features.includes('expect-error')) : []
  const outcomes = new Map<Outcome, string[]>()
  afterAll(() => {
    const line = (['written', 'refused', 'unreadable', 'empty'] as const).map((o) => `${outcomes.get(o)?.length ?? 0} ${o}`).join(', ')
    console.log(`interop: ${line}; refused: ${(outcomes.get('refused') ?? []).join(', ')}; unreadable: ${(outcomes.get('unreadable') ?? []).join(', ')}`)
  })
  for (const entry of entries) {
    it(entry.name, async () => {
      const outcome = await appendAndOverwrite(entry.name)
      outcomes.set(outcome, [...(outcomes.get(outcome) ?? []), entry.name])
    })
  }
})

describe.skipIf(!present)('writing to a Spark table with a generated column', () => {
  it('computes c2 = c1 + 1 when absent and refuses a wrong value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delta-interop-'))
    temp.push(dir)
    await cp(join(corpus, 'tables', 'dbr_8_1_generated_columns'), dir, { recursive: true })
    const table = await DeltaTable.open(dir)
    const c1 = table.schema().fields[0]!.name
    await writeDeltaLake(table, [{ [c1]: 41 }], { mode: 'append' })
    const rows = (await (await DeltaTable.open(dir)).toArrow()).toArray().map((r) => r.toJSON())
    expect(rows).toEqual([{ c1: 41, c2: 42 }])
    await expect(writeDeltaLake(table, [{ c1: 1, c2: 5 }], { mode: 'append' })).rejects.toMatchObject({ code: 'ConstraintViolation' })
  })
})
