// Row-level operations (delete, update, merge) raced against each other and against appends by
// real Node processes on a table in a temp folder, several rounds each. After every round the
// table is read and every row's fate is checked against the commits that landed: the expected
// rows are replayed here, in plain JS, from the history's order and each commit's readVersion
// (an operation's effect is worked out on the rows it read, then applied on top of the commit
// before it). A row that comes back after a delete that landed, appears twice, goes missing, or
// keeps an old value fails the round, and so does a commit that landed over a concurrent one it
// should have conflicted with, a conflict where none is due, a conflict message that does not
// name the winning version, or any error but `CommitConflict`.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake, type CommitEntry, type StructType } from '../../../src/index-node.js'
import { seededRandom } from '../../helpers/child-tools.mjs'

const ROUNDS = Number(process.env.DML_RACE_ROUNDS ?? 3)
const SEED = Number(process.env.DML_RACE_SEED ?? 3622)
/** Print every round's delays, outcomes and commits. */
const VERBOSE = process.env.DML_RACE_VERBOSE === '1'
/** Each racer waits a random 0 to this many ms after the common start. */
const MAX_DELAY_MS = 30
const CHILD_DEADLINE_MS = 30_000
const MAX_PROBLEMS = 30
const WORKER = fileURLToPath(new URL('./dml-worker.mjs', import.meta.url))

/** A type, not an interface, so that rows pass as plain-object write data. */
type Row = { id: number; part: string; v: number }

/** What a racer process runs: JSON for the child, see dml-worker.mjs. */
type Operation =
  | { kind: 'delete'; predicate: string }
  | { kind: 'update'; predicate: string; set: Record<string, string> }
  | { kind: 'append'; rows: Row[] }
  | { kind: 'merge'; source: Row[]; on: string; set: Record<string, string>; insert: Record<string, string>; isolationLevel?: 'Serializable' | 'WriteSerializable' }

interface Racer {
  name: string
  op: Operation
  /** The rows the operation removes and adds when it runs on `rows`: the model, in plain JS. */
  effect: (rows: readonly Row[]) => { removed: Row[]; added: Row[] }
  /** Whether it must fail with `CommitConflict` when the other racer commits after it read. */
  losesToConcurrent: boolean
}

interface Race {
  title: string
  partitioned: boolean
  deletionVectors: boolean
  /** The table before the race, one append per entry. */
  files: Row[][]
  racers: [Racer, Racer]
}

/** How a racer process ended, as it reported. */
interface Outcome {
  ok: boolean
  version?: number
  code?: string
  message?: string
}

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'part', type: 'string', nullable: false, metadata: {} },
    { name: 'v', type: 'long', nullable: false, metadata: {} },
  ],
}

const range = (from: number, to: number, part: string): Row[] => Array.from({ length: to - from }, (_, i) => ({ id: from + i, part, v: from + i }))
const rowKey = (r: Row): string => `${r.part}/${r.id}=${r.v}`

/** Three files of one partition: ids 0-49, 50-99, 100-149, each with v = id. */
const FLAT = [range(0, 50, 'a'), range(50, 100, 'a'), range(100, 150, 'a')]
/** Two appends over partitions a (ids 0-39) and b (ids 100-139): four files. */
const SPLIT = [[...range(0, 20, 'a'), ...range(100, 120, 'b')], [...range(20, 40, 'a'), ...range(120, 140, 'b')]]

function deleting(name: string, predicate: string, test: (r: Row) => boolean, losesToConcurrent: boolean): Racer {
  return { name, op: { kind: 'delete', predicate }, losesToConcurrent, effect: (rows) => ({ removed: rows.filter(test), added: [] }) }
}

function updating(name: string, predicate: string, test: (r: Row) => boolean, add: number, losesToConcurrent: boolean): Racer {
  return {
    name, op: { kind: 'update', predicate, set: { v: `v + ${add}` } }, losesToConcurrent,
    effect: (rows) => {
      const hit = rows.filter(test)
      return { removed: hit, added: hit.map((r) => ({ ...r, v: r.v + add })) }
    },
  }
}

function appending(name: string, rows: Row[]): Racer {
  return { name, op: { kind: 'append', rows }, losesToConcurrent: false, effect: () => ({ removed: [], added: rows.map((r) => ({ ...r })) }) }
}

/** An upsert on (part, id): matched target rows take the source's v, unmatched source rows are inserted. */
function merging(name: string, source: Row[], isolationLevel: 'Serializable' | 'WriteSerializable', losesToConcurrent: boolean): Racer {
  return {
    name, losesToConcurrent,
    op: { kind: 'merge', source, on: 't.part = s.part AND t.id = s.id', set: { v: 's.v' }, insert: { id: 's.id', part: 's.part', v: 's.v' }, isolationLevel },
    effect: (rows) => {
      const removed: Row[] = []
      const added: Row[] = []
      for (const s of source) {
        const hits = rows.filter((r) => r.part === s.part && r.id === s.id)
        if (hits.length === 0) added.push({ ...s })
        for (const h of hits) {
          removed.push(h)
          added.push({ ...h, v: s.v })
        }
      }
      return { removed, added }
    },
  }
}

