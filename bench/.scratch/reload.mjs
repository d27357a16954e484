const { DeltaTable } = await import('../../dist/index.js')
const { NodeFsStorage, nodeParquetCodec } = await import('../../dist/node.js')
const parquet = await nodeParquetCodec()
const base = process.argv[2]
const dt = await DeltaTable.open(base, { storage: new NodeFsStorage(base), parquet })
const ts = []
for (let i = 0; i < 10; i++) { const t0 = performance.now(); await dt.loadAsVersion(dt.version); ts.push(performance.now() - t0) }
console.log(ts.map((t) => t.toFixed(1)).join(' '))
process.exit(0)
