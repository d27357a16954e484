import { DeltaError } from '../../engine/errors.js'
import { findField, type DeltaType, type StructType } from '../../model/schema.js'
import { coerceLiteral, type RawLiteral } from '../filter/coerce.js'
import { caseNode } from './case-node.js'
import { castExpr, describeSql, isNullLiteral, meetForCompare, type Fail } from './coerce.js'
import type { BindContext } from './function-spec.js'
import { functionNamed } from './functions.js'
import { bindTrim } from './functions-string.js'
import { isBareFunctionWord } from './functions-time.js'
import type { RawSql } from './parse.js'
import type { ArithOp, SqlExpr } from './types.js'
import { arithTyping, isNumeric, parseTypeName, typeText } from './typing.js'
import type { CompareOp, LiteralExpr } from '../filter/types.js'

const COMPARE_OPS: Record<string, CompareOp | '<=>'> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '<=>': '<=>' }
const INT32 = /^[+-]?\d+$/

/** What binding needs besides the schema; see `parseExpression`. */
export interface SqlBindOptions {
  /** The instant `current_timestamp()` and `current_date()` stand for; by default, when binding first needs it. */
  readonly now?: Date
  /**
   * Refuse what is not deterministic (`current_timestamp()`, `current_date()`), as generation
   * expressions and CHECK constraints must be.
   */
  readonly deterministic?: boolean
}

/** Resolves columns, types literals and inserts casts for one expression. */
class SqlBinder {
  private now: bigint | undefined
  private readonly context: BindContext

  constructor(private readonly schema: StructType, private readonly text: string, private readonly options: SqlBindOptions) {
    this.context = { nowMicros: () => this.nowMicros() }
  }

  /** One instant for the whole expression, read once. */
  private nowMicros(): bigint {
    if (this.options.deterministic) throw new DeltaError('InvalidArgument', `the current time is not deterministic, and this expression must be: ${this.text}`)
    if (this.now === undefined) {
      const ms = (this.options.now ?? new Date()).getTime()
      if (!Number.isFinite(ms)) throw new DeltaError('InvalidArgument', `the time given for current_timestamp() is not a valid date (expression: ${this.text})`)
      this.now = BigInt(ms) * 1000n
    }
    return this.now
  }

  private failAt(pos: number): Fail {
    return (message) => {
      throw new DeltaError('InvalidArgument', `invalid expression: ${message} (at position ${pos + 1} of: ${this.text})`)
    }
  }

  bind(raw: RawSql): SqlExpr {
    switch (raw.kind) {
      case 'column': return this.column(raw.path, raw.pos)
      case 'literal': return this.literal(raw.lit, raw.pos)
      case 'binary': return this.binary(raw.op, this.bind(raw.left), this.bind(raw.right), raw.pos)
      case 'junction': return this.chain(raw.op === 'AND' ? 'and' : 'or', raw.args, raw.positions)
      case 'negate': return this.negate(this.bind(raw.arg), raw.pos)
      case 'not': return { kind: 'not', arg: this.boolean(this.bind(raw.arg), raw.pos), type: 'boolean' }
      case 'isNull': {
        const e: SqlExpr = { kind: 'isNull', arg: this.bind(raw.arg), type: 'boolean' }
        return raw.negated ? { kind: 'not', arg: e, type: 'boolean' } : e
      }
      case 'in': return this.in(raw.arg, raw.values, raw.negated, raw.pos)
      case 'between': {
        const arg = this.bind(raw.arg)
        const e = this.junction('and', [this.compare('>=', arg, this.bind(raw.low), raw.pos), this.compare('<=', arg, this.bind(raw.high), raw.pos)], raw.pos)
        return raw.negated ? { kind: 'not', arg: e, type: 'boolean' } : e
      }
      case 'like': return this.like(raw.arg, raw.pattern, raw.negated, raw.pos)
      case 'call': return functionNamed(raw.name).bind(raw.args.map((a) => this.bind(a)), this.failAt(raw.pos), this.context)
      case 'cast': return this.cast(this.bind(raw.arg), raw.typeName, raw.pos)
      case 'case': return this.caseWhen(raw)
      case 'trim': return bindTrim(raw.side, this.bind(raw.arg), raw.chars && this.bind(raw.chars), this.failAt(raw.pos))
    }
  }

