import type { RawLiteral } from '../filter/coerce.js'
import { MAX_EXPRESSION_DEPTH, parseSyntax, tooDeep, type CaseBranch, type SyntaxBuilder, type TrimSide } from '../filter/parse-core.js'

/** The syntax tree of a SQL expression before columns are resolved and types inferred. */
export type RawSql =
  | { kind: 'column'; path: string[]; pos: number }
  | { kind: 'literal'; lit: RawLiteral; pos: number }
  | { kind: 'binary'; op: string; left: RawSql; right: RawSql; pos: number }
  /** A chain of one of AND or OR; `positions[i]` is the keyword before `args[i + 1]`. */
  | { kind: 'junction'; op: 'AND' | 'OR'; args: RawSql[]; positions: number[] }
  | { kind: 'negate' | 'not'; arg: RawSql; pos: number }
  | { kind: 'isNull'; arg: RawSql; negated: boolean; pos: number }
  | { kind: 'in'; arg: RawSql; values: RawSql[]; negated: boolean; pos: number }
  | { kind: 'between'; arg: RawSql; low: RawSql; high: RawSql; negated: boolean; pos: number }
  | { kind: 'like'; arg: RawSql; pattern: RawSql; negated: boolean; pos: number }
  | { kind: 'call'; name: string; args: RawSql[]; pos: number }
  | { kind: 'cast'; arg: RawSql; typeName: string; pos: number }
  /** CASE; with `operand` each `when` is a value compared with it, else a condition. */
  | { kind: 'case'; operand: RawSql | undefined; branches: Array<CaseBranch<RawSql>>; otherwise: RawSql | undefined; pos: number }
  /** `TRIM([side] [chars] FROM arg)`. */
  | { kind: 'trim'; side: TrimSide; arg: RawSql; chars: RawSql | undefined; pos: number }

const binary = (op: string, left: RawSql, right: RawSql, pos: number): RawSql => ({ kind: 'binary', op, left, right, pos })

// One node type for conditions and values: the binder, not the parser, decides which is which.
const SQL_SYNTAX: SyntaxBuilder<RawSql, RawSql> = {
  noun: 'expression',
  column: (path, pos) => ({ kind: 'column', path, pos }),
  literal: (lit, pos) => ({ kind: 'literal', lit, pos }),
  // One node for the chain: AND and OR are associative, and a long chain nested as binary nodes
  // would be as deep as it is long.
  junction: (op, args, positions) => ({ kind: 'junction', op, args, positions }),
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
    caseWhen: (operand, branches, otherwise, pos) => ({ kind: 'case', operand, branches, otherwise, pos }),
    trim: (side, arg, chars, pos) => ({ kind: 'trim', side, arg, chars, pos }),
    value: (condition) => condition,
  },
}

/**
 * Parse SQL expression text into its syntax tree, without a schema. A tree deeper than
 * `MAX_EXPRESSION_DEPTH` (a long chain of arithmetic nests one level per operator) is refused
 * as `InvalidArgument`, so that binding and evaluating it cannot run out of stack.
 */
export function parseRawSql(text: string): RawSql {
  const raw = parseSyntax(text, SQL_SYNTAX)
  checkDepth(raw)
  return raw
}

/** Refuse a tree deeper than the limit, walking it without recursion. */
function checkDepth(root: RawSql): void {
  const nodes: RawSql[] = [root]
  const depths: number[] = [1]
  while (nodes.length > 0) {
    const node = nodes.pop()!
    const depth = depths.pop()!
    if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep('pos' in node ? node.pos : 0, 'expression')
    for (const child of childrenOf(node)) {
      nodes.push(child)
      depths.push(depth + 1)
    }
  }
}

function childrenOf(node: RawSql): readonly RawSql[] {
  switch (node.kind) {
    case 'column': case 'literal': return []
    case 'binary': return [node.left, node.right]
    case 'junction': case 'call': return node.args
    case 'negate': case 'not': case 'isNull': case 'cast': return [node.arg]
    case 'in': return [node.arg, ...node.values]
    case 'between': return [node.arg, node.low, node.high]
    case 'like': return [node.arg, node.pattern]
    case 'case': return [...(node.operand ? [node.operand] : []), ...node.branches.flatMap((b) => [b.when, b.value]), ...(node.otherwise ? [node.otherwise] : [])]
    case 'trim': return node.chars ? [node.arg, node.chars] : [node.arg]
  }
}
