// One of the racing writers of concurrency.test.ts: appends `count` one-row commits to a table,
// using the built library (worker threads cannot load TypeScript).
import { parentPort, workerData } from 'node:worker_threads'

const { writeDeltaLake } = await import(new URL('index.js', workerData.dist).href)
const { writer, count, dir } = workerData
let attempts = 0
for (let seq = 0; seq < count; seq++) {
  const result = await writeDeltaLake(dir, [{ writer, seq }], { mode: 'append' })
  attempts += result.attempts
}
parentPort.postMessage({ writer, attempts })
