/**
 * fetch with a time limit that keeps the process alive until the response headers arrive.
 *
 * AbortSignal.timeout's timer is unref'd, and undici's fetch (Node 20) can stay pending for good
 * when the peer accepts and closes the connection without an answer, which is what docker-proxy
 * does while a container's port is published but not yet listening. With nothing else running
 * the event loop then empties mid-await: the CLI exits with code 13, node:test fails every
 * pending test with "Promise resolution is still pending but the event loop has already
 * resolved". A ref'd timer for the same limit ends that wait. Reading the body afterwards is
 * still bounded by AbortSignal.timeout, as before.
 */
export async function fetchWithin(
  doFetch: typeof fetch,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
  parent?: AbortSignal,
): Promise<Response> {
  const total = AbortSignal.timeout(timeoutMs);
  const headers = new AbortController();
  const timer = setTimeout(() => headers.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  try {
    return await doFetch(url, { ...init, signal: AbortSignal.any([total, headers.signal, ...(parent ? [parent] : [])]) });
  } finally {
    clearTimeout(timer);
  }
}
