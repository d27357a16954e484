import { parseAzureListPage } from './azure.js'
import { parseGcsListPage } from './gcs.js'
import { parseS3ListPage } from './s3.js'
import type { ListPage } from './page.js'

export type { ListedObject, ListPage } from './page.js'
export { parseAzureListPage, parseGcsListPage, parseS3ListPage }

/** Read one listing page in the given dialect. */
export function parseListPage(dialect: 's3' | 'azure' | 'gcs', body: string): ListPage {
  if (dialect === 's3') return parseS3ListPage(body)
  if (dialect === 'azure') return parseAzureListPage(body)
  return parseGcsListPage(body)
}
