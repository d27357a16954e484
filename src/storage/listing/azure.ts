import { decodeXmlText, findElements, firstText } from './xml.js'
import { parseSize, parseTime, type ListPage } from './page.js'

/**
 * Read one page of an Azure List Blobs answer (`restype=container&comp=list`). `BlobPrefix`
 * entries (folders) are left out; a non-empty `NextMarker` is the next page's marker.
 */
export function parseAzureListPage(xml: string): ListPage {
  const objects = findElements(xml, 'Blob').map(({ inner }) => {
    const key = readBlobName(inner)
    return {
      key,
      size: parseSize(firstText(inner, 'Content-Length'), key),
      lastModified: parseTime(firstText(inner, 'Last-Modified')),
    }
  })
  const next = firstText(xml, 'NextMarker')
  return next ? { objects, next } : { objects }
}

// Names with characters XML cannot carry come as <Name Encoded="true"> with percent-encoding.
function readBlobName(blobXml: string): string {
  const el = findElements(blobXml, 'Name')[0]
  if (el === undefined) return ''
  const text = decodeXmlText(el.inner)
  return /Encoded\s*=\s*"true"/i.test(el.attributes) ? decodeURIComponent(text) : text
}
