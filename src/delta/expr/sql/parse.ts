import type { RawLiteral } from '../filter/coerce.js'
import { parseSyntax, type SyntaxBuilder } from '../filter/parse-core.js'

/** The syntax tree of a SQL expression before columns are resolved and types inferred. */
export type RawSql =
  | { kind: 'column'; path: string[]; pos: number }
  | { kind: 'literal'; lit: RawLiteral; pos: number }
  | { kind: 'binary'; op: string; left: RawSql; right: RawSql; pos: number }
  | { kind: 'negate' | 'not'; arg: RawSql; pos: number }
  | { kind: 'isNull'; arg: RawSql; negated: boolean; pos: number }
  | { kind: 'in'; arg: RawSql; values: RawSql[]; negated: boolean; pos: number }
  | { kind: 'between'; arg: RawSql; low: RawSql; high: RawSql; negated: boolean; pos: number }
  | { kind: 'like'; arg: RawSql; pattern: RawSql; negated: boolean; pos: number }
  | { kind: 'call'; name: string; args: RawSql[]; pos: number }
  | { kind: 'cast'; arg: RawSql; typeName: string; pos: number }

const binary = (op: string, left: RawSql, right: RawSql, pos: number): RawSql => ({ kind: 'binary', op, left, right, pos })

// One node type for conditions and values: the binder, not the parser, decides which is which.
const SQL_SYNTAX: SyntaxBuilder<RawSql, RawSql> = {
  noun: 'expression',
  column: (path, pos) => ({ kind: 'column', path, pos }),
  literal: (lit, pos) => ({ kind: 'literal', lit, pos }),
  // Left-associative, as Spark nests a chain of ANDs or ORs.
  junction: (op, args, positions) => args.slice(1).reduce((left, right, i) => binary(op, left, right, positions[i]!), args[0]!),
  not: (arg, pos) => ({ kind: 'not', arg, pos }),
  compare: binary,
  isNull: (arg, negated, pos) => ({ kind: 'isNull', arg, negated, pos }),
  in: (arg, values, negated, pos) => ({ kind: 'in', arg, values, negated, pos }),
  between: (arg, low, high, negated, pos) => ({ kind: 'between', arg, low, high, negated, pos }),
  like: (arg, pattern, negated, pos) => ({ kind: 'like', arg, pattern, negated, pos }),
  bare: (arg) => arg,
  computed: {
    binary,
    negate: (arg, pos) => ({ kind: 'negate', arg, pos }),
    call: (name, args, pos) => ({ kind: 'call', name, args, pos }),
    cast: (arg, typeName, pos) => ({ kind: 'cast', arg, typeName, pos }),
    value: (condition) => condition,
  },
}

/** Parse SQL expression text into its syntax tree, without a schema. */
export function parseRawSql(text: string): RawSql {
  return parseSyntax(text, SQL_SYNTAX)
}
