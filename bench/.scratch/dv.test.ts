import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../src/index-node.js'
it('x', async () => {
const root = mkdtempSync(join(tmpdir(), 'dv-'))
await writeDeltaLake(root, tableFromArrays({ id: Int32Array.from([1,2,3,4,5]) }), { configuration: { 'delta.enableDeletionVectors': 'true' } })
const t = await DeltaTable.open(root)
await t.delete('id = 1')
await t.delete('id = 2')
console.log(readFileSync(join(root, '_delta_log', '00000000000000000002.json'), 'utf8'))
})