const withVectors = [false, true]
const MERGE_SOURCE = [10, 11, 12, 13, 14, 40, 41, 42, 43, 44].map((id) => ({ id, part: 'a', v: 5000 + id }))

const RACES: Race[] = [
  ...withVectors.map((dv): Race => ({
    title: `update vs delete of overlapping rows${dv ? ', deletion vectors' : ''}`,
    partitioned: false, deletionVectors: dv, files: FLAT,
    racers: [
      deleting('delete', 'id < 60', (r) => r.id < 60, true),
      updating('update', 'id >= 40 AND id < 80', (r) => r.id >= 40 && r.id < 80, 1000, true),
    ],
  })),
  ...withVectors.map((dv): Race => ({
    title: `delete vs delete of the same rows${dv ? ', deletion vectors' : ''}`,
    partitioned: false, deletionVectors: dv, files: FLAT,
    racers: [
      deleting('delete-1', 'id >= 10 AND id < 30', (r) => r.id >= 10 && r.id < 30, true),
      deleting('delete-2', 'id >= 10 AND id < 30', (r) => r.id >= 10 && r.id < 30, true),
    ],
  })),
  {
    // delta-rs #3622's shape: each commit removes the file and adds it again with its own vector;
    // were both to land, the later vector would drop the earlier delete and bring its rows back.
    title: 'delete vs delete of different rows of one file, deletion vectors',
    partitioned: false, deletionVectors: true, files: FLAT,
    racers: [
      deleting('delete-low', 'id < 10', (r) => r.id < 10, true),
      deleting('delete-mid', 'id >= 20 AND id < 30', (r) => r.id >= 20 && r.id < 30, true),
    ],
  },
  ...withVectors.map((dv): Race => ({
    title: `update vs update of disjoint partitions${dv ? ', deletion vectors' : ''}`,
    partitioned: true, deletionVectors: dv, files: SPLIT,
    racers: [
      updating('update-a', "part = 'a'", (r) => r.part === 'a', 1000, false),
      updating('update-b', "part = 'b'", (r) => r.part === 'b', 2000, false),
    ],
  })),
  // The merge reads partition a only (its join keys skip b). A blind append never conflicts under
  // WriteSerializable (as in Spark and delta-rs): when it lands first, the merge still lands, as
  // if it ran before the append; the appended id 42 is also a source id, so the model then
  // expects the merge's insert and the appended row both. Under Serializable the merge must lose
  // to an append into partition a that landed after it read, and never to one into partition b.
  ...(['WriteSerializable', 'Serializable'] as const).flatMap((isolation) => (['a', 'b'] as const).map((part): Race => ({
    title: `merge vs append into partition ${part} (${part === 'a' ? 'read' : 'not read'} by the merge), ${isolation}`,
    partitioned: true, deletionVectors: false, files: SPLIT,
    racers: [
      merging('merge', MERGE_SOURCE, isolation, isolation === 'Serializable' && part === 'a'),
      appending('append', [{ id: part === 'a' ? 42 : 142, part, v: 7000 }]),
    ],
  }))),
]

const temps: string[] = []
const figures: { race: string; rounds: number; landed: number; conflicts: number; concurrent: number; ms: number }[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })))
  const total = figures.reduce((t, f) => ({ rounds: t.rounds + f.rounds, landed: t.landed + f.landed, conflicts: t.conflicts + f.conflicts, ms: t.ms + f.ms }), { rounds: 0, landed: 0, conflicts: 0, ms: 0 })
  console.log([
    ...figures.map((f) => `${f.race}: ${f.rounds} rounds, ${f.landed} commits landed, ${f.conflicts} conflicts, ${f.concurrent} rounds overlapped, ${f.ms} ms`),
    `dml races: ${total.rounds} rounds, ${total.landed} commits landed, ${total.conflicts} conflicts, ${total.ms} ms (seed ${SEED})`,
  ].join('\n'))
})

/** A racer process: ready once it has opened the table, racing on `go()`. */
interface RacerProcess {
  ready: Promise<void>
  go: () => void
  done: Promise<Outcome>
  kill: () => void
}

