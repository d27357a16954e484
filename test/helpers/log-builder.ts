import type { Storage } from '../../src/delta/engine/storage.js'
import { commitPath, padVersion } from '../../src/delta/log/log-path.js'

const enc = new TextEncoder()

/** A minimal schema string with the given long columns. */
export function schemaOf(...columns: string[]): string {
  return JSON.stringify({ type: 'struct', fields: columns.map((name) => ({ name, type: 'long', nullable: true, metadata: {} })) })
}

/** The actions of a version-0 commit: protocol and metadata. */
export function createActions(opts: { columns?: string[]; partitionColumns?: string[]; configuration?: Record<string, string>; reader?: number; readerFeatures?: string[] } = {}): object[] {
  const protocol: Record<string, unknown> = { minReaderVersion: opts.reader ?? 1, minWriterVersion: 2 }
  if (opts.readerFeatures) Object.assign(protocol, { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: opts.readerFeatures, writerFeatures: opts.readerFeatures })
  return [
    { commitInfo: { timestamp: 1, operation: 'CREATE TABLE' } },
    { protocol },
    {
      metaData: {
        id: 'test-table', format: { provider: 'parquet', options: {} },
        schemaString: schemaOf(...(opts.columns ?? ['id'])), partitionColumns: opts.partitionColumns ?? [],
        configuration: opts.configuration ?? {}, createdTime: 1,
      },
    },
  ]
}

/** An add action object for a file that need not exist. */
export function addAction(path: string, extra: Record<string, unknown> = {}): object {
  return { add: { path, partitionValues: {}, size: 100, modificationTime: 1, dataChange: true, ...extra } }
}

/** A remove action object. */
export function removeAction(path: string, extra: Record<string, unknown> = {}): object {
  return { remove: { path, deletionTimestamp: 2, dataChange: true, ...extra } }
}

/** Write commit `version` with these actions as newline-delimited JSON. */
export async function writeCommit(storage: Storage, version: number, actions: object[], root = ''): Promise<void> {
  const text = actions.map((a) => JSON.stringify(a)).join('\n') + '\n'
  await storage.put(root ? `${root}/${commitPath(version)}` : commitPath(version), enc.encode(text))
}

/**
 * Write a v2 checkpoint in JSON (UUID-named) holding `actions`: a checkpoint a test can build
 * without a Parquet writer.
 */
export async function writeJsonCheckpoint(storage: Storage, version: number, actions: object[], lastCheckpoint = true): Promise<string> {
  const name = `_delta_log/${padVersion(version)}.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json`
  const all = [{ checkpointMetadata: { version } }, ...actions]
  await storage.put(name, enc.encode(all.map((a) => JSON.stringify(a)).join('\n') + '\n'))
  if (lastCheckpoint) await storage.put('_delta_log/_last_checkpoint', enc.encode(JSON.stringify({ version, size: all.length })))
  return name
}
