// Hostile inputs in bulk: seeded mutations of commit lines, checkpoint, data and deletion vector
// bytes and `_last_checkpoint` of a dozen corpus tables and of tables our writer makes, each read
// in a child process. Zero crashes, zero untyped errors, zero hangs, and no answer that differs
// from the intact table's unless the mutation is on the allow-list (ALLOWED_CHANGES).
// `npm run soak` runs many more (HOSTILE_SCALE).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeDeltaLake } from '../../src/index-node.js'
import { corpusTablesDir, hasCorpus } from '../conformance/corpus.js'
import { ALLOWED_CHANGES, httpFaults, mutateTable, type Mutation } from './mutations.js'
import { Random } from './random.js'
import { runMutations, type Outcome } from './run-cases.js'
import { CORPUS_TABLES, loadSourceTable, type SourceTable } from './tables.js'

const SCALE = Number(process.env.HOSTILE_SCALE ?? 1)
const SEED = Number(process.env.HOSTILE_SEED ?? 13)
const PER_TABLE = Math.round(40 * SCALE)
const HTTP_PER_TABLE = Math.round(16 * SCALE)
/** Tables also read over HTTP from a misbehaving server. */
const HTTP_TABLES = ['own-partitioned', 'basic_partitioned', 'basic-with-checkpoint', 'table-with-dv-small', 'v2-parquet-sidecars-struct-stats-only']

let scratch: string

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hostile-tables-'))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Tables our own writer makes: plain with appends, partitioned with a checkpoint, column-mapped. */
async function writeOwnTables(): Promise<Record<string, string>> {
  const rows = (n: number, offset: number) =>
    tableFromArrays({
      id: Int32Array.from({ length: n }, (_, i) => offset + i),
      name: Array.from({ length: n }, (_, i) => `name-${offset + i}`),
      region: Array.from({ length: n }, (_, i) => ['EU', 'US', 'APAC'][i % 3]!),
      amount: Float64Array.from({ length: n }, (_, i) => (offset + i) * 1.5),
    })
  const plain = join(scratch, 'own-plain')
  for (let v = 0; v < 3; v++) await writeDeltaLake(plain, rows(50, v * 50), { mode: 'append' })
  const partitioned = join(scratch, 'own-partitioned')
  for (let v = 0; v < 4; v++) {
    await writeDeltaLake(partitioned, rows(30, v * 30), { mode: 'append', partitionBy: ['region'], configuration: { 'delta.checkpointInterval': '2' } })
  }
  const mapped = join(scratch, 'own-column-mapping')
  for (let v = 0; v < 2; v++) {
    await writeDeltaLake(mapped, rows(20, v * 20), {
      mode: 'append',
      partitionBy: ['region'],
      configuration: { 'delta.columnMapping.mode': 'name', 'delta.minReaderVersion': '2', 'delta.minWriterVersion': '5' },
    })
  }
  return { 'own-plain': plain, 'own-partitioned': partitioned, 'own-column-mapping': mapped }
}

function nameSeed(name: string): number {
  let h = SEED
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0
  return h
}

/** Why an outcome is wrong for its mutation, or undefined when it is right. */
function judge(m: Mutation, o: Outcome, intact: Outcome): string | undefined {
  if (o.outside?.length) return `requests left the table prefix: ${o.outside.join('; ')}`
  if (o.outcome === 'crash') return `process crashed (${o.detail})`
  if (o.outcome === 'hang') return 'no answer before the deadline'
  if (o.outcome === 'untyped') return `untyped ${o.name}: ${o.message}\n${o.stack}`
  if (o.outcome === 'typed') return m.expect === 'same' ? `${o.code} on a mutated hint, where the intact answer was due: ${o.message}` : undefined
  if (intact.outcome !== 'ok') return 'the intact table did not read'
  if (m.expect === 'error') return `read as ${o.answer} where a typed error was due`
  if (o.answer !== intact.answer && !m.allow) return `a different answer (${o.answer}, intact ${intact.answer})`
  return undefined
}

describe('hostile inputs', () => {
  it(
    'never crash, hang, throw untyped errors or answer wrongly',
    async () => {
      const sources: SourceTable[] = []
      const folders: Record<string, string> = await writeOwnTables()
      if (hasCorpus()) for (const name of CORPUS_TABLES) folders[name] = join(corpusTablesDir(), name)
      for (const [name, root] of Object.entries(folders)) sources.push(await loadSourceTable(name, root))
      const mutations = sources.flatMap((t) => mutateTable(t, new Random(nameSeed(t.name)), PER_TABLE))
      for (const t of sources) if (HTTP_TABLES.includes(t.name)) mutations.push(...httpFaults(t, new Random(nameSeed(`http:${t.name}`)), HTTP_PER_TABLE))
      const started = performance.now()
      const { intact, outcomes } = await runMutations(mutations, { tables: folders, deadlineMs: 15_000, processes: 2, batchSize: 150, httpOptions: { stallTimeoutMs: 1000 } })
      for (const [name, o] of intact) expect(o.outcome, `intact ${name}: ${JSON.stringify(o)}`).toBe('ok')

      const failures: string[] = []
      const tally = new Map<string, Map<string, number>>()
      outcomes.forEach((o, i) => {
        const m = mutations[i]!
        const label = o.outcome === 'ok' ? (o.answer === (intact.get(m.table) as { answer?: string }).answer ? 'same' : `allowed:${m.allow ?? '-'}`) : o.outcome === 'typed' ? o.code : o.outcome
        const byKind = tally.get(m.kind) ?? new Map<string, number>()
        byKind.set(label, (byKind.get(label) ?? 0) + 1)
        tally.set(m.kind, byKind)
        const why = judge(m, o, intact.get(m.table)!)
        if (why) failures.push(`${m.table} ${m.kind} [${m.detail}]: ${why}`)
      })
      const lines = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([kind, counts]) => `  ${kind}: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`)
      console.log(`hostile inputs: ${mutations.length} mutations of ${sources.length} tables in ${Math.round(performance.now() - started)} ms, ${failures.length} wrong\n${lines.join('\n')}`)
      // HOSTILE_REPORT names a file for every wrong outcome (the assertion shows the first 40).
      if (process.env.HOSTILE_REPORT) writeFileSync(process.env.HOSTILE_REPORT, failures.join('\n\n'))
      expect(Object.keys(ALLOWED_CHANGES).length).toBeGreaterThan(0)
      expect(failures.slice(0, 40), `${failures.length} wrong outcomes`).toEqual([])
    },
    600_000,
  )
})
