import { FsaStorage } from '../../src/storage/fsa.js'

/** The Storage methods the Node side may call on an OPFS folder. */
export type FsaOp = 'list' | 'read' | 'head' | 'put' | 'delete' | 'capabilities'

/** The OPFS folder at `dir` ('/'-separated under the origin's root), created when missing. */
export async function opfsFolder(dir: string): Promise<FileSystemDirectoryHandle> {
  let folder = await navigator.storage.getDirectory()
  for (const part of dir.split('/').filter(Boolean)) folder = await folder.getDirectoryHandle(part, { create: true })
  return folder
}

/** Remove an OPFS folder and everything in it; absent is fine. */
export async function removeOpfsFolder(dir: string): Promise<void> {
  const parts = dir.split('/').filter(Boolean)
  const name = parts.pop()
  if (!name) return
  const parent = await opfsFolder(parts.join('/'))
  await parent.removeEntry(name, { recursive: true }).catch((e: unknown) => {
    if ((e as { name?: string }).name !== 'NotFoundError') throw e
  })
}

const storages = new Map<string, FsaStorage>()

function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/**
 * Run one FsaStorage method on an OPFS folder, with bytes as base64 both ways: the Node side
 * runs the shared Storage contract suite through this.
 */
export async function fsaCall(dir: string, op: FsaOp, args: unknown[]): Promise<unknown> {
  let storage = storages.get(dir)
  if (!storage) {
    storage = new FsaStorage(await opfsFolder(dir), { lockName: dir })
    storages.set(dir, storage)
  }
  switch (op) {
    case 'capabilities':
      return storage.capabilities
    case 'list':
      return storage.list(args[0] as string, args[1] as { startAfter?: string } | undefined)
    case 'read':
      return base64(await storage.read(args[0] as string, args[1] as { offset: number; length: number } | undefined))
    case 'head':
      return (await storage.head(args[0] as string)) ?? null
    case 'put':
      return storage.put(args[0] as string, fromBase64(args[1] as string), args[2] as { ifAbsent?: boolean } | undefined)
    case 'delete':
      return storage.delete(args[0] as string)
  }
}

/** Every file under an OPFS folder, with its path relative to it and its bytes in base64. */
export async function exportOpfsFolder(dir: string): Promise<{ path: string; data: string }[]> {
  const out: { path: string; data: string }[] = []
  const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const entry of folder.values()) {
      const path = prefix + entry.name
      if (entry.kind === 'directory') await walk(entry, `${path}/`)
      else out.push({ path, data: base64(new Uint8Array(await (await entry.getFile()).arrayBuffer())) })
    }
  }
  await walk(await opfsFolder(dir), '')
  return out.sort((a, b) => (a.path < b.path ? -1 : 1))
}
