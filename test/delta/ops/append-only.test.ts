import { describe, expect, it } from 'vitest'
import { deleteRows } from '../../../src/delta/ops/delete.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import { memoryEngine, readIds, rows, tableState } from './fixture.js'

/** An append-only table at version 1, partitioned by `p`. */
async function appendOnly() {
  const engine = await memoryEngine()
  await writeTable(engine, rows([1, 2], ['a', 'b']), { partitionBy: ['p'], configuration: { 'delta.appendOnly': 'true' } })
  await writeTable(engine, rows([3], ['a']), { mode: 'append' })
  return engine
}

const refusal = { code: 'InvalidArgument', message: expect.stringMatching(/append-only[\s\S]*delta\.appendOnly/) }

describe('an append-only table', () => {
  const removals: [string, (engine: Awaited<ReturnType<typeof appendOnly>>) => Promise<unknown>][] = [
    ['delete', (engine) => deleteRows(engine, 'id = 1')],
    ['delete of nothing', (engine) => deleteRows(engine, 'id = 99')],
    ['delete of everything', (engine) => deleteRows(engine, undefined)],
    ['overwrite', (engine) => writeTable(engine, rows([7], ['a']), { mode: 'overwrite' })],
    ['replaceWhere', (engine) => writeTable(engine, rows([7], ['a']), { mode: 'overwrite', predicate: "p = 'a'" })],
    ['overwrite with a new schema', (engine) => writeTable(engine, rows([7], ['a']), { mode: 'overwrite', schemaMode: 'overwrite' })],
  ]
  for (const [name, op] of removals) {
    it(`refuses ${name}, writing nothing`, async () => {
      const engine = await appendOnly()
      const before = await tableState(engine)
      await expect(op(engine)).rejects.toMatchObject(refusal)
      expect(await tableState(engine)).toEqual(before)
      expect(before.version).toBe(1)
    })
  }

  it('still takes appends, and an overwrite that removes no file', async () => {
    const engine = await appendOnly()
    await writeTable(engine, rows([4], ['c']), { mode: 'append' })
    await writeTable(engine, rows([5], ['d']), { mode: 'overwrite', predicate: "p = 'd'" })
    expect(await readIds(engine)).toEqual([1, 2, 3, 4, 5])
  })
})