  /** CASE; a simple `CASE x WHEN a` compares `x = a`, as Spark rewrites it. */
  private caseWhen(raw: Extract<RawSql, { kind: 'case' }>): SqlExpr {
    const operand = raw.operand && this.bind(raw.operand)
    const branches = raw.branches.map((b) => {
      const value = this.bind(b.when)
      const when = operand ? this.compare('=', operand, value, b.pos) : this.boolean(value, b.pos)
      return { when, value: this.bind(b.value) }
    })
    return caseNode(branches, raw.otherwise && this.bind(raw.otherwise), 'CASE', this.failAt(raw.pos))
  }

  /**
   * A column with its Delta type, through structs; an unknown name lists the choices. A column
   * wins over `current_date` / `current_timestamp` written without parentheses, as in Spark.
   */
  private column(path: string[], pos: number): SqlExpr {
    const fail = this.failAt(pos)
    if (path.length === 1 && isBareFunctionWord(path[0]!) && !findField(this.schema, path[0]!)) {
      return functionNamed(path[0]!).bind([], fail, this.context)
    }
    // A top-level name may hold dots (`a.b` as one column, as a merge's `alias.column` names
    // are): the longest such prefix wins when no column is named by the first part alone.
    let struct = this.schema
    const resolved: string[] = []
    let i = 0
    if (path.length > 1 && !findField(this.schema, path[0]!)) {
      for (let n = path.length; n >= 2; n--) {
        const field = findField(this.schema, path.slice(0, n).join('.'))
        if (!field) continue
        resolved.push(field.name)
        if (n === path.length) return { kind: 'column', path: resolved, type: field.type }
        if (typeof field.type === 'string' || field.type.type !== 'struct') return fail(`'${field.name}' is not a struct`)
        struct = field.type
        i = n
        break
      }
    }
    for (; i < path.length; i++) {
      const field = findField(struct, path[i]!)
      if (!field) {
        const where = resolved.length === 0 ? 'the table has columns' : `'${resolved.join('.')}' has fields`
        // Under dotted top-level names (a merge's `alias.column`) the whole path is the name missing.
        const dottedNames = resolved.length === 0 && struct.fields.some((f) => f.name.toLowerCase().startsWith(`${path[0]!.toLowerCase()}.`))
        return fail(`unknown column '${path.slice(0, dottedNames ? path.length : i + 1).join('.')}'; ${where}: ${struct.fields.map((f) => f.name).join(', ')}`)
      }
      resolved.push(field.name)
      if (i === path.length - 1) return { kind: 'column', path: resolved, type: field.type }
      if (typeof field.type === 'string' || field.type.type !== 'struct') return fail(`'${resolved.join('.')}' is not a struct`)
      struct = field.type
    }
    return fail('empty column name')
  }

  /** A literal with its natural type: whole numbers are integer (or long), decimals decimal(p,s). */
  private literal(lit: RawLiteral, pos: number): LiteralExpr {
    const type = naturalSqlType(lit)
    const c = coerceLiteral(lit, type)
    if (!c.ok) return this.failAt(pos)(c.reason)
    return { kind: 'literal', value: c.value, type }
  }

  private boolean(e: SqlExpr, pos: number): SqlExpr {
    if (isNullLiteral(e)) return { kind: 'literal', value: null, type: 'boolean' }
    if (e.type !== 'boolean') this.failAt(pos)(`expected a condition, but ${describeSql(e)} is ${typeText(e.type)}`)
    return e
  }

  private junction(kind: 'and' | 'or', args: SqlExpr[], pos: number): SqlExpr {
    const flat = args.map((a) => this.boolean(a, pos)).flatMap((a) => (a.kind === kind ? a.args : [a]))
    return { kind, args: flat, type: 'boolean' }
  }

  /** A chain of AND or OR: each operand a condition (checked at the keyword before it). */
  private chain(kind: 'and' | 'or', raws: RawSql[], positions: number[]): SqlExpr {
    const args: SqlExpr[] = []
    raws.forEach((raw, i) => {
      const a = this.boolean(this.bind(raw), positions[Math.max(0, i - 1)]!)
      if (a.kind === kind) for (const x of a.args) args.push(x)
      else args.push(a)
    })
    return { kind, args, type: 'boolean' }
  }

