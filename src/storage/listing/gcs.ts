import { DeltaError } from '../../delta/engine/errors.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of a GCS JSON API object listing (`/storage/v1/b/<bucket>/o`). `prefixes`
 * (folders) are left out; `nextPageToken` is the next page's token.
 */
export function parseGcsListPage(json: string): ListPage {
  let body: unknown
  try {
    body = JSON.parse(json)
  } catch (cause) {
    throw new DeltaError('InvalidData', 'The GCS listing answer is not JSON; check that the list URL points at the JSON API.', { cause })
  }
  const { items, nextPageToken } = (body ?? {}) as { items?: unknown; nextPageToken?: unknown }
  const objects = (Array.isArray(items) ? items : []).map((item: { name?: unknown; size?: unknown; updated?: unknown }) => {
    const key = typeof item.name === 'string' ? item.name : ''
    const size = typeof item.size === 'string' || typeof item.size === 'number' ? item.size : undefined
    return { key, size: parseSize(size, key), lastModified: parseTime(typeof item.updated === 'string' ? item.updated : undefined) }
  })
  return typeof nextPageToken === 'string' && nextPageToken !== '' ? { objects, next: nextPageToken } : { objects }
}
