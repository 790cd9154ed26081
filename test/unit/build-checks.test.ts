// cache.imported and cache.hit when build 2 did not end well (issue 11 point 8): they say so, and
// steps that never ran are not read as cache misses of a finished build.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseBuildLog } from '../../grader/build-log/parse.ts';
import { cacheHitCheck, cacheImportedCheck, type BuildFacts } from '../../grader/checks/build-checks.ts';
import { classifyBuild } from '../../grader/checks/build-failure.ts';
import type { BuildOutcome } from '../../grader/docker/build-runner.ts';

const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const CACHE = '127.0.0.1:5055/fixturecapture/app:buildcache';

async function facts(fixture: string, o: Partial<BuildOutcome>): Promise<BuildFacts> {
  const outcome: BuildOutcome = { argv: ['docker', 'buildx', 'build'], exitCode: 0, timedOut: false, cancelled: false, durationMs: 42_000, logPath: 'x', droppedLines: 0, metadata: {}, ...o };
  const analysis = parseBuildLog(await readFile(`test/fixtures/buildx-logs/${fixture}`, 'utf8'));
  return { outcome, analysis, verdict: classifyBuild(outcome, analysis), logFile: 'logs/build-2.log' };
}

describe('cache checks on build 2', () => {
  test('a finished, all-CACHED build 2 passes both, with no word of failure', async () => {
    const b = await facts('plain-warm-all-cached.log', {});
    const imported = cacheImportedCheck(b, CACHE);
    const hit = cacheHitCheck(b, PLATFORMS, 0.8);
    assert.equal(imported.status, 'pass');
    assert.equal(hit.status, 'pass', hit.message);
    assert.doesNotMatch(`${imported.message} ${hit.message}`, /nie powiodło się|limit czasu/);
  });

  test('a build 2 whose RUN failed: the import that happened still counts, cache.hit fails saying the build failed', async () => {
    const b = await facts('plain-failed-run-exit127.log', { exitCode: 1 });
    assert.equal(b.verdict.kind, 'student');
    const imported = cacheImportedCheck(b, CACHE);
    assert.equal(imported.status, 'pass');
    assert.match(imported.message, /^Drugie budowanie zaimportowało manifest cache z .*\. Drugie budowanie nie powiodło się: failed to solve: process .* exit code: 127\.$/);
    const hit = cacheHitCheck(b, PLATFORMS, 0.8);
    assert.equal(hit.status, 'fail');
    assert.match(hit.message, /^Drugie budowanie nie powiodło się: .*exit code: 127\. Kroki z cache do miejsca przerwania: linux\/amd64 \d+\/\d+, linux\/arm64 \d+\/\d+; wynik cache nie jest pełny\.$/);
    assert.equal(hit.partial, undefined, 'a broken build earns no partial cache credit');
  });

  test('a build 2 stopped at the time limit before any import: both say the build timed out', async () => {
    const log = '#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n[buildx-grader] przekroczono limit czasu budowania (1200 s): przerwano\n';
    const outcome: BuildOutcome = { argv: ['docker'], exitCode: null, timedOut: true, cancelled: false, durationMs: 1_200_000, logPath: 'x', droppedLines: 0, metadata: {} };
    const analysis = parseBuildLog(log);
    const b: BuildFacts = { outcome, analysis, verdict: classifyBuild(outcome, analysis), logFile: 'logs/build-2.log' };
    const imported = cacheImportedCheck(b, CACHE);
    assert.equal(imported.status, 'fail');
    assert.equal(imported.message, 'Drugie budowanie przekroczyło limit czasu (1200.0 s) i zostało przerwane. Do tego miejsca w logu nie ma importu cache (importing cache manifest).');
    const hit = cacheHitCheck(b, PLATFORMS, 0.8);
    assert.match(hit.message, /^Drugie budowanie przekroczyło limit czasu \(1200\.0 s\)/);
  });
});
