import { describe, expect, it } from 'vitest'
import { addConstraints, dropConstraint } from '../../../src/delta/ops/alter.js'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { memoryEngine, rows, tableState } from './fixture.js'

type Engine = Awaited<ReturnType<typeof memoryEngine>>
type Call = (engine: Engine) => Promise<unknown>

/** A table at version 1 with a constraint, partitioned by `p`. */
async function table(): Promise<Engine> {
  const engine = await memoryEngine()
  await writeTable(engine, rows([1, 2], ['a', 'b']), { partitionBy: ['p'] })
  await addConstraints(engine, { positive: 'id > 0' })
  return engine
}

const bad = (o: unknown) => o as never

/** Each call, and what its refusal must say. */
const refused: [string, Call, RegExp][] = [
  ['write mode typo', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'overwite' })), /'mode' is 'overwite'.*'error', 'append', 'overwrite', 'ignore'/],
  ['write mode nonsense', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'nonsense' })), /'append'/],
  ['write schemaMode typo', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', schemaMode: 'mrege' })), /'schemaMode' is 'mrege'.*'merge', 'overwrite'/],
  ['write isolationLevel', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', isolationLevel: 'serializable' })), /'Serializable', 'WriteSerializable', 'SnapshotIsolation'/],
  ['write compression', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', compression: 'lzo' })), /'lzo'.*'snappy'/],
  ['write writerProperties.compression', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', writerProperties: { compression: 'lzo' } })), /writerProperties\.compression.*'zstd'/],
  ['write maxRowGroupSize', (e) => writeTable(e, rows([3], ['a']), { mode: 'append', writerProperties: { maxRowGroupSize: 0 } }), /maxRowGroupSize.*integer >= 1/],
  ['write unknown writer property', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', writerProperties: { compressionLevel: 3 } })), /writerProperties\.compressionLevel.*compression, maxRowGroupSize/],
  ['write option typo', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', partitonBy: ['p'] })), /unknown write option 'partitonBy' \(did you mean 'partitionBy'\?\).*mode, schema, partitionBy/],
  ['write engine keys', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', storage: e.storage })), /unknown write option 'storage'/],
  ['write reserved commitInfo key', (e) => writeTable(e, rows([3], ['a']), { mode: 'append', commitProperties: { customMetadata: { operation: 'MINE' } } }), /'operation'/],
  ['write bad app transaction', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', commitProperties: { appTransactions: [{ appId: 'x', version: -1 }] } })), /appId.*version/],
  ['write post-commit hook', (e) => writeTable(e, rows([3], ['a']), bad({ mode: 'append', postCommitHookProperties: { createCheckpoint: 'yes' } })), /createCheckpoint.*true or false/],
  ['write retry budget', (e) => writeTable(e, rows([3], ['a']), { mode: 'append', retryBudgetMs: -1 }), /retryBudgetMs/],
  ['write options not an object', (e) => writeTable(e, rows([3], ['a']), bad('append')), /must be an object/],
  ['delete isolationLevel', (e) => deleteRows(e, 'id = 1', bad({ isolationLevel: 'Snapshot' })), /'SnapshotIsolation'/],
  ['delete write-only option', (e) => deleteRows(e, 'id = 1', bad({ mode: 'overwrite' })), /unknown delete option 'mode'.*writerProperties, commitProperties/],
  ['delete option typo', (e) => deleteRows(e, 'id = 1', bad({ writerProperties: { compresion: 'zstd' } })), /writerProperties\.compresion/],
  ['delete compression', (e) => deleteRows(e, 'id = 1', bad({ writerProperties: { compression: 'zip' } })), /'zip'/],
  ['add constraint isolationLevel', (e) => addConstraints(e, { small: 'id < 100' }, bad({ isolationLevel: 'none' })), /'Serializable'/],
  ['add constraint unknown option', (e) => addConstraints(e, { small: 'id < 100' }, bad({ raiseIfNotExists: false })), /unknown add constraint option 'raiseIfNotExists'/],
  ['add constraint without constraints', (e) => addConstraints(e, {}), /at least one constraint/],
  ['drop constraint option typo', (e) => dropConstraint(e, 'positive', bad({ raiseIfNotExist: false })), /did you mean 'raiseIfNotExists'/],
  ['drop constraint raiseIfNotExists', (e) => dropConstraint(e, 'positive', bad({ raiseIfNotExists: 'no' })), /raiseIfNotExists.*true or false/],
  ['drop constraint post-commit hook typo', (e) => dropConstraint(e, 'positive', bad({ postCommitHookProperties: { checkpoint: false } })), /postCommitHookProperties\.checkpoint.*createCheckpoint, cleanupExpiredLogs/],
]

describe('bad options are refused before anything is written', () => {
  for (const [name, call, message] of refused) {
    it(name, async () => {
      const engine = await table()
      const before = await tableState(engine)
      await expect(call(engine)).rejects.toMatchObject({ name: 'DeltaError', code: 'InvalidArgument', message: expect.stringMatching(message) })
      expect(await tableState(engine)).toEqual(before)
    })
  }

  it('a bad mode never creates a table', async () => {
    const engine = await memoryEngine()
    await expect(writeTable(engine, rows([1]), bad({ mode: 'overwite' }))).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(engine.storage.paths()).toEqual([])
  })

  it('options whose value is undefined count as absent', async () => {
    const engine = await table()
    const result = await writeTable(engine, rows([3], ['a']), { mode: 'append', schemaMode: undefined, writerProperties: { compression: undefined } })
    expect(result.version).toBe(2)
  })
})
