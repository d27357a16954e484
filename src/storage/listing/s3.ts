import { findElements, firstText } from './xml.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of an S3 ListObjectsV2 answer (`list-type=2`). `CommonPrefixes` (folders) are
 * left out; `NextContinuationToken` is the next page's token while `IsTruncated` is true.
 */
export function parseS3ListPage(xml: string): ListPage {
  const objects = findElements(xml, 'Contents').map(({ inner }) => {
    const key = firstText(inner, 'Key') ?? ''
    return { key, size: parseSize(firstText(inner, 'Size'), key), lastModified: parseTime(firstText(inner, 'LastModified')) }
  })
  const truncated = firstText(xml, 'IsTruncated') === 'true'
  const next = truncated ? firstText(xml, 'NextContinuationToken') : undefined
  return next ? { objects, next } : { objects }
}
