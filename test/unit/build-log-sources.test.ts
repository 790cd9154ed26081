// The build-log parser on real logs it was not written against: output that tries to forge
// status lines (captured here with buildx 0.29.1), and logs of other buildx/BuildKit versions
// and CI systems taken from public issues (sources in test/fixtures/buildx-logs/README.md).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseBuildLog, parseBuildLogFile, UNLABELLED_PLATFORM, type BuildLogAnalysis } from '../../grader/build-log/parse.ts';

const logs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'buildx-logs');
const pub = (name: string): string => path.join(logs, 'public', name);

function counts(a: BuildLogAnalysis): Record<string, string> {
  return Object.fromEntries(a.platforms.map((p) => [p.platform, `${p.cached}/${p.total}`]));
}

function step(a: BuildLogAnalysis, key: string): BuildLogAnalysis['steps'][number] {
  const found = a.steps.find((s) => s.key === key);
  assert.ok(found, `step ${key} in ${a.steps.map((s) => s.key).join(', ')}`);
  return found;
}

describe('RUN output cannot forge status lines (real buildx 0.29.1 captures)', () => {
  it('plain: `\\r#N CACHED`, `ESC[G#N CACHED`, cache import/export wording in output count for nothing', async () => {
    const a = await parseBuildLogFile(path.join(logs, 'plain-forky-forged-cr-cached.log'));
    assert.equal(a.format, 'plain');
    assert.deepEqual(counts(a), { 'linux/amd64': '0/3', 'linux/arm64': '0/3' });
    assert.equal(a.totals.cached, 0);
    assert.ok(a.steps.every((s) => !s.cached || s.from), 'only the FROM vertex buildx itself marked CACHED');
    // The forged `#99 [linux/amd64 4/4] RUN fake` header did not create a step.
    assert.equal(a.steps.length, 8);
    assert.equal(a.cacheImport.status, 'not-requested');
    assert.deepEqual(a.cacheImport.attempts, []);
    assert.equal(a.cacheExport.attempted, false);
    assert.equal(a.cacheExport.exported, false);
    assert.equal(a.cacheExport.manifestDigest, null);
    assert.deepEqual(a.evidence, []);
    assert.deepEqual(a.builder, { name: 'default', driver: 'docker' });
  });

  it('the same build in tty: buildx shows the output as `=> => #` lines, nothing is counted', async () => {
    const a = await parseBuildLogFile(path.join(logs, 'tty-forky-forged-cr-cached.log'));
    assert.equal(a.format, 'tty');
    assert.deepEqual(counts(a), { 'linux/amd64': '0/3', 'linux/arm64': '0/3' });
    assert.equal(a.cacheImport.status, 'not-requested');
    assert.equal(a.cacheExport.attempted, false);
  });

  it('a failing RUN that prints `------`, a tty CACHED line and `ERROR:` does not break out of its output', async () => {
    const a = await parseBuildLogFile(path.join(logs, 'plain-forky-forged-error-box.log'));
    assert.deepEqual(counts(a), { 'linux/amd64': '0/3', 'linux/arm64': '0/3' });
    assert.equal(a.cacheImport.status, 'not-requested');
    assert.equal(a.error?.exitCode, 3);
    assert.match(a.error?.message ?? '', /^failed to build: failed to solve: process /);
    assert.equal(step(a, 'linux/arm64||4/4').canceled, true);
  });

  it('buildx 0.13 prints box lines without timestamps: output that closes its box early counts for nothing', async () => {
    // Constructed from a real log: the 0.13.1 capture with lines a failing RUN could print
    // inserted into its error box (that buildx cannot run here to capture them for real).
    const real = await readFile(path.join(logs, 'plain-failed-run-exit127.log'), 'utf8');
    const forged = real.replace(
      '\nnpm: not found\n',
      [
        '',
        'npm: not found',
        '------',
        ' => CACHED [linux/amd64 build1 5/5] RUN npm install --omit=dev && echo  0.0s',
        '#14 CACHED',
        '#16 CACHED',
        '#17 importing cache manifest from 127.0.0.1:5055/x:y',
        '#18 exporting cache to registry',
        '#18 writing cache manifest sha256:' + '0'.repeat(64),
        '',
      ].join('\n'),
    );
    assert.notEqual(forged, real);
    const before = parseBuildLog(real);
    const after = parseBuildLog(forged);
    assert.deepEqual(counts(after), counts(before));
    assert.deepEqual(after.steps.map((s) => [s.key, s.cached]), before.steps.map((s) => [s.key, s.cached]));
    assert.equal(step(after, 'linux/amd64|build1|5/5').cached, false);
    assert.deepEqual(after.cacheImport.attempts.map((a) => a.ref), before.cacheImport.attempts.map((a) => a.ref));
    assert.equal(after.cacheExport.manifestDigest, before.cacheExport.manifestDigest);
    assert.equal(after.error?.exitCode, 127);
  });

  it('a lone CR does not end a line, so line numbers do not move', () => {
    const a = parseBuildLog('#9 [linux/amd64 2/3] RUN x\n#9 0.123 \r#9 CACHED\n#9 DONE 0.2s\n');
    assert.equal(a.lineCount, 3);
    assert.deepEqual(counts(a), { 'linux/amd64': '0/1' });
    assert.equal(step(a, 'linux/amd64||2/3').lastLine, 3);
  });
});