function startRacer(args: { dir: string; racer: string; op: Operation; delayMs: number }): RacerProcess {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let stderr = ''
  let markReady = (): void => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d
    if (out.includes('{"ready":true}')) markReady()
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS)
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const outcome = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Outcome & { ready?: boolean }).find((l) => l.ready === undefined)
      if (code !== 0 || !outcome) reject(new Error(`racer ${args.racer} ended with ${code ?? signal} and no outcome: ${stderr}`))
      else resolve(outcome)
    })
  })
  return {
    ready: Promise.race([ready, done.then(() => Promise.reject(new Error(`racer ${args.racer} ended before it was ready`)))]),
    go: () => child.stdin.end('go\n'),
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

/** A fresh table holding the race's files; returns its folder and version. */
async function setUpTable(race: Race): Promise<{ dir: string; version: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'delta-dml-race-'))
  temps.push(dir)
  await DeltaTable.create(dir, {
    schema: SCHEMA,
    partitionBy: race.partitioned ? ['part'] : undefined,
    configuration: race.deletionVectors ? { 'delta.enableDeletionVectors': 'true' } : undefined,
  })
  let version = 0
  for (const rows of race.files) version = (await writeDeltaLake(dir, rows, { mode: 'append' })).version
  return { dir, version }
}

async function readRows(dir: string): Promise<Row[]> {
  const rows = (await (await DeltaTable.open(dir)).toArrow()).toArray() as { id: bigint; part: string; v: bigint }[]
  return rows.map((r) => ({ id: Number(r.id), part: r.part, v: Number(r.v) }))
}

interface Verdict {
  problems: string[]
  landed: number
  conflicts: number
  /** Whether the two operations overlapped in time: one lost, or one landed over a commit made after it read. */
  concurrent: boolean
}

/** A commit a racer landed, as the history records it. */
interface Landed {
  racer: Racer
  version: number
  readVersion: number
}

/**
 * Everything wrong with a round: the racers' outcomes against the history, the history against
 * each racer's conflict rules, and the table's rows against the rows replayed from the history.
 */
function judgeRound(race: Race, start: number, outcomes: Outcome[], history: CommitEntry[], actual: Row[]): Verdict {
  const problems: string[] = []
  const landed: Landed[] = []
  const latest = Math.max(...history.map((h) => h.version))
  for (let version = start + 1; version <= latest; version++) {
    const entry = history.find((h) => h.version === version)
    const racer = race.racers.find((r) => r.name === entry?.racer)
    if (!racer || typeof entry?.readVersion !== 'number') problems.push(`version ${version} is not a racer's commit: ${JSON.stringify(entry)}`)
    else if (landed.some((l) => l.racer === racer)) problems.push(`${racer.name} committed twice (versions ${landed.find((l) => l.racer === racer)!.version} and ${version})`)
    else landed.push({ racer, version, readVersion: entry.readVersion })
  }
  const states = replay(race, start, landed, problems)
  let conflicts = 0
  let concurrent = false
  race.racers.forEach((racer, i) => {
    const outcome = outcomes[i]!
    const own = landed.find((l) => l.racer === racer)
    const other = landed.find((l) => l.racer !== racer)
    if (!outcome.ok) {
      concurrent = true
      if (outcome.code !== 'CommitConflict') {
        problems.push(`${racer.name} failed with ${outcome.code ?? 'an untyped error'}: ${outcome.message}`)
        return
      }
      conflicts++
      if (!racer.losesToConcurrent) problems.push(`${racer.name} lost a conflict it should not have: ${outcome.message}`)
      if (own) problems.push(`${racer.name} reported a conflict, yet the history has its commit at version ${own.version}`)
      const named = /\(version (\d+)\)/.exec(outcome.message ?? '')?.[1]
      if (!other || Number(named) !== other.version) problems.push(`${racer.name}'s conflict names version ${named}, where the winner is ${other ? `${other.racer.name} at version ${other.version}` : 'nobody'}: ${outcome.message}`)
      return
    }
    if (own) {
      if (outcome.version !== own.version) problems.push(`${racer.name} reported version ${outcome.version}, the history has it at ${own.version}`)
      const overtaken = other && other.version > own.readVersion && other.version < own.version
      if (overtaken) concurrent = true
      if (overtaken && racer.losesToConcurrent) {
        problems.push(`${racer.name} landed at version ${own.version} over ${other.racer.name}'s version ${other.version}, committed after it read version ${own.readVersion}: a conflict was missed`)
      }
      return
    }
    // Success without a commit: the operation found nothing to change at the version it read.
    const seen = outcome.version === undefined ? undefined : states.get(outcome.version)
    if (!seen) problems.push(`${racer.name} committed nothing, reporting version ${outcome.version}, which is not a version of the race`)
    else if (effectSize(racer, seen) > 0) problems.push(`${racer.name} committed nothing at version ${outcome.version}, where it had ${effectSize(racer, seen)} rows to change`)
  })
  const expected = states.get(latest)
  if (expected) problems.push(...fateProblems(expected, actual))
  // A missed conflict goes wrong row by row: the first few rows tell the story.
  const shown = problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `and ${problems.length - MAX_PROBLEMS} more`] : problems
  return { problems: shown, landed: landed.length, conflicts, concurrent }
}

