/**
 * Map `items` through `fn` with at most `limit` calls in flight, keeping the order of results.
 * Enough parallelism to hide round trips without opening thousands of files at once.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/**
 * Yield `fn(item)` for each item in order, with up to `limit` calls started ahead of the one
 * being consumed: the next reads overlap the caller's work on this one, while memory stays
 * bounded by `limit` results.
 */
export async function* mapAhead<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = []
  let next = 0
  const fill = () => {
    while (next < items.length && pending.length < limit) {
      const p = fn(items[next++]!)
      p.catch(() => undefined) // rejections surface when awaited in order, not as unhandled
      pending.push(p)
    }
  }
  fill()
  while (pending.length > 0) {
    const value = await pending.shift()!
    fill()
    yield value
  }
}
