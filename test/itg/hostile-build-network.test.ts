// A student's RUN step tries the machine's loopback services: the base registry, another
// student's registry7 and a plain HTTP service, by 127.0.0.1 and by the docker0 gateway.
// Only this machine's addresses are tried; none must answer, while a control service on all
// interfaces does (so a BLOCKED is the network's doing, not a broken probe).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labBuild, runBuild } from '../../grader/docker/build-runner.ts';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { resolveIsolation } from '../../grader/docker/isolation.ts';
import { startRegistry7, type Registry7 } from '../../grader/registry/registry7.ts';
import { run } from '../../grader/util/exec.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();
const docker = new DockerCli();

const DOCKERFILE = `FROM 127.0.0.1:5055/library/busybox:latest
ARG TARGETS
RUN for t in $TARGETS; do if nc -w 3 "\${t%:*}" "\${t##*:}" </dev/null; then echo "REACHED $t"; else echo "BLOCKED $t"; fi; done
`;

describe('a build cannot reach the machine\'s loopback services', { skip }, () => {
  const runId = newRunId('t-net');
  let dir: string;
  let r7: Registry7;
  let other: Registry7;
  let server: Server;
  let control: Server;
  let hits = 0;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bg-net-test-'));
    await writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    server = createServer((_req, res) => {
      hits++;
      res.end('host');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    control = createServer((_req, res) => res.end('control'));
    await new Promise<void>((resolve) => control.listen(0, '0.0.0.0', resolve));
    [r7, other] = await Promise.all([startRegistry7({ docker, runId }), startRegistry7({ docker, runId: newRunId('t-net-other') })]);
  });

  after(async () => {
    await Promise.all([r7?.stop(), other?.stop()]);
    server?.close();
    control?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('RUN gets no answer from the base registry, another registry7 or a host service', async () => {
    const gw = (await run('docker', ['network', 'inspect', 'bridge', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}'])).stdout.trim();
    assert.match(gw, /^\d+\.\d+\.\d+\.\d+$/);
    const hostPort = (server.address() as { port: number }).port;
    const otherPort = other.host.split(':')[1];
    const targets = [5055, hostPort, otherPort].flatMap((p) => [`127.0.0.1:${p}`, `${gw}:${p}`]);
    const controlTarget = `${gw}:${(control.address() as { port: number }).port}`;
    const isolation = await resolveIsolation('prune', { docker, runId, registry7: r7 });
    const handle = await isolation.prepare();
    try {
      const outcome = await runBuild({
        ...labBuild({
          builder: handle.builderName, contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'),
          platforms: ['linux/amd64'], buildArgs: { TARGETS: [...targets, controlTarget].join(' ') },
          imageRef: `${r7.host}/s00000/net:multiarch`, cacheRef: `${r7.host}/s00000/net:buildcache`, metadataPath: path.join(dir, 'build.json'),
        }),
        logPath: path.join(dir, 'build.log'),
      });
      const log = await readFile(outcome.logPath, 'utf8');
      assert.equal(outcome.exitCode, 0, log.slice(-2000));
      // RUN output lines (`#6 0.25 ...`), not the step's own command line.
      const reached = [...log.matchAll(/^#\d+ [\d.]+ REACHED (\S+)$/gm)].map((m) => m[1]);
      assert.deepEqual(reached, [controlTarget], 'only the control service answers');
      for (const t of targets) assert.match(log, new RegExp(`^#\\d+ [\\d.]+ BLOCKED ${t.replace(/\./g, '\\.')}$`, 'm'), `no attempt at ${t}`);
      assert.equal(hits, 0, 'the host service got no request');
    } finally {
      await handle.dispose();
    }
  });
});
