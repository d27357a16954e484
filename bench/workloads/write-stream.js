// Workload 5b: a write whose input is streamed from a generator and is `factor` times the
// target file size (cases 2x and 10x). The peak memory of the 10x write should match the 2x
// one: bounded by the file size, not by the input.
// ours: writeDeltaLake of the generator, unpartitioned. floor: the same generator grouped into
// files of the target size, each encoded and written as soon as it fills.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Table } from 'apache-arrow'
import { numberFlag } from '../lib/cli.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { scanBatches } from '../lib/scan-data.js'
import { freshOutDir, groupBySize, removeOutDir } from '../lib/tmp-out.js'
import { encodeParquet } from '../lib/wasm.js'

const opts = childOptions()
const target = Math.round(numberFlag(opts.flags, 'target', 32 * 2 ** 20))
const factor = Number(/^(\d+)x$/.exec(opts.case)?.[1] ?? NaN)
if (!Number.isFinite(factor)) throw new Error(`case must be like '10x', got '${opts.case}'`)
const inputBytes = factor * target

/** Batches until `inputBytes` of Arrow data have been produced, built only as they are pulled. */
function* input() {
  let bytes = 0
  for (const b of scanBatches(Number.MAX_SAFE_INTEGER)) {
    if (bytes >= inputBytes) return
    bytes += b.data.byteLength
    yield b
  }
}

const common = { input_mb: Math.round(inputBytes / 2 ** 20), target_mb: Math.round(target / 2 ** 20) }

if (opts.variant === 'ours') {
  const { writeDeltaLake } = await importDist('index.js')
  await measure(opts, {
    setup: () => ({ out: '' }),
    run: (ctx) => {
      ctx.out = freshOutDir()
      return writeDeltaLake(ctx.out, input(), { mode: 'error', targetFileSize: target })
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (r) => ({ rows: r.rowsWritten, files_written: r.filesAdded, ...common }),
  })
} else if (opts.variant === 'floor') {
  await measure(opts, {
    setup: () => ({ out: '' }),
    run: async (ctx) => {
      ctx.out = freshOutDir()
      let n = 0
      for (const group of groupBySize(input(), target)) await writeFile(join(ctx.out, `part-${n++}.parquet`), encodeParquet(new Table(group)))
      return n
    },
    afterEach: (ctx) => removeOutDir(ctx.out),
    describe: (n) => ({ files_written: n, ...common }),
  })
} else throw new Error(`unknown variant ${opts.variant}`)
