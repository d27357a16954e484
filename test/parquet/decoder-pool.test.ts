import { describe, expect, it } from 'vitest'
import type { DecodeRequest } from '../../src/parquet/decode-request.js'
import { DecodeFailure, DecoderPool, type DecoderThread, type FromDecoder, type ToDecoder } from '../../src/parquet/decoder-pool.js'

/** A decoder thread driven by the test: it records what it is sent and answers when told. */
class FakeThread implements DecoderThread {
  readonly sent: { message: ToDecoder; transfer: ArrayBuffer[] }[] = []
  busy: boolean[] = []
  terminated = false
  #onMessage?: (m: FromDecoder) => void
  #onFailure?: (e: unknown) => void

  post(message: ToDecoder, transfer: ArrayBuffer[]): void {
    this.sent.push({ message, transfer })
  }
  onMessage(listener: (m: FromDecoder) => void): void {
    this.#onMessage = listener
  }
  onFailure(listener: (e: unknown) => void): void {
    this.#onFailure = listener
  }
  setBusy(busy: boolean): void {
    this.busy.push(busy)
  }
  terminate(): void {
    this.terminated = true
  }
  /** The id of the decode this thread was sent last. */
  get job(): number {
    return [...this.sent].reverse().find((s) => s.message.type === 'decode')!.message.id
  }
  answer(m: FromDecoder): void {
    this.#onMessage!(m)
  }
  die(e: unknown): void {
    this.#onFailure!(e)
  }
}

function request(name: string, chunks = [{ start: 0, bytes: new Uint8Array(8) }]): DecodeRequest {
  return { name, size: 100, chunks, batchSize: 10 }
}

const noGap = async () => new Uint8Array(0)
const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: v }), (e: unknown) => ({ error: e }))

