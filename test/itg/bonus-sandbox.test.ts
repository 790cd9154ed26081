// The student's deletion script, run for real in the sandbox against a disposable copy of registry7.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRegistry7DeleteCheck } from '../../grader/checks/bonus-registry7-delete.ts';
import { judgeScript } from '../../grader/bonus/judge.ts';
import { runStudentScript } from '../../grader/bonus/sandbox.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { leftovers } from '../../grader/docker/run-resources.ts';
import { InterruptedError } from '../../grader/errors.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { run } from '../../grader/util/exec.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });

const client = new RegistryClient({ retries: 0, timeoutMs: 10_000 });
const common = {
  client,
  imageRef: '127.0.0.1:5055/s99656/pogoda:multiarch',
  cacheRef: '127.0.0.1:5055/s99656/pogoda:buildcache',
  source: { container: BASE },
  registryDelete: { enabled: true, basis: 'registry7 z włączonym usuwaniem (test)' },
  // As if the student's report said `docker exec registry7 registry garbage-collect …`.
  gcBy: 'sprawozdanie.md, wiersz 1',
};
const nothingLeft = { containers: [], networks: [], volumes: [] };

/** The host's address on Docker's default bridge (docker0), a network of this machine. */
async function bridgeGateway(): Promise<string> {
  const r = await run('docker', ['network', 'inspect', 'bridge', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}']);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+\.\d+$/, r.stderr);
  return r.stdout.trim();
}

describe('bonus: student script in the sandbox', { skip }, () => {
  let dir: string;
  let server: Server;
  let hostPort = 0;
  let hostHits = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bonus-sandbox-'));
    // A host service on every interface: the sandbox must not reach it through any gateway.
    server = createServer((_req, res) => {
      hostHits++;
      res.end('host');
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    hostPort = (server.address() as { port: number }).port;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the example submission\'s delete-cache.sh deletes the cache by digest and is judged pass', async () => {
    const runId = newRunId('test-sbx');
    const started = performance.now();
    const outcome = await runStudentScript({ ...common, runId, submissionDir: resolve('submissions/example'), script: 'delete-cache.sh' });
    console.log(`sample script: ${Math.round(performance.now() - started)} ms total, script ${outcome.durationMs} ms, freed ${outcome.verification?.bytesBefore! - outcome.verification?.bytesAfterGc!} B\n${outcome.output}`);
    assert.equal(outcome.infraError, undefined);
    assert.equal(outcome.exitCode, 0, outcome.output);
    assert.equal(outcome.timedOut, false);
    assert.match(outcome.output, /DELETE sha256:[0-9a-f]{64} -> 202/);
    const v = outcome.verification!;
    assert.equal(v.cacheStatusAfter, 404);
    assert.equal(v.cacheListedAfter, false);
    assert.equal(v.imageStatusAfterGc, 200);
    assert.ok(v.bytesBefore! - v.bytesAfterGc! > 0);
    assert.equal(judgeScript(outcome).status, 'pass');
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a script that tries to reach anything but registry7 fails to, and it is reported', async () => {
    const script = join(dir, 'escape.sh');
    await writeFile(script, [
      '#!/bin/sh',
      `P=${hostPort}`,
      'own=$(ip -4 -o addr show eth0 | awk \'{print $4}\' | cut -d/ -f1)',
      'gw=${own%.*}.1',
      // Only this machine: its loopback, the docker0 bridge's gateway and the sandbox's own gateway.
      `B=${await bridgeGateway()}`,
      'for url in http://127.0.0.1:5055/v2/ http://host.docker.internal:5055/v2/ http://$B:5055/v2/ \\',
      '    http://$B:$P/ http://$gw:$P/; do',
      '  if curl -sS -m 3 -o /dev/null "$url"; then echo "REACHED $url"; fi',
      'done',
      'curl -sS -m 3 -o /dev/null -w "registry7 %{http_code}\\n" "$REGISTRY_URL/v2/"',
      'ls -l /var/run/docker.sock 2>&1 || true',
      'touch /etc/x 2>&1 || true',
    ].join('\n'));
    const runId = newRunId('test-sbx');
    const outcome = await runStudentScript({ ...common, runId, submissionDir: dir, script: 'escape.sh' });
    assert.equal(outcome.infraError, undefined);
    assert.doesNotMatch(outcome.output, /REACHED/, outcome.output);
    assert.equal(hostHits, 0, 'the host service got no request');
    assert.match(outcome.output, /registry7 200/, 'registry7 itself is reachable');
    assert.match(outcome.output, /docker\.sock: No such file/);
    assert.match(outcome.output, /Read-only file system/);
    assert.ok(outcome.blockedConnections.length >= 5, outcome.output);
    assert.ok(outcome.blockedConnections.some((l) => /127\.0\.0\.1/.test(l)));
    assert.ok(outcome.blockedConnections.some((l) => /host\.docker\.internal/.test(l)));
    // It deleted nothing: judged fail, and the blocked attempts are in the evidence.
    const check = buildRegistry7DeleteCheck({ reference: { registry: 'r', repository: 's99656/pogoda', imageTag: 'multiarch', cacheTag: 'buildcache', steps: [], sharedTags: [] }, script: outcome });
    assert.notEqual(check.status, 'pass');
    assert.ok(check.evidence.some((e) => e.kind === 'text' && e.title.includes('zablokowane') && /host\.docker\.internal/.test(e.text)));
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a script in a folder named like mount options runs as itself: no host file reaches the sandbox', async () => {
    // docker's --mount parser keeps the last source=: this name used to mount /etc/passwd.
    const hostile = join(dir, 'a,source=/etc/passwd,dst=/x.sh');
    await mkdir(hostile, { recursive: true });
    await writeFile(join(hostile, 'rm.sh'), '#!/bin/sh\necho "skrypt studenta: $0"\ncat /sandbox/* | head -c 200\n');
    const runId = newRunId('test-sbx');
    const outcome = await runStudentScript({ ...common, runId, submissionDir: dir, script: 'a,source=/etc/passwd,dst=/x.sh/rm.sh' });
    assert.equal(outcome.infraError, undefined, outcome.infraError);
    assert.equal(outcome.exitCode, 0, outcome.output);
    assert.match(outcome.output, /skrypt studenta: \/sandbox\/script\.sh/);
    assert.doesNotMatch(outcome.output, /root:x:0:0/);
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a script that never ends is killed at the time limit', async () => {
    await writeFile(join(dir, 'forever.sh'), '#!/bin/sh\necho start\nwhile :; do sleep 1; done\n');
    const runId = newRunId('test-sbx');
    const outcome = await runStudentScript({ ...common, runId, submissionDir: dir, script: 'forever.sh', timeLimitMs: 3_000 });
    console.log(`forever.sh: killed after ${outcome.durationMs} ms, exit ${outcome.exitCode}`);
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.exitCode, 137);
    assert.ok(outcome.durationMs >= 3_000 && outcome.durationMs < 15_000);
    assert.equal(judgeScript(outcome).status, 'fail');
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('abort (Ctrl-C) stops the script and removes everything', async () => {
    await writeFile(join(dir, 'forever2.sh'), '#!/bin/sh\nwhile :; do sleep 1; done\n');
    const runId = newRunId('test-sbx');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 4_000);
    await assert.rejects(
      runStudentScript({ ...common, runId, submissionDir: dir, script: 'forever2.sh', timeLimitMs: 60_000, signal: ac.signal }),
      InterruptedError,
    );
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a script path outside the submission is refused without running anything', async () => {
    const runId = newRunId('test-sbx');
    const outcome = await runStudentScript({ ...common, runId, submissionDir: dir, script: '../../etc/passwd' });
    assert.match(outcome.invalid ?? '', /poza katalog|Nie znaleziono/);
    assert.equal(judgeScript(outcome).status, 'fail');
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });
});
