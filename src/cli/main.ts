#!/usr/bin/env node
/**
 * The `deltalake` command for scripts and servers (`npx deltalake info ./table`).
 * @packageDocumentation
 */
import { runCli } from './run.js'

const result = await runCli(process.argv.slice(2))
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)
process.exitCode = result.code