  private binary(op: string, left: SqlExpr, right: SqlExpr, pos: number): SqlExpr {
    if (op === 'AND' || op === 'OR') return this.junction(op === 'AND' ? 'and' : 'or', [left, right], pos)
    if (op === '||') return functionNamed('concat').bind([left, right], this.failAt(pos), this.context)
    const cmp = COMPARE_OPS[op]
    if (cmp) return this.compare(cmp, left, right, pos)
    return this.arith(op as ArithOp, left, right, pos)
  }

  private compare(op: CompareOp | '<=>', left: SqlExpr, right: SqlExpr, pos: number): SqlExpr {
    const [l, r] = meetForCompare(left, right, this.failAt(pos))
    return { kind: 'compare', op, left: l, right: r, type: 'boolean' }
  }

  private arith(op: ArithOp, left: SqlExpr, right: SqlExpr, pos: number): SqlExpr {
    const fail = this.failAt(pos)
    const l = isNullLiteral(left) ? castExpr(left, isNullLiteral(right) ? 'integer' : right.type, fail) : left
    const r = isNullLiteral(right) ? castExpr(right, l.type, fail) : right
    for (const e of [l, r]) {
      if (!isNumeric(e.type)) fail(`'${op}' works on numbers, but ${describeSql(e)} is ${typeText(e.type)}; CAST it to a number first`)
    }
    const t = arithTyping(op, l.type, r.type)
    const a = t.left ? castExpr(l, t.left, fail) : l
    const b = t.right ? castExpr(r, t.right, fail) : r
    return { kind: 'arith', op, left: a, right: b, type: t.result }
  }

  private negate(arg: SqlExpr, pos: number): SqlExpr {
    if (isNullLiteral(arg)) return arg
    if (!isNumeric(arg.type)) this.failAt(pos)(`unary '-' works on numbers, but ${describeSql(arg)} is ${typeText(arg.type)}`)
    return { kind: 'negate', arg, type: arg.type }
  }

  private in(argRaw: RawSql, valuesRaw: RawSql[], negated: boolean, pos: number): SqlExpr {
    const fail = this.failAt(pos)
    const arg = this.bind(argRaw)
    const values = valuesRaw.map((v) => {
      const value = this.bind(v)
      return isNumeric(arg.type) && isNumeric(value.type) ? value : meetForCompare(arg, value, fail)[1]
    })
    const e: SqlExpr = { kind: 'in', arg, values, type: 'boolean' }
    return negated ? { kind: 'not', arg: e, type: 'boolean' } : e
  }

  private like(argRaw: RawSql, patternRaw: RawSql, negated: boolean, pos: number): SqlExpr {
    const fail = this.failAt(pos)
    if (patternRaw.kind !== 'literal' || patternRaw.lit.form !== 'string') return fail("LIKE needs a quoted pattern such as 'abc%'")
    const arg = castExpr(this.bind(argRaw), 'string', fail)
    const e: SqlExpr = { kind: 'like', arg, pattern: patternRaw.lit.text, type: 'boolean' }
    return negated ? { kind: 'not', arg: e, type: 'boolean' } : e
  }

  private cast(arg: SqlExpr, typeName: string, pos: number): SqlExpr {
    const type = parseTypeName(typeName)
    if (!type) throw new DeltaError('UnsupportedFeature', `CAST to type '${typeName}' is not supported in expressions (at position ${pos + 1} of: ${this.text})`)
    return castExpr(arg, type, this.failAt(pos))
  }
}

/** The type of a literal on its own, as Spark types it. */
function naturalSqlType(lit: RawLiteral): DeltaType {
  switch (lit.form) {
    case 'number': return numberType(lit.text)
    case 'string': return 'string'
    case 'boolean':
    case 'null': return 'boolean'
    case 'binary': return 'binary'
    default: return lit.form
  }
}

function numberType(text: string): DeltaType {
  if (/[eE]/.test(text)) return 'double'
  if (INT32.test(text)) {
    const v = BigInt(text)
    if (v >= -(2n ** 31n) && v < 2n ** 31n) return 'integer'
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return 'long'
  }
  const [int = '', frac = ''] = text.replace(/^[+-]/, '').split('.')
  const precision = Math.max(int.replace(/^0+/, '').length + frac.length, 1)
  return precision <= 38 ? `decimal(${precision},${frac.length})` : 'double'
}

/** Bind a parsed expression against a schema (see `parseExpression`). */
export function bindSql(raw: RawSql, schema: StructType, text: string, options: SqlBindOptions = {}): SqlExpr {
  return new SqlBinder(schema, text, options).bind(raw)
}