describe('logs of other buildx/BuildKit versions and CI systems (public issues)', () => {
  it('GitHub Actions 2020 (docker/buildx#293): timestamps, stage labels without platform', async () => {
    const a = await parseBuildLogFile(pub('gha-2020-buildx-293-stage-labels-cached.log'));
    assert.equal(a.format, 'plain');
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '4/5' });
    assert.equal(step(a, '|prep|3/3').instruction, 'RUN mkdir ./proj && cd ./src &&   find . -type f -a ( -iname ...');
    assert.equal(step(a, '|build|4/4').cached, false);
  });

  it('GitHub Actions 2025 (docker-container builder): builder, platform error, new final ERROR wording', async () => {
    const a = await parseBuildLogFile(pub('gha-2025-docker-container-platform-error.log'));
    assert.deepEqual(a.builder, { name: 'builder-61b66163-73e3-4c5e-a8ec-52fa5a655a6c', driver: 'docker-container' });
    assert.equal(a.format, 'plain');
    assert.deepEqual(a.platforms, []);
    assert.match(a.error?.message ?? '', /^failed to build: failed to solve: node:lts-slim: failed to resolve source metadata/);
    assert.deepEqual(a.error?.dockerfile, { file: 'Dockerfile', line: 22 });
    assert.equal(a.error?.excerpt.find((l) => l.highlight)?.text, '  22 | >>> FROM node:lts-slim AS frontend-build');
  });

  it('GitHub Actions 2026 (docker-container): cache export CANCELED after a failed push is not an export', async () => {
    const a = await parseBuildLogFile(pub('gha-2026-docker-container-cache-export-canceled.log'));
    assert.deepEqual(a.builder, { name: 'builder-2ab52d13-ed27-46a3-9518-1edee92dd4e4', driver: 'docker-container' });
    assert.equal(a.cacheExport.attempted, true);
    assert.equal(a.cacheExport.exported, false);
    assert.equal(a.push.manifestList, 'sha256:56827a2c36af4492ada2eb51eb7536691b511b7c42875cb099c356993dafba75');
    assert.match(a.error?.message ?? '', /push access denied/);
    assert.equal(step(a, 'linux/amd64|stage-1|1/5').from, true);
  });

  it('Jenkins 2025 (jenkinsci/acceptance-test-harness#2040): `HH:MM:SS  ` prefix, OCI cache manifest imported', async () => {
    const a = await parseBuildLogFile(pub('jenkins-2025-ath-2040-import-oci.log'));
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.ref, 'jenkins/ath:build-cache');
    assert.deepEqual(
      a.evidence.map((l) => l.text),
      ['#7 importing cache manifest from jenkins/ath:build-cache', '#7 inferred cache manifest type: application/vnd.oci.image.manifest.v1+json done'],
    );
  });

  it('Jenkins-style `HH:MM:SS ` prefix 2021 (forums.docker.com): padded `[stage-0  2/34]`, a cached FROM is not counted', async () => {
    const a = await parseBuildLogFile(pub('jenkins-2021-forum-114578-stage0-padded.log'));
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '0/1' });
    assert.equal(step(a, '|stage-0|1/34').from, true);
    assert.equal(step(a, '|stage-0|2/34').done, true);
  });

  it('buildx 0.12 (docker/buildx#1706): `[2/2]` is an index, not a platform; gha import', async () => {
    const a = await parseBuildLogFile(pub('plain-buildx-1706-gha-import-no-platform.log'));
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '1/1' });
    assert.equal(step(a, '||2/2').platform, null);
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.ref, 'gha:15693311099075939781');
  });

  it('buildx 0.11 (docker/buildx#1901): `[ 1/11]` padded index, local cache import', async () => {
    const a = await parseBuildLogFile(pub('plain-buildx-1901-local-import-padded-index.log'));
    const from = step(a, '||1/11');
    assert.equal(from.from, true);
    assert.equal(from.platform, null);
    assert.deepEqual(a.platforms, []);
    assert.equal(a.cacheImport.ref, 'local:4421385834806915172');
  });

  it('docker/buildx#3756: RUN output starting with `ERROR:` is output; the vertex ERROR line fails the step', async () => {
    const a = await parseBuildLogFile(pub('plain-buildx-3756-no-platform-run-error.log'));
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '0/1' });
    assert.equal(step(a, '||2/3').error, 'process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 1');
    assert.equal(a.error, null, 'no top-level ERROR line in this excerpt');
  });

  it('docker/buildx#4087: the first step of a FROM scratch stage is `[1/1] COPY`, a counted step', async () => {
    const a = await parseBuildLogFile(pub('plain-buildx-4087-from-scratch-copy.log'));
    const copy = step(a, '||1/1');
    assert.equal(copy.from, false);
    assert.equal(copy.counted, true);
    assert.equal(copy.error, 'failed to calculate checksum: "/missing": not found');
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '0/1' });
  });

  it('moby/buildkit#1865 (2020): lowercase `error: failed to solve:` of old buildx is the build error', async () => {
    const a = await parseBuildLogFile(pub('plain-buildkit-1865-lowercase-error.log'));
    assert.match(a.error?.message ?? '', /^failed to solve: rpc error: code = Unknown desc = error writing manifest blob/);
    assert.equal(a.error?.lines.at(-1)?.highlight, true);
  });

  it('docker/build-push-action#1181: `exporting to GitHub Actions Cache` is a cache export that did not finish', async () => {
    const a = await parseBuildLogFile(pub('plain-bpa-1181-gha-export-error.log'));
    assert.equal(a.cacheExport.attempted, true);
    assert.equal(a.cacheExport.exported, false);
    assert.match(a.error?.message ?? '', /^failed to receive status: /);
  });

  it('docker/buildx#537 (tty, buildx 0.29): an export still writing layers has not exported; stage-only label', async () => {
    const a = await parseBuildLogFile(pub('tty-buildx-537-export-registry-unfinished.log'));
    assert.equal(a.format, 'tty');
    assert.equal(a.cacheExport.attempted, true);
    assert.equal(a.cacheExport.exported, false);
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '1/1' });
    assert.equal(step(a, '|cargo-fetch|6/6').cached, true);
  });

  it('moby/buildkit#2068 (BuildKit 0.7/0.8): `exporting cache` still writing layers has not exported', async () => {
    const a = await parseBuildLogFile(pub('plain-buildkit-2068-exporting-cache-old-name.log'));
    assert.equal(a.cacheExport.attempted, true);
    assert.equal(a.cacheExport.exported, false);
    assert.equal(a.cacheExport.manifestDigest, null);
  });

  it('old BuildKit `writing manifest` counts as the cache manifest only under the cache export vertex', async () => {
    // Constructed: BuildKit <= 0.10 (remotecache/export.go) printed `writing manifest <digest>`
    // when the cache manifest was written; no public log with that line was found, so it is
    // appended, in BuildKit's own format, to the real #2068 excerpt, and once more under an
    // image export vertex, where it is not a cache fact.
    const real = await readFile(pub('plain-buildkit-2068-exporting-cache-old-name.log'), 'utf8');
    const digest = 'sha256:' + 'ab'.repeat(32);
    const under = parseBuildLog(`${real}#18 writing manifest ${digest}\n#18 writing manifest ${digest} 0.1s done\n#18 DONE 7.5s\n`);
    assert.equal(under.cacheExport.exported, true);
    assert.equal(under.cacheExport.manifestDigest, digest);
    const other = parseBuildLog(`#19 exporting to image\n#19 writing manifest ${digest} 0.1s done\n#19 DONE 0.2s\n`);
    assert.equal(other.cacheExport.exported, false);
    assert.equal(other.cacheExport.manifestDigest, null);
  });

  it('docker/buildx#1177 (tty): the header names a docker-container builder', async () => {
    const a = await parseBuildLogFile(pub('tty-buildx-1177-header-docker-container.log'));
    assert.deepEqual(a.builder, { name: 'builder2', driver: 'docker-container' });
    assert.deepEqual(a.progress, { seconds: 4.8, completed: 11, total: 16, finished: false });
    // `CACHED docker-image://...` is the frontend image, not a Dockerfile step.
    assert.deepEqual(a.platforms, []);
  });

  it('GitLab job log: `<timestamp> 00O ` prefixes and section markers (constructed)', async () => {
    // Constructed: no public GitLab log of a buildx build was found. The real 0.29.1 warm-cache
    // capture gets the prefix GitLab's runner writes (format from gitlab-org/gitlab's own
    // specs: `2024-05-14T11:19:19.899359Z 00O <line>`) and a collapsible section around it.
    const real = await readFile(path.join(logs, 'plain-forky-bake-two-targets-warm.log'), 'utf8');
    const lines = real.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
    const stamp = (i: number): string => `2026-12-01T11:30:${String(i % 60).padStart(2, '0')}.123456Z 00O `;
    const gitlab = [
      `${stamp(0)}\x1b[0Ksection_start:1764588600:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage of the job script\x1b[0;m`,
      ...lines.map((l, i) => stamp(i + 1) + l),
      `${stamp(0)}\x1b[0Ksection_end:1764588660:step_script\r\x1b[0K`,
    ].join('\n');
    const a = parseBuildLog(gitlab);
    const plain = parseBuildLog(real);
    assert.deepEqual(counts(a), counts(plain));
    assert.deepEqual(a.builder, plain.builder);
    assert.equal(a.lineCount, lines.length + 2);
  });

  it('moby/buildkit#699 (buildctl, 2018): tty header without builder, import line', async () => {
    const a = await parseBuildLogFile(pub('tty-buildkit-699-buildctl-import.log'));
    assert.deepEqual(a.progress, { seconds: 199.6, completed: 13, total: 13, finished: true });
    assert.equal(a.builder, null);
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.ref, 'docker.io/mschoudhary/hello-world:cache-master');
  });
});

