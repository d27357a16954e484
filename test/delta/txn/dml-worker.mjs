// One racer of dml-races.test.ts, in its own process: loads the built library (a child process
// cannot load TypeScript), opens the table and reads it once (so start-up is paid before the
// race), prints `{"ready":true}`, then on the parent's `go` line waits its own small delay and
// runs one operation. It prints how that ended as one JSON line: `{"ok":true,"version":n}`, or
// `{"ok":false,"code","message"}` (code undefined for an error that is not a DeltaError).
import { DeltaTable, isDeltaError, writeDeltaLake } from '../../../dist/index-node.js'

const { dir, racer, op, delayMs } = JSON.parse(process.argv[2])
// The racer's name goes into commitInfo, so the parent can tell from the history whose commit is whose.
const opts = { commitProperties: { customMetadata: { racer } }, ...(op.isolationLevel && { isolationLevel: op.isolationLevel }) }

const table = await DeltaTable.open(dir)
await table.toArrow()

function run() {
  switch (op.kind) {
    case 'append':
      return writeDeltaLake(dir, op.rows, { mode: 'append', ...opts })
    case 'delete':
      return table.delete(op.predicate, opts)
    case 'update':
      return table.update(op.set, { predicate: op.predicate, ...opts })
    case 'merge':
      return table.merge(op.source, { predicate: op.on, sourceAlias: 's', targetAlias: 't', ...opts })
        .whenMatchedUpdate(op.set)
        .whenNotMatchedInsert(op.insert)
        .execute()
    default:
      throw new Error(`unknown operation ${op.kind}`)
  }
}

await new Promise((resolve) => {
  process.stdin.setEncoding('utf8').once('data', resolve)
  console.log(JSON.stringify({ ready: true }))
})
process.stdin.destroy()
await new Promise((resolve) => setTimeout(resolve, delayMs))
try {
  const result = await run()
  console.log(JSON.stringify({ ok: true, version: result.version }))
} catch (e) {
  const typed = isDeltaError(e)
  console.log(JSON.stringify({ ok: false, code: typed ? e.code : undefined, message: typed ? e.message : String(e?.stack ?? e) }))
}