function effectSize(racer: Racer, rows: readonly Row[]): number {
  const { removed, added } = racer.effect(rows)
  return removed.length + added.length
}

/**
 * The rows after each version, from the rows before the race: each landed commit's effect is
 * worked out on the rows of the version it read, and applied to the rows of the version before
 * it. Removing a row that is no longer there means two commits changed the same row and both
 * landed: a problem.
 */
function replay(race: Race, start: number, landed: readonly Landed[], problems: string[]): Map<number, Row[]> {
  const states = new Map<number, Row[]>([[start, race.files.flat()]])
  for (const l of landed) {
    const seen = states.get(l.readVersion)
    const before = states.get(l.version - 1)
    if (!seen || !before) {
      problems.push(`${l.racer.name} at version ${l.version} read version ${l.readVersion}, not one of the race's`)
      break
    }
    const rows = [...before]
    const { removed, added } = l.racer.effect(seen)
    for (const r of removed) {
      const at = rows.findIndex((x) => rowKey(x) === rowKey(r))
      if (at >= 0) rows.splice(at, 1)
      else problems.push(`${l.racer.name} at version ${l.version} (read at ${l.readVersion}) changes row ${rowKey(r)}, which an earlier commit had changed already`)
    }
    rows.push(...added)
    states.set(l.version, rows)
  }
  return states
}

/** Each id whose rows differ from the expected ones: lost, duplicated, resurrected or stale. */
function fateProblems(expected: readonly Row[], actual: readonly Row[]): string[] {
  const byId = (rows: readonly Row[]): Map<number, string[]> => {
    const m = new Map<number, string[]>()
    for (const r of rows) m.set(r.id, [...(m.get(r.id) ?? []), rowKey(r)].sort())
    return m
  }
  const want = byId(expected)
  const got = byId(actual)
  const out: string[] = []
  for (const id of [...new Set([...want.keys(), ...got.keys()])].sort((a, b) => a - b)) {
    const w = want.get(id) ?? []
    const g = got.get(id) ?? []
    if (w.join() === g.join()) continue
    const fate = w.length === 0 ? 'resurrected' : g.length === 0 ? 'lost' : g.length > w.length ? 'duplicated' : g.length < w.length ? 'lost a copy' : 'wrong value'
    out.push(`id ${id} ${fate}: expected [${w.join(', ')}], got [${g.join(', ')}]`)
  }
  return out
}

async function runRound(race: Race, random: () => number): Promise<Verdict & { context: string }> {
  const { dir, version } = await setUpTable(race)
  const delays = race.racers.map(() => Math.floor(random() * MAX_DELAY_MS))
  const racers = race.racers.map((r, i) => startRacer({ dir, racer: r.name, op: r.op, delayMs: delays[i]! }))
  let outcomes: Outcome[]
  try {
    await Promise.all(racers.map((r) => r.ready))
    for (const r of racers) r.go()
    outcomes = await Promise.all(racers.map((r) => r.done))
  } finally {
    for (const r of racers) r.kill()
  }
  const table = await DeltaTable.open(dir)
  const history = await table.history()
  const verdict = judgeRound(race, version, outcomes, history, await readRows(dir))
  const commits = history.filter((h) => h.version > version).sort((a, b) => a.version - b.version)
    .map((h) => `v${h.version} ${String(h.racer)} (read v${String(h.readVersion)})`)
  const context = `delays ${delays.join('/')} ms; outcomes ${outcomes.map((o, i) => `${race.racers[i]!.name}: ${o.ok ? `ok v${o.version}` : o.code}`).join(', ')}; commits ${commits.join(', ') || 'none'}`
  return { ...verdict, context }
}

describe('row-level operations raced by separate processes', () => {
  RACES.forEach((race, n) => {
    it(race.title, async () => {
      const started = Date.now()
      const random = seededRandom(SEED + n)
      const tally = { race: race.title, rounds: 0, landed: 0, conflicts: 0, concurrent: 0, ms: 0 }
      figures.push(tally)
      for (let round = 0; round < ROUNDS; round++) {
        const verdict = await runRound(race, random)
        tally.rounds++
        tally.landed += verdict.landed
        tally.conflicts += verdict.conflicts
        tally.concurrent += verdict.concurrent ? 1 : 0
        tally.ms = Date.now() - started
        if (VERBOSE) console.log(`${race.title}, round ${round}: ${verdict.context}`)
        expect(verdict.problems, `round ${round}: ${verdict.context}`).toEqual([])
      }
      // Rounds where the two never overlapped would test nothing about races.
      expect(tally.concurrent, `${tally.concurrent} of ${ROUNDS} rounds overlapped`).toBeGreaterThan(0)
    }, 60_000)
  })
})
