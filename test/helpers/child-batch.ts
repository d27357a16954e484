import { spawn } from 'node:child_process'

/** What a batch child process reported and how it ended. */
export interface ChildBatch<T> {
  /** Every JSON line the child printed on stdout, in order. */
  lines: T[]
  /** Exit code, or null when a signal (or the deadline) ended it. */
  code: number | null
  signal: NodeJS.Signals | null
  /** The child outlived `deadlineMs` and was killed. */
  timedOut: boolean
  stderr: string
}

/**
 * Run a Node script in a child process and collect the JSON lines it prints, one per case. A
 * crash of the child (an uncaught exception, a wasm trap, a stack overflow) or a hang past the
 * deadline is reported to the caller instead of taking the test runner down with it.
 */
export function runChildBatch<T>(script: string | URL, args: string[], deadlineMs: number): Promise<ChildBatch<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script instanceof URL ? script.pathname : script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, deadlineMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T)
      resolve({ lines, code, signal, timedOut, stderr })
    })
  })
}