describe('DecoderPool', () => {
  it('runs one file per thread, up to its size, and queues the rest', async () => {
    const threads: FakeThread[] = []
    const pool = new DecoderPool(() => {
      threads.push(new FakeThread())
      return threads.at(-1)!
    }, { size: 2 })
    const results = [pool.decode(request('a'), noGap), pool.decode(request('b'), noGap), pool.decode(request('c'), noGap)]
    expect(threads).toHaveLength(2)
    expect(threads.map((t) => t.sent.length)).toEqual([1, 1])
    const ipc = new Uint8Array([1, 2, 3])
    threads[0]!.answer({ type: 'done', id: threads[0]!.job, ipc })
    expect(await results[0]).toBe(ipc)
    // The freed thread takes the queued file.
    expect(threads[0]!.sent).toHaveLength(2)
    expect(threads[0]!.busy).toEqual([true, false, true])
    threads[1]!.answer({ type: 'failed', id: threads[1]!.job, message: 'Parquet error: bad' })
    const failed = await settled(results[1]!)
    expect(failed).toEqual({ error: expect.any(DecodeFailure) })
    expect((failed as { error: DecodeFailure }).error.crashed).toBe(false)
    threads[0]!.answer({ type: 'done', id: threads[0]!.job, ipc })
    expect(await results[2]).toBe(ipc)
    pool.close()
  })

  it('fails only the file a dying thread was decoding, drops that thread and starts another', async () => {
    const threads: FakeThread[] = []
    const pool = new DecoderPool(() => {
      threads.push(new FakeThread())
      return threads.at(-1)!
    }, { size: 1 })
    const first = pool.decode(request('bad'), noGap)
    const second = pool.decode(request('good'), noGap)
    threads[0]!.answer({ type: 'ready' })
    threads[0]!.die(new WebAssembly.RuntimeError('unreachable'))
    const e = (await settled(first)) as { error: DecodeFailure }
    expect(e.error).toBeInstanceOf(DecodeFailure)
    expect(e.error.crashed).toBe(true)
    expect(e.error.message).toContain('unreachable')
    expect(threads[0]!.terminated).toBe(true)
    expect(pool.threads).toBe(1)
    expect(threads).toHaveLength(2)
    threads[1]!.answer({ type: 'done', id: threads[1]!.job, ipc: new Uint8Array(1) })
    expect((await second).length).toBe(1)
    // A late report from the dead thread changes nothing.
    threads[0]!.die(new Error('exit'))
    expect(pool.threads).toBe(1)
    pool.close()
  })

  it('answers reads outside the chunks it sent, and reports a failed one to the thread', async () => {
    const thread = new FakeThread()
    const pool = new DecoderPool(() => thread, { size: 1 })
    const gaps: [number, number][] = []
    const result = pool.decode(request('a'), async (start, end) => {
      gaps.push([start, end])
      if (start > 50) throw new Error('gone')
      return new Uint8Array(end - start).fill(7)
    })
    thread.answer({ type: 'read', id: thread.job, readId: 1, start: 10, end: 20 })
    thread.answer({ type: 'read', id: thread.job, readId: 2, start: 60, end: 70 })
    await new Promise((r) => setTimeout(r, 0))
    const replies = thread.sent.filter((s) => s.message.type === 'bytes').map((s) => s.message as Extract<ToDecoder, { type: 'bytes' }>)
    expect(gaps).toEqual([[10, 20], [60, 70]])
    expect(replies.map((r) => [r.readId, r.bytes?.length, r.error])).toEqual([[1, 10, undefined], [2, undefined, 'gone']])
    thread.answer({ type: 'done', id: thread.job, ipc: new Uint8Array(0) })
    await result
    pool.close()
  })

  it('transfers the buffers of owned chunks, copies views of shared ones, and copies everything not owned', async () => {
    const thread = new FakeThread()
    const pool = new DecoderPool(() => thread, { size: 1 })
    const own = new Uint8Array(16)
    const shared = new Uint8Array(64)
    const chunks = [{ start: 0, bytes: own }, { start: 16, bytes: shared.subarray(0, 8) }, { start: 24, bytes: shared.subarray(8, 16) }]
    const sentChunks = () => (thread.sent.at(-1)!.message as Extract<ToDecoder, { type: 'decode' }>).chunks
    const owned = pool.decode({ ...request('a', chunks), owned: true }, noGap)
    expect(sentChunks()[0]!.bytes).toBe(own)
    expect(sentChunks()[1]!.bytes.buffer).not.toBe(shared.buffer)
    expect(sentChunks()[2]!.bytes.buffer).not.toBe(shared.buffer)
    expect(new Set(thread.sent.at(-1)!.transfer).size).toBe(3)
    thread.answer({ type: 'done', id: thread.job, ipc: new Uint8Array(0) })
    await owned
    const borrowed = pool.decode(request('b', [{ start: 0, bytes: own }]), noGap)
    expect(sentChunks()[0]!.bytes).not.toBe(own)
    thread.answer({ type: 'done', id: thread.job, ipc: new Uint8Array(0) })
    await borrowed
    pool.close()
  })

  it('stops a thread idle for idleMs and starts one again on demand', async () => {
    const threads: FakeThread[] = []
    const pool = new DecoderPool(() => {
      threads.push(new FakeThread())
      return threads.at(-1)!
    }, { size: 1, idleMs: 5 })
    const a = pool.decode(request('a'), noGap)
    threads[0]!.answer({ type: 'done', id: threads[0]!.job, ipc: new Uint8Array(0) })
    await a
    await new Promise((r) => setTimeout(r, 30))
    expect(threads[0]!.terminated).toBe(true)
    expect(pool.threads).toBe(0)
    const b = pool.decode(request('b'), noGap)
    expect(threads).toHaveLength(2)
    threads[1]!.answer({ type: 'done', id: threads[1]!.job, ipc: new Uint8Array(0) })
    await b
    pool.close()
  })

  it('tells a thread that never started its decoder from one that crashed on a file', async () => {
    const threads: FakeThread[] = []
    const pool = new DecoderPool(() => {
      threads.push(new FakeThread())
      return threads.at(-1)!
    }, { size: 1 })
    const a = pool.decode(request('a'), noGap)
    threads[0]!.die(new Error('404 decode-worker.js'))
    const e = (await settled(a)) as { error: DecodeFailure }
    expect([e.error.notStarted, e.error.crashed]).toEqual([true, false])
    const b = pool.decode(request('b'), noGap)
    threads[1]!.answer({ type: 'failed', id: threads[1]!.job, message: 'the decoder could not start: no wasm' })
    const f = (await settled(b)) as { error: DecodeFailure }
    expect(f.error.notStarted).toBe(true)
    expect(threads[1]!.terminated).toBe(true)
    pool.close()
  })

  it('fails waiting files when no thread can start', async () => {
    const pool = new DecoderPool(() => {
      throw new Error('no workers here')
    }, { size: 2 })
    const e = (await settled(pool.decode(request('a'), noGap))) as { error: DecodeFailure }
    expect(e.error.message).toContain('no workers here')
    expect(e.error.notStarted).toBe(true)
  })
})
