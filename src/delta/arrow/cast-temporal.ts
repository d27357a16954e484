import { DataType, DateUnit, TimeUnit, type Data, type Date_, type Timestamp } from 'apache-arrow'
import type { PrimitiveType } from '../model/schema.js'
import { castError, rejectRow, relabel, withValues } from './cast-util.js'
import { floorDiv, MICROS_PER_DAY } from './temporal.js'

const MS_PER_DAY = 86_400_000n
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n

/** date from DateDay, or DateMillisecond floored to whole days. */
export function castDate(data: Data, type: DataType, path: string): Data {
  const src = data.type
  if (!DataType.isDate(src)) throw castError(path, src, 'date')
  if ((src as Date_).unit === DateUnit.DAY) return relabel(data, type)
  const ms = data.values as BigInt64Array
  const out = new Int32Array(data.length)
  for (let i = 0; i < out.length; i++) {
    const days = floorDiv(ms[i]!, MS_PER_DAY)
    const ok = days >= -0x80000000n && days <= 0x7fffffffn
    if (!ok) rejectRow(data, i, path, 'date', `day ${days} is out of range`)
    if (ok) out[i] = Number(days)
  }
  return withValues(data, type, out)
}

/**
 * timestamp / timestamp_ntz (microseconds) from a Timestamp of any unit and zone: seconds and
 * milliseconds scale up (checked for overflow), nanoseconds floor-divide (exact before 1970),
 * and a date becomes its midnight for timestamp_ntz (type widening).
 */
export function castTimestamp(data: Data, type: DataType, target: PrimitiveType, path: string): Data {
  const src = data.type
  if (DataType.isDate(src) && target === 'timestamp_ntz') return dateToMicros(data, src as Date_, type)
  if (!DataType.isTimestamp(src)) throw castError(path, src, target)
  const unit = (src as Timestamp).unit
  if (unit === TimeUnit.MICROSECOND) return relabel(data, type)
  const values = data.values as BigInt64Array
  const out = new BigInt64Array(data.length)
  if (unit === TimeUnit.NANOSECOND) {
    for (let i = 0; i < out.length; i++) out[i] = floorDiv(values[i]!, 1000n)
  } else {
    const factor = unit === TimeUnit.SECOND ? 1_000_000n : 1000n
    for (let i = 0; i < out.length; i++) {
      const v = values[i]! * factor
      const ok = v <= INT64_MAX && v >= INT64_MIN
      if (!ok) rejectRow(data, i, path, target, `${values[i]} overflows microseconds`)
      if (ok) out[i] = v
    }
  }
  return withValues(data, type, out)
}

function dateToMicros(data: Data, src: Date_, type: DataType): Data {
  const out = new BigInt64Array(data.length)
  if (src.unit === DateUnit.DAY) {
    const days = data.values as Int32Array
    for (let i = 0; i < out.length; i++) out[i] = BigInt(days[i]!) * MICROS_PER_DAY
  } else {
    const ms = data.values as BigInt64Array
    for (let i = 0; i < out.length; i++) out[i] = floorDiv(ms[i]!, MS_PER_DAY) * MICROS_PER_DAY
  }
  return withValues(data, type, out)
}