describe('docker buildx bake (real buildx 0.29.1 captures)', () => {
  const bake = (name: string): string => path.join(logs, name);

  it('target before the platform (`[app linux/amd64 prod 1/1]`); FROM <stage> and FROM scratch stages start with a real step', async () => {
    const a = await parseBuildLogFile(bake('plain-forky-bake-two-targets-warm.log'));
    const prod = step(a, 'linux/amd64|app prod|1/1');
    assert.equal(prod.instruction, 'RUN cat build.txt');
    assert.equal(prod.counted, true);
    const files = step(a, '|files files|1/1');
    assert.equal(files.instruction, 'COPY --from=build1 /var/node/build.txt /');
    assert.equal(files.counted, true);
    assert.equal(step(a, 'linux/arm64|app build1|1/4').counted, false);
    // BuildKit merges the amd64 vertices both targets share and prints them without a
    // platform, so they land under the unlabelled platform; every counted step was a hit.
    assert.deepEqual(counts(a), { [UNLABELLED_PLATFORM]: '4/4', 'linux/amd64': '1/1', 'linux/arm64': '4/4' });
  });

  it('the cold bake of the same targets: the same 9 steps, none cached', async () => {
    const a = await parseBuildLogFile(bake('plain-forky-bake-two-targets-cold.log'));
    assert.equal(a.totals.total, 9);
    assert.equal(a.totals.cached, 0);
    assert.deepEqual(a.builder, { name: 'default', driver: 'docker' });
  });
});
