import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { parseAzureListPage, parseGcsListPage, parseS3ListPage } from '../../src/storage/listing/index.js'
import { decodeXmlText, findElements } from '../../src/storage/listing/xml.js'

describe('XML extraction', () => {
  it('decodes entities and character references', () => {
    expect(decodeXmlText('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233; &#x1F600; &unknown;')).toBe(`a & b <c> "d" 'e' é 😀 &unknown;`)
  })

  it('finds elements with attributes and self-closing ones, not longer names', () => {
    const xml = '<Blobs><Blob a="1"><Name>x</Name></Blob><BlobPrefix><Name>p/</Name></BlobPrefix><Blob/></Blobs>'
    expect(findElements(xml, 'Blob')).toEqual([{ attributes: ' a="1"', inner: '<Name>x</Name>' }, { attributes: '', inner: '' }])
  })
})

describe('S3 ListObjectsV2 pages', () => {
  const page = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>t/_delta_log/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
  <Contents><Key>t/_delta_log/00000000000000000000.json</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>t/_delta_log/a&amp;b.json</Key><LastModified>2024-05-01T10:00:01.000Z</LastModified><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>t/_delta_log/_sidecars/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>`

  it('reads keys, sizes and times, leaves folders out, and returns the token', () => {
    expect(parseS3ListPage(page)).toEqual({
      objects: [
        { key: 't/_delta_log/00000000000000000000.json', size: 1234, lastModified: Date.UTC(2024, 4, 1, 10, 0, 0) },
        { key: 't/_delta_log/a&b.json', size: 0, lastModified: Date.UTC(2024, 4, 1, 10, 0, 1) },
      ],
      next: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    })
  })

  it('has no next page when not truncated, and refuses a missing size', () => {
    expect(parseS3ListPage('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({ objects: [] })
    const e = (() => {
      try {
        return parseS3ListPage('<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>')
      } catch (err) {
        return err
      }
    })()
    expect(isDeltaError(e, 'InvalidData')).toBe(true)
  })
})

describe('Azure List Blobs pages', () => {
  const page = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="c">
  <Prefix>t/_delta_log/</Prefix><Delimiter>/</Delimiter>
  <Blobs>
    <Blob><Name>t/_delta_log/00000000000000000001.json</Name>
      <Properties><Creation-Time>Wed, 01 May 2024 09:00:00 GMT</Creation-Time><Last-Modified>Wed, 01 May 2024 10:00:00 GMT</Last-Modified>
      <Etag>0x8D</Etag><Content-Length>77</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>
    <BlobPrefix><Name>t/_delta_log/_sidecars/</Name></BlobPrefix>
    <Blob><Name Encoded="true">t/_delta_log/odd%EF%BF%BE.json</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>
  </Blobs>
  <NextMarker>2!96!MDAwMDE2</NextMarker>
</EnumerationResults>`

  it('reads names (decoding Encoded ones), sizes and RFC 1123 times, and the marker', () => {
    expect(parseAzureListPage(page)).toEqual({
      objects: [
        { key: 't/_delta_log/00000000000000000001.json', size: 77, lastModified: Date.UTC(2024, 4, 1, 10, 0, 0) },
        { key: 't/_delta_log/odd\uFFFE.json', size: 1, lastModified: 0 },
      ],
      next: '2!96!MDAwMDE2',
    })
  })

  it('has no next page for an empty marker', () => {
    expect(parseAzureListPage('<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>')).toEqual({ objects: [] })
  })
})

describe('GCS JSON listing pages', () => {
  it('reads items and the page token, leaving prefixes out', () => {
    const json = JSON.stringify({
      kind: 'storage#objects',
      prefixes: ['t/_delta_log/_sidecars/'],
      items: [{ name: 't/_delta_log/00000000000000000002.json', size: '42', updated: '2024-05-01T10:00:00.123Z' }],
      nextPageToken: 'CgV0b2tlbg==',
    })
    expect(parseGcsListPage(json)).toEqual({
      objects: [{ key: 't/_delta_log/00000000000000000002.json', size: 42, lastModified: Date.UTC(2024, 4, 1, 10, 0, 0, 123) }],
      next: 'CgV0b2tlbg==',
    })
    expect(parseGcsListPage('{"kind":"storage#objects"}')).toEqual({ objects: [] })
  })

  it('refuses an answer that is not JSON', () => {
    expect(() => parseGcsListPage('<html>')).toThrow(/not JSON/)
  })
})
