// The commands of the `deltalake` command line, apart from the process they run in, so tests
// call them directly. Only the package's public entries are used, as any program would.
import { DeltaTable, isDeltaError } from '../index-node.js'

const USAGE = `usage: deltalake <command> [arguments]

commands:
  info <table> [--version N]   version, partition columns, files, rows and schema of a table
  help                         this text`

/** What a run printed and how it ended; `main` writes it out, tests read it. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Run the command line `argv` (without `node` and the script) and return what it printed. */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') return ok(USAGE)
    if (command === 'info') return ok(await info(rest))
    return fail(`unknown command '${command}'\n\n${USAGE}`)
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message)
    if (isDeltaError(e)) return fail(`${e.code}: ${e.message}`)
    throw e
  }
}

async function info(args: readonly string[]): Promise<string> {
  const [uri, flag, value, ...extra] = args
  if (uri === undefined) throw usageError('info needs a table path')
  if (flag !== undefined && flag !== '--version') throw usageError(`unknown option '${flag}'`)
  if (flag !== undefined && (value === undefined || !/^\d+$/.test(value))) throw usageError(`--version needs a whole number, got '${value ?? ''}'`)
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]!}'`)
  const version = value === undefined ? undefined : Number(value)
  const table = await DeltaTable.open(uri, version === undefined ? {} : { version })
  const columns = table.schema().fields.map((f) => `  ${f.name}: ${typeof f.type === 'string' ? f.type : f.type.type}${f.nullable ? '' : ' not null'}`)
  return [
    `table: ${uri}`,
    `version: ${table.version}`,
    `partition columns: ${table.metadata().partitionColumns.join(', ') || '(none)'}`,
    `files: ${table.numFiles}`,
    `rows: ${await table.count()}`,
    'schema:',
    ...columns,
  ].join('\n')
}

class UsageError extends Error {}

function usageError(message: string): UsageError {
  return new UsageError(`${message}\n\n${USAGE}`)
}

function ok(stdout: string): CliResult {
  return { code: 0, stdout: `${stdout}\n`, stderr: '' }
}

function fail(stderr: string): CliResult {
  return { code: 1, stdout: '', stderr: `${stderr}\n` }
}
