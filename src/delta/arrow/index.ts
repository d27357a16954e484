/**
 * Arrow plumbing for scans and log replay: the canonical Delta -> Arrow type mapping, exact
 * conversion of decoded Parquet tables to the logical schema, constant columns, row
 * filtering, and conversion of Arrow rows to plain JavaScript values. Pure: no I/O.
 */
export { toArrowType, toArrowField, toArrowSchema, describeDeltaType, UTC } from './types.js'
export {
  conformTable, conformBatch, conformData, physicalColumns, type ConformOptions,
} from './conform.js'
export { constantVector, constantData, nullData } from './constant.js'
export { filterTable, filterData, takeRows } from './filter-rows.js'
export { takeData } from './take.js'
export { arrowToPlain, plainRows, plainReader, vectorToPlain, dataToPlain } from './plain.js'
export { formatDate, formatTimestamp } from './temporal.js'
export { formatDecimal } from './decimal.js'
