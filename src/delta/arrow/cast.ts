import { DataType, type Data } from 'apache-arrow'
import type { PrimitiveType } from '../model/schema.js'
import { castBytes } from './cast-bytes.js'
import { castDecimal, castFloat, castInteger } from './cast-number.js'
import { castDate, castTimestamp } from './cast-temporal.js'
import { castError, relabel } from './cast-util.js'

/**
 * A primitive column as the file gave it, converted exactly to the canonical Arrow `type` of
 * the Delta type `target` (see `toArrowType`). Identical layouts are relabelled without a copy;
 * validity bitmaps are always reused. `path` names the column in errors.
 */
export function castPrimitive(data: Data, target: PrimitiveType, type: DataType, path: string): Data {
  switch (target) {
    case 'byte': case 'short': case 'integer': case 'long':
      return castInteger(data, type, target, path)
    case 'float': case 'double':
      return castFloat(data, type, target, path)
    case 'boolean':
      if (DataType.isBool(data.type)) return relabel(data, type)
      throw castError(path, data.type, target)
    case 'string': case 'binary':
      return castBytes(data, type, target, path)
    case 'date':
      return castDate(data, type, path)
    case 'timestamp': case 'timestamp_ntz':
      return castTimestamp(data, type, target, path)
    default:
      return castDecimal(data, type, target, path)
  }
}
