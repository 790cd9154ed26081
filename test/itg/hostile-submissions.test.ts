// Hostile submissions graded end to end through the CLI on the real stack: a foreign BuildKit
// frontend, a folder named like docker option syntax, secrets printed by a RUN step.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GradeResult } from '../../grader/results/types.ts';
import { grader } from '../helpers/cli.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();
const EXAMPLE = path.resolve('submissions/example');
const readResult = async (out: string) => JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as GradeResult;
const check = (r: GradeResult, id: string) => r.checks.find((c) => c.id === id) ?? assert.fail(`no check ${id}`);

// Made-up tokens in their issuers' formats (see test/unit/redact.test.ts).
const DOCKER_PAT = 'dckr_pat_Xy3kQ9vL0aBcDeFgHiJkLmNoPqR';
const GHP = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

/** The example's build.sh as inline commands, with `extra` flags added to its docker buildx build. */
const exampleCommands = (extra: string) => [
  'docker buildx create --driver docker-container --name lab7builder --use --bootstrap',
  `docker buildx build -f Dockerfile --platform linux/amd64,linux/arm64 --build-arg VERSION=1.0 ${extra} -t 127.0.0.1:5055/s99656/pogoda:multiarch --push ` +
    '--cache-to type=registry,ref=127.0.0.1:5055/s99656/pogoda:buildcache,mode=max --cache-from type=registry,ref=127.0.0.1:5055/s99656/pogoda:buildcache .',
];

describe('hostile submissions', { skip }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-hostile-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A copy of the example with its Dockerfile (or submission.json) changed. */
  async function variant(name: string, change: { dockerfile?: (text: string) => string; submission?: (data: Record<string, unknown>) => object }): Promise<string> {
    const dir = path.join(work, name);
    await cp(EXAMPLE, dir, { recursive: true });
    if (change.dockerfile) await writeFile(path.join(dir, 'Dockerfile'), change.dockerfile(await readFile(path.join(dir, 'Dockerfile'), 'utf8')));
    if (change.submission) {
      const file = path.join(dir, 'submission.json');
      await writeFile(file, JSON.stringify(change.submission(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>)));
    }
    return dir;
  }

  test('a foreign frontend in # syntax= is refused before anything runs, with the reason in the report', async () => {
    const dir = await variant('frontend', { dockerfile: (t) => `# syntax=127.0.0.1:5055/evil/frontend:1\n${t}` });
    const out = path.join(work, 'out-frontend');
    const r = await grader(['grade', dir, '--out', out, '--format', 'md']);
    assert.equal(r.code, 1, r.stderr);
    const result = await readResult(out);
    const first = check(result, 'build.first');
    assert.equal(first.status, 'fail');
    assert.match(first.message, /dozwolony jest tylko frontend docker\/dockerfile/);
    assert.match(first.message, /„127\.0\.0\.1:5055\/evil\/frontend:1” \(Dockerfile, wiersz 1/);
    assert.deepEqual(result.builds, [], 'nothing was built');
    assert.equal(result.environment.registry7, undefined, 'no registry7 was started');
    assert.match(await readFile(path.join(out, 'raport.md'), 'utf8'), /evil\/frontend/);
  });

  test('BUILDKIT_SYNTAX among the build arguments of the student\'s command is refused the same way', async () => {
    const commands = exampleCommands('--build-arg BUILDKIT_SYNTAX=127.0.0.1:5055/evil/frontend:1');
    const dir = await variant('syntax-arg', { submission: (s) => ({ ...s, build: { commands } }) });
    const out = path.join(work, 'out-syntax-arg');
    const r = await grader(['grade', dir, '--out', out, '--format', 'none']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(check(await readResult(out), 'build.first').message, /argument budowania BUILDKIT_SYNTAX/);
  });

  test('a command whose Dockerfile lies outside the submission is not run: build.first fails saying so, nothing built', async () => {
    const dir = await variant('outside', { submission: (s) => ({ ...s, build: { commands: exampleCommands('').map((c) => c.replace('-f Dockerfile', '-f /etc/passwd')) } }) });
    const out = path.join(work, 'out-outside');
    const r = await grader(['grade', dir, '--out', out, '--format', 'none']);
    assert.equal(r.code, 1, r.stderr);
    const result = await readResult(out);
    const first = check(result, 'build.first');
    assert.equal(first.status, 'fail');
    assert.equal(first.message, 'Plik Dockerfile „/etc/passwd” z polecenia (submission.json[1], wiersz 1) leży poza oddaną pracą.');
    assert.deepEqual(result.builds, [], 'nothing was built');
    assert.equal(result.environment.registry7, undefined, 'no registry7 was started');
    assert.ok(!JSON.stringify(result).includes('root:x:0:0'), '/etc/passwd was read into the result');
  });

  test('secrets a RUN step prints, and a folder named like docker option syntax: graded, nothing leaked', async () => {
    const parent = path.join(work, 'a,source=,dst=x');
    await mkdir(parent);
    const dir = await variant(path.join('a,source=,dst=x', 's1'), {
      dockerfile: (t) => t.replace('RUN mkdir -p /var/node', `RUN echo "docker login -u s1 -p Sekret123 && export GH=${GHP} T=${DOCKER_PAT}" && mkdir -p /var/node`),
    });
    const out = path.join(work, 'out-secrets');
    const r = await grader(['grade', dir, '--out', out, '--format', 'md'], { killAfterMs: 600_000 });
    const result = await readResult(out);
    assert.equal(check(result, 'build.first').status, 'pass', check(result, 'build.first').message);
    assert.equal(check(result, 'cache.hit').status, 'pass', check(result, 'cache.hit').message);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const written = [r.stdout, r.stderr, await readFile(path.join(out, 'results.json'), 'utf8'), await readFile(path.join(out, 'raport.md'), 'utf8')];
    for (const log of await readdir(path.join(out, 'logs'))) written.push(await readFile(path.join(out, 'logs', log), 'utf8'));
    const logs = written.slice(4).join('\n');
    assert.match(logs, /docker login -u s1 -p \*\*\*/, 'the RUN step ran and its output was kept, redacted');
    for (const secret of ['Sekret123', GHP, DOCKER_PAT]) {
      assert.ok(!written.some((t) => t.includes(secret)), `${secret} reached a file or the terminal`);
    }
  });
});
