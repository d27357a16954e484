import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found from this file so no machine path is ever written down. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The conformance corpus folder: env `DELTA_CORPUS`, else `../shared/delta-corpus` next to the
 * repository. It is read in place, never copied into the project.
 */
export function corpusDir(): string {
  const fromEnv = process.env.DELTA_CORPUS
  return fromEnv ? resolve(fromEnv) : resolve(REPO_ROOT, '../shared/delta-corpus')
}

/**
 * True when the corpus folder (`corpusDir()` by default) holds a manifest. Every suite that reads
 * the corpus skips without it; the global setup says once per run that it is absent.
 */
export function hasCorpus(dir: string = corpusDir()): boolean {
  return existsSync(join(dir, 'manifest.json'))
}

/** The folder of the corpus tables, one sub-folder per table. */
export function corpusTablesDir(dir: string = corpusDir()): string {
  return join(dir, 'tables')
}

/** The one line a run prints when the corpus is absent; undefined when it is there. */
export function absentCorpusNote(): string | undefined {
  const dir = corpusDir()
  if (hasCorpus(dir)) return undefined
  return `conformance corpus not found at ${dir} (set DELTA_CORPUS to its folder): the suites that read it are skipped`
}

/** What a table's expectation is and where it lives (paths relative to the corpus folder). */
export type ExpectedRef =
  | { kind: 'parquet-dir'; path: string; files?: number; rowCount?: number }
  | { kind: 'json'; path: string; cases?: number }

/** One table of `manifest.json` (the fields the suite uses). */
export interface ManifestEntry {
  name: string
  /** Table root, relative to the corpus folder. */
  table: string
  features: string[]
  readerFeatures: string[]
  writerFeatures: string[]
  latestVersion: number
  partitionColumns: string[]
  expected: ExpectedRef | null
  /** Versions the expectation refers to; null means latest. */
  version: number | number[] | null
  notes: string
}

/** Every table of the corpus manifest, in manifest order. */
export function loadManifest(dir: string): ManifestEntry[] {
  const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Partial<ManifestEntry>[]
  return raw.map((e) => ({
    name: String(e.name),
    table: String(e.table ?? `tables/${String(e.name)}`),
    features: e.features ?? [],
    readerFeatures: e.readerFeatures ?? [],
    writerFeatures: e.writerFeatures ?? [],
    latestVersion: e.latestVersion ?? 0,
    partitionColumns: e.partitionColumns ?? [],
    expected: e.expected ?? null,
    version: e.version ?? null,
    notes: e.notes ?? '',
  }))
}

/** A column of an expected result: name and Delta type in the protocol's JSON shape. */
export interface ExpectedColumn {
  name: string
  type: unknown
}

/** A row filter of a snapshot query, applied after reading. */
export interface ExpectedFilter {
  column: string
  op: string
  value: string | number | boolean | null
}

/** What a case asks the reader for. */
export type ExpectedQuery =
  | { type: 'snapshot'; version: number | null; columns: string[] | null; filter: ExpectedFilter | null }
  | { type: 'cdf'; startVersion: number; endVersion: number | null }
  | { type: 'metadata'; version: number | null }

/** Table-level facts a metadata case asserts; each is checked only when present. */
export interface ExpectedMetadata {
  version?: number
  activeFiles?: { path: string; modificationTime?: number }[]
  appTransactions?: Record<string, number>
  checkpointVersion?: number
}

/** One case of an `expected.json`. */
export interface ExpectedCase {
  query: ExpectedQuery
  columns?: ExpectedColumn[]
  rows?: unknown[][]
  rowCount?: number
  expectMetadata?: ExpectedMetadata
  expectError?: boolean
  reason?: string
  notes?: string
}

/** The cases of a `json` expectation. */
export function loadExpectedCases(dir: string, ref: ExpectedRef): ExpectedCase[] {
  const file = ref.path.endsWith('.json') ? join(dir, ref.path) : join(dir, ref.path, 'expected.json')
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { cases?: ExpectedCase[] }
  if (!Array.isArray(doc.cases)) throw new Error(`${ref.path} has no cases`)
  return doc.cases
}
