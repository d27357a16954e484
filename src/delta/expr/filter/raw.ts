// The filter grammar's syntax tree: what the text says, before a schema gives it types.
import type { RawLiteral } from './coerce.js'
import { parseSyntax, type SyntaxBuilder } from './parse-core.js'
import type { CompareOp } from './types.js'

/** A value operand before binding: a column path or a literal as written. */
export type RawOperand =
  | { kind: 'column'; path: string[]; pos: number }
  | { kind: 'literal'; lit: RawLiteral; pos: number }

/** The syntax tree of a filter before columns are resolved and literals typed. */
export type RawExpr =
  | { kind: 'and' | 'or'; args: RawExpr[] }
  | { kind: 'not'; arg: RawExpr }
  | { kind: 'compare'; op: CompareOp; left: RawOperand; right: RawOperand }
  | { kind: 'isNull'; arg: RawOperand; negated: boolean }
  | { kind: 'in'; arg: RawOperand; values: RawOperand[]; negated: boolean }
  | { kind: 'between'; arg: RawOperand; low: RawOperand; high: RawOperand; negated: boolean }
  | { kind: 'like'; arg: RawOperand; pattern: RawOperand; negated: boolean }
  | { kind: 'operand'; arg: RawOperand }

const COMPARE_OPS: Record<string, CompareOp> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }

// The SQL grammar without computed values: only plain columns and literals meet in conditions.
const FILTER_SYNTAX: SyntaxBuilder<RawExpr, RawOperand> = {
  noun: 'filter',
  column: (path, pos) => ({ kind: 'column', path, pos }),
  literal: (lit, pos) => ({ kind: 'literal', lit, pos }),
  junction: (op, args) => ({ kind: op === 'AND' ? 'and' : 'or', args }),
  not: (arg) => ({ kind: 'not', arg }),
  compare: (op, left, right) => ({ kind: 'compare', op: COMPARE_OPS[op]!, left, right }),
  isNull: (arg, negated) => ({ kind: 'isNull', arg, negated }),
  in: (arg, values, negated) => ({ kind: 'in', arg, values, negated }),
  between: (arg, low, high, negated) => ({ kind: 'between', arg, low, high, negated }),
  like: (arg, pattern, negated) => ({ kind: 'like', arg, pattern, negated }),
  bare: (arg) => ({ kind: 'operand', arg }),
}

/** Parse a filter into its syntax tree, without a schema. */
export function parseRawFilter(text: string): RawExpr {
  return parseSyntax(text, FILTER_SYNTAX)
}
