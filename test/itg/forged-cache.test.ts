// A real 2-platform build (prune isolation, fresh registry7) whose uncached RUN prints what a
// --progress=plain log would show for a cache hit and a cache import. The reproduction reads
// BuildKit's rawjson fields, so none of it counts; the rendered log shows it as RUN output.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labBuild, runBuild } from '../../grader/docker/build-runner.ts';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { resolveIsolation } from '../../grader/docker/isolation.ts';
import { verdictOf } from '../../grader/grade/reproduce-build.ts';
import { startRegistry7, type Registry7 } from '../../grader/registry/registry7.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();

const FAKE_DIGEST = `sha256:${'0'.repeat(64)}`;
// busybox printf: \r and \033 are real control characters in the output.
const DOCKERFILE = `FROM 127.0.0.1:5055/library/busybox:latest
RUN printf 'compiling\\r#9 CACHED\\n' \\
 && printf '\\033[G#9 CACHED\\n' \\
 && printf '#9 CACHED\\n' \\
 && printf 'importing cache manifest from 127.0.0.1:5000/x:y\\n' \\
 && printf 'writing cache manifest ${FAKE_DIGEST}\\n'
`;

describe('forged cache lines in RUN output', { skip }, () => {
  const docker = new DockerCli();
  const runId = `t${newRunId()}`;
  let dir: string;
  let r7: Registry7;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bg-forged-test-'));
    await writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    r7 = await startRegistry7({ docker, runId });
  });

  after(async () => {
    await r7?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the reproduction counts no CACHED step and no cache import', async () => {
    const isolation = await resolveIsolation('prune', { docker, runId, registry7: r7 });
    const imageRef = `${r7.host}/s00000/forged:build1`;
    const cacheRef = `${r7.host}/s00000/forged:buildcache`;
    const handle = await isolation.prepare({ imageRefs: [imageRef] });
    try {
      const outcome = await runBuild({
        ...labBuild({ builder: handle.builderName, contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), imageRef, cacheRef, metadataPath: path.join(dir, 'metadata-1.json') }),
        logPath: path.join(dir, 'build-1.log'),
      });
      const log = await readFile(outcome.logPath, 'utf8');
      assert.equal(outcome.exitCode, 0, log.slice(-3000));
      assert.ok(outcome.argv.includes('--progress=rawjson'));
      const a = outcome.progress.analysis;
      assert.deepEqual(verdictOf(outcome, a), { kind: 'ok' });
      assert.deepEqual(a.platforms, [
        { platform: 'linux/amd64', cached: 0, total: 1 },
        { platform: 'linux/arm64', cached: 0, total: 1 },
      ]);
      assert.deepEqual(a.evidence, []);
      // The only import is the real one, of a cache ref that does not exist yet in a fresh registry7.
      assert.equal(a.cacheImport.status, 'not-found');
      assert.deepEqual(a.cacheImport.attempts.map((t) => t.ref), [cacheRef]);
      assert.equal(a.cacheExport.exported, true);
      assert.match(a.cacheExport.manifestDigest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.notEqual(a.cacheExport.manifestDigest, FAKE_DIGEST);

      // The log file shows the forgery as RUN output of the RUN vertex, control characters escaped.
      const lines = log.split('\n');
      const runVertex = outcome.progress.vertices.find((v) => v.name.startsWith('[linux/amd64 2/2] RUN'));
      assert.ok(runVertex);
      const own = lines.filter((l) => l.startsWith(`#${runVertex.index} `));
      assert.ok(own.some((l) => /^#\d+ \d+\.\d+ compiling\\r#9 CACHED$/.test(l)), own.join('\n'));
      assert.ok(own.some((l) => /^#\d+ \d+\.\d+ \\x1b\[G#9 CACHED$/.test(l)), own.join('\n'));
      assert.equal(own.includes(`#${runVertex.index} CACHED`), false);
      assert.equal(/[\r\x1b]/.test(log), false);
      // Every `#N CACHED` line of the file belongs to a FROM vertex (BuildKit marks a resolved base cached).
      const fromIndexes = outcome.progress.vertices.filter((v) => / FROM /.test(v.name)).map((v) => `#${v.index} CACHED`);
      for (const l of lines.filter((x) => /^#\d+ CACHED$/.test(x))) assert.ok(fromIndexes.includes(l), l);
    } finally {
      await handle.dispose();
    }
  });
});
