import { DeltaError } from '../../engine/errors.js'
import { findField, type DeltaType, type StructType } from '../../model/schema.js'
import { coerceLiteral, naturalType, type RawLiteral } from './coerce.js'
import { familyOf } from '../../values/compare.js'
import type { RawExpr, RawOperand } from './raw.js'
import { and, compare, inList, isNull, junctionOf, like, lit, not, type ColumnExpr, type Expr, type LiteralExpr, type ValueExpr } from './types.js'

/** Resolves columns and types literals of one filter, with the text at hand for messages. */
class Binder {
  constructor(private readonly schema: StructType, private readonly text: string) {}

  private error(pos: number, message: string): DeltaError {
    return new DeltaError('InvalidArgument', `invalid filter: ${message} (at position ${pos + 1} of: ${this.text})`)
  }

  bind(raw: RawExpr): Expr {
    switch (raw.kind) {
      case 'and':
      case 'or': return junctionOf(raw.kind, raw.args.map((a) => this.bind(a)))
      case 'not': return not(this.bind(raw.arg))
      case 'compare': return this.bindCompare(raw.op, raw.left, raw.right)
      case 'isNull': {
        const e = isNull(this.value(raw.arg))
        return raw.negated ? not(e) : e
      }
      case 'in': return this.bindIn(raw.arg, raw.values, raw.negated)
      case 'between': {
        const e = and(this.bindCompare('>=', raw.arg, raw.low), this.bindCompare('<=', raw.arg, raw.high))
        return raw.negated ? not(e) : e
      }
      case 'like': return this.bindLike(raw.arg, raw.pattern, raw.negated)
      case 'operand': return this.bindPredicateOperand(raw.arg)
    }
  }

  /** A column with its Delta type, resolved through structs; unknown names list the choices. */
  column(path: string[], pos: number): ColumnExpr {
    let struct: StructType = this.schema
    const resolved: string[] = []
    for (let i = 0; i < path.length; i++) {
      const field = findField(struct, path[i]!)
      if (!field) return this.dottedTopLevel(path, pos) ?? this.unknown(path, i, struct, pos)
      resolved.push(field.name)
      if (i === path.length - 1) return { kind: 'column', path: resolved, type: field.type }
      if (typeof field.type === 'string' || field.type.type !== 'struct') {
        throw this.error(pos, `'${resolved.join('.')}' is a ${describeType(field.type)}, not a struct, so '${path.slice(0, i + 2).join('.')}' does not exist`)
      }
      struct = field.type
    }
    throw this.error(pos, 'empty column name')
  }

  /** A top-level column whose name itself contains dots, written unquoted. */
  private dottedTopLevel(path: string[], pos: number): ColumnExpr | undefined {
    if (path.length < 2) return undefined
    const field = findField(this.schema, path.join('.'))
    return field && this.column([field.name], pos)
  }

  private unknown(path: string[], i: number, struct: StructType, pos: number): never {
    const where = i === 0 ? 'the table has columns' : `'${path.slice(0, i).join('.')}' has fields`
    const names = struct.fields.map((f) => f.name).join(', ')
    throw this.error(pos, `unknown column '${path.slice(0, i + 1).join('.')}'; ${where}: ${names}`)
  }

  private literal(lit: RawLiteral, type: DeltaType, pos: number, against?: ColumnExpr): LiteralExpr {
    const c = coerceLiteral(lit, type)
    if (!c.ok) throw this.error(pos, against ? `${c.reason} (comparing with column '${against.path.join('.')}')` : c.reason)
    return { kind: 'literal', value: c.value, type }
  }

  /** An operand on its own: columns resolve, literals take their natural type. */
  value(op: RawOperand): ValueExpr {
    return op.kind === 'column' ? this.column(op.path, op.pos) : this.literal(op.lit, naturalType(op.lit), op.pos)
  }

  /** An operand that meets `other`: a literal takes the other side's column type. */
  private valueAgainst(op: RawOperand, other: ValueExpr): ValueExpr {
    if (op.kind === 'column' || other.kind !== 'column') return this.value(op)
    return this.literal(op.lit, other.type, op.pos, other)
  }

  private bindCompare(op: Parameters<typeof compare>[0], l: RawOperand, r: RawOperand): Expr {
    const left = l.kind === 'column' ? this.value(l) : undefined
    const right = this.valueAgainst(r, left ?? this.value(r))
    const leftValue = left ?? this.valueAgainst(l, right)
    this.checkComparable(leftValue, right, l.pos)
    return compare(op, leftValue, right)
  }

  private checkComparable(a: ValueExpr, b: ValueExpr, pos: number): void {
    for (const v of [a, b]) {
      if (familyOf(v.type) === 'complex') throw this.error(pos, `cannot compare the ${describeType(v.type)} ${describe(v)}; compare one of its fields`)
    }
    if ((a.kind === 'literal' && a.value === null) || (b.kind === 'literal' && b.value === null)) return
    const [fa, fb] = [familyOf(a.type), familyOf(b.type)]
    if (fa !== fb) throw this.error(pos, `cannot compare ${describe(a)} (${describeType(a.type)}) with ${describe(b)} (${describeType(b.type)})`)
  }

  private bindIn(argOp: RawOperand, valueOps: RawOperand[], negated: boolean): Expr {
    const arg = this.value(argOp)
    const values = valueOps.map((v) => {
      if (v.kind === 'column') throw this.error(v.pos, 'IN lists take literal values, not columns')
      const typed = this.valueAgainst(v, arg) as LiteralExpr
      this.checkComparable(arg, typed, v.pos)
      return typed
    })
    const e = inList(arg, values)
    return negated ? not(e) : e
  }

  private bindLike(argOp: RawOperand, patternOp: RawOperand, negated: boolean): Expr {
    const arg = this.value(argOp)
    if (arg.type !== 'string') throw this.error(argOp.pos, `LIKE works on string columns, but ${describe(arg)} is ${describeType(arg.type)}`)
    if (patternOp.kind !== 'literal' || patternOp.lit.form !== 'string') throw this.error(patternOp.pos, "LIKE needs a quoted pattern such as 'abc%'")
    const e = like(arg, patternOp.lit.text)
    return negated ? not(e) : e
  }

  private bindPredicateOperand(op: RawOperand): Expr {
    const v = this.value(op)
    if (v.kind === 'column' && v.type === 'boolean') return compare('=', v, lit(true, 'boolean'))
    if (v.kind === 'literal' && (v.value === null || typeof v.value === 'boolean')) return lit(v.value, 'boolean')
    throw this.error(op.pos, `expected a condition, but ${describe(v)} is a ${describeType(v.type)} value; compare it with something`)
  }
}

function describe(v: ValueExpr): string {
  return v.kind === 'column' ? `column '${v.path.join('.')}'` : 'a literal'
}

function describeType(t: DeltaType): string {
  return typeof t === 'string' ? t : t.type
}

/** Resolve the columns of a parsed filter against `schema` and type its literals. */
export function bindExpr(raw: RawExpr, schema: StructType, text: string): Expr {
  return new Binder(schema, text).bind(raw)
}
