// The cause of "Promise resolution is still pending but the event loop has already resolved":
// a peer that accepts and closes without answering (docker-proxy while a container's port is not
// yet listening) leaves undici's fetch pending, and AbortSignal.timeout alone keeps nothing alive.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { waitForRegistry } from '../../grader/registry/registry7.ts';
import { fetchWithin } from '../../grader/util/fetch-within.ts';

describe('fetchWithin against a peer that accepts and closes', () => {
  let server: ChildProcess;
  let port = 0;
  before(async () => {
    // In another process, unref'd: its handle must not keep this test's event loop alive.
    server = spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>c.end()).listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
    port = Number(chunk.toString().trim());
    server.unref();
    server.stdout!.destroy();
  });
  after(() => {
    server.kill();
  });

  test('every request settles instead of letting the process run out of work', async () => {
    // Which way it settles is a race in undici: the close seen before the request is written gives
    // a socket error at once; seen after, the request hangs until our timer (with AbortSignal.timeout
    // alone, this test then fails with "Promise resolution is still pending"). 30 tries hit both.
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      const error = await fetchWithin(fetch, `http://127.0.0.1:${port}/v2/`, {}, 300).then(() => undefined, (e: unknown) => e as Error & { cause?: { code?: string } });
      assert.ok(error, 'a peer that never answers cannot give a response');
      const kind = error.name === 'TimeoutError' ? 'timeout' : error.cause?.code;
      assert.ok(kind === 'timeout' || kind === 'UND_ERR_SOCKET', `unexpected: ${error.name} ${error.message}`);
    }
    assert.ok(Date.now() - started < 30 * 300 + 5_000);
  });

  test('waitForRegistry keeps polling such a peer until its own deadline, then says it does not answer', async () => {
    await assert.rejects(waitForRegistry(`127.0.0.1:${port}`, { readyTimeoutMs: 1_500 }), /nie odpowiada/);
  });
});
