// Runs hostile inputs in child processes, a batch per process, and tells crashes, hangs, untyped
// errors and wrong answers apart. A child that dies is replaced and the batch goes on after the
// input that killed it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChildBatch } from '../helpers/child-batch.js'
import type { Mutation } from './mutations.js'

/** What one input did. `ok` carries the answer's digest (version, rows, hash of the rows). */
export type Outcome = (
  | { outcome: 'ok'; answer: string }
  | { outcome: 'typed'; code: string; message: string }
  | { outcome: 'untyped'; name: string; message: string; stack: string }
  | { outcome: 'hang' }
  | { outcome: 'crash'; detail: string }
) & {
  /** Requests an HTTP case sent outside the table's prefix. */
  outside?: string[]
}

/** A case as the child takes it: a table to copy and the files to replace in the copy. */
interface ChildCase {
  id: string
  table: string
  files: Record<string, string | null>
  http?: Mutation['http']
}

export interface RunOptions {
  /** Folder of each table by name. */
  tables: Record<string, string>
  /** Longest time one input may take before it counts as a hang. */
  deadlineMs: number
  /** Child processes at once. */
  processes: number
  /** Inputs per child process. */
  batchSize: number
  /** Options of the HTTP storage of HTTP cases (timeouts, retries). */
  httpOptions?: Record<string, unknown>
}

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))

/** The intact answer of every table (key `intact:<name>`) and the outcome of every mutation, by index. */
export async function runMutations(mutations: Mutation[], opts: RunOptions): Promise<{ intact: Map<string, Outcome>; outcomes: Outcome[] }> {
  const cases: ChildCase[] = Object.keys(opts.tables).map((name) => ({ id: `intact:${name}`, table: name, files: {} }))
  mutations.forEach((m, i) => cases.push({ id: String(i), table: m.table, files: encodeFiles(m.files), ...(m.http && { http: m.http }) }))
  const results = new Map<string, Outcome>()
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'))
  try {
    const batches: ChildCase[][] = []
    for (let i = 0; i < cases.length; i += opts.batchSize) batches.push(cases.slice(i, i + opts.batchSize))
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next]!
        const file = join(dir, `batch-${next++}.json`)
        await runBatch(batch, file, opts, results)
      }
    }
    await Promise.all(Array.from({ length: opts.processes }, lane))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const intact = new Map<string, Outcome>()
  for (const name of Object.keys(opts.tables)) intact.set(name, results.get(`intact:${name}`) ?? { outcome: 'crash', detail: 'no result' })
  return { intact, outcomes: mutations.map((_, i) => results.get(String(i)) ?? { outcome: 'crash', detail: 'no result' }) }
}

function encodeFiles(files: Mutation['files']): ChildCase['files'] {
  const out: ChildCase['files'] = {}
  for (const [path, bytes] of Object.entries(files)) out[path] = bytes === null ? null : Buffer.from(bytes).toString('base64')
  return out
}

/** A line the child prints: a case starting, or a case's outcome. */
type ChildLine = { start: string } | (Outcome & { id: string })

/** Run a batch in children until every case has an outcome; a dead child's current case is a crash. */
async function runBatch(batch: ChildCase[], file: string, opts: RunOptions, results: Map<string, Outcome>): Promise<void> {
  let remaining = batch
  while (remaining.length > 0) {
    writeFileSync(file, JSON.stringify({ tables: opts.tables, deadlineMs: opts.deadlineMs, httpOptions: opts.httpOptions ?? {}, cases: remaining }))
    // The child keeps a deadline per case; this one only stops a child that stopped entirely.
    const run = await runChildBatch<ChildLine>(CHILD, [file], remaining.length * opts.deadlineMs + 30_000)
    let current: string | undefined
    for (const line of run.lines) {
      if ('start' in line) current = line.start
      else {
        const { id, ...outcome } = line
        results.set(id, outcome as Outcome)
        current = undefined
      }
    }
    const exit = `exit ${run.code ?? run.signal}${run.timedOut ? ' (batch deadline)' : ''}: ${run.stderr.trim().split('\n').slice(-4).join(' | ')}`
    if (current !== undefined) results.set(current, { outcome: 'crash', detail: exit })
    remaining = remaining.filter((c) => !results.has(c.id))
    if (current === undefined && remaining.length > 0) {
      // The child ended without starting the rest: count them as crashes.
      for (const c of remaining) results.set(c.id, { outcome: 'crash', detail: `child ended early: ${exit}` })
      remaining = []
    }
  }
}
