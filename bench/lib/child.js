// The runner's side of a measurement: run one variant of one workload in a fresh Node process
// and read back its result line.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { RESULT_MARK } from './measure.js'
import { REPO } from './paths.js'

/** A variant that does not finish in this long is stopped and reported as failed. */
const CHILD_TIMEOUT_MS = 20 * 60_000

/**
 * Run `bench/workloads/<script>` with `--variant` and the given flags, with `--expose-gc` so
 * runs start from a collected heap. Resolves with its result, or `{ error }` when it failed.
 * @param {string} script
 * @param {Record<string, string | number | undefined>} flags
 * @returns {Promise<Record<string, any>>}
 */
export function runChild(script, flags) {
  const args = Object.entries(flags).filter(([, v]) => v !== undefined).flatMap(([k, v]) => [`--${k}`, String(v)])
  const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', join(REPO, 'bench', 'workloads', script), ...args], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
  return new Promise((done) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK))
      if (code === 0 && line) return done(JSON.parse(line.slice(RESULT_MARK.length)))
      const why = signal ? `killed by ${signal}` : `exit ${code}`
      const tail = err.trim().split('\n').slice(-6).join(' | ')
      done({ error: `${script} --variant ${flags.variant}: ${why}${tail ? `: ${tail}` : ''}` })
    })
  })
}
