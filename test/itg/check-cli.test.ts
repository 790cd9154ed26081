// `grader check` (the student's self-check) through the real CLI on the real stack: a full run
// with both builds on a copy of submissions/example, and `--registry7 HOST:PORT` against
// registry:2 copies of the base registry this test starts (delete on and off), with and without
// `--allow-delete` (issue 5 point 4: the student's tags are never deleted without it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createRegistryCopy, type RegistryCopy } from '../../grader/bonus/registry-copy.ts';
import { SELF_CHECK_REPOSITORY } from '../../grader/bonus/self-check.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { leftovers, removeRun } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = await stackSkip({ sandboxImage: true });
const client = new RegistryClient({ retries: 0, timeoutMs: 10_000 });

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function grader(args: string[], killAfterMs = 240_000): Promise<Cli> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'grader/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const describeRun = (r: Cli) => `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

describe('grader check on the real stack', { skip, timeout: 300_000 }, () => {
  let work: string;
  const runIds: string[] = [];
  const registry = async (deleteEnabled: boolean): Promise<RegistryCopy> => {
    const runId = newRunId('test-check');
    runIds.push(runId);
    return createRegistryCopy({ runId, fromContainer: BASE, deleteEnabled });
  };
  /** A copy of the example whose published cache lives in `registry7` (the student's own registry7). */
  const studentCopy = async (name: string, registry7?: string): Promise<string> => {
    const dir = path.join(work, name);
    await cp(path.join(ROOT, 'submissions/example'), dir, { recursive: true });
    if (registry7) {
      const file = path.join(dir, 'submission.json');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('127.0.0.1:5055/s99656/pogoda:buildcache', `${registry7}/s99656/pogoda:buildcache`));
    }
    return dir;
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-check-test-'));
  });
  after(async () => {
    for (const id of runIds) {
      await removeRun(id);
      assert.deepEqual(await leftovers(id), { containers: [], networks: [], volumes: [] });
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('full check with both builds: exit 0, a short Polish checklist, the report in .grader/', async () => {
    const dir = await studentCopy('full');
    const r = await grader(['check', dir]);
    console.log(`grader check (full): ${r.ms} ms, exit ${r.code}\n${r.stdout}`);
    assert.equal(r.code, 0, describeRun(r));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'Sprawdzenie pracy: Józef Żółkiewski (s99656)');
    assert.ok(lines.length < 20, `the checklist is not short: ${lines.length} lines`);
    const marks = lines.filter((l) => /^[✔✘?–] /.test(l));
    assert.equal(marks.length, 8, r.stdout);
    assert.ok(marks.every((l) => l.startsWith('✔ ')), r.stdout);
    assert.doesNotMatch(r.stdout, /Co poprawić/);
    assert.match(r.stdout, /^Przewidywana ocena: Zaliczone.*\(150%\)$/m);
    assert.match(r.stdout, /^Raport: .*\.grader\/raport\.md, raport\.pdf$/m);
    assert.match(r.stderr, /budowanie 2\/2/);

    const out = path.join(dir, '.grader');
    const result = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as GradeResult;
    assert.equal(result.score.percent, 150);
    assert.equal(result.builds.length, 2);
    assert.match(await readFile(path.join(out, 'raport.md'), 'utf8'), /150/);
    assert.equal((await readFile(path.join(out, 'raport.pdf'))).subarray(0, 5).toString('latin1'), '%PDF-');
    for (const n of [1, 2]) await stat(path.join(out, 'logs', `build-${n}.log`));
  });

  test('--registry7 with delete enabled: 202 with a throwaway manifest; without --allow-delete the student\'s tags stay', async () => {
    const r7 = await registry(true);
    const dir = await studentCopy('r7-on', r7.address);
    const tagsBefore = (await client.listTags(`${r7.address}/s99656/pogoda`)) ?? [];
    assert.ok(tagsBefore.includes('buildcache'), `the copy lacks the cache: ${tagsBefore.join(', ')}`);
    const r = await grader(['check', dir, '--quick', '--format', 'none', '--registry7', r7.address]);
    console.log(`grader check --quick --registry7 (delete on): ${r.ms} ms, exit ${r.code}\n${r.stdout}`);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /tryb szybki, bez budowania/);
    assert.match(r.stdout, new RegExp(`Twój registry7:\\nRejestr ${r7.address}: usuwanie włączone \\(DELETE po digeście → 202\\)\\.`));
    assert.match(r.stdout, new RegExp(`DELETE http://${r7.address}/v2/${SELF_CHECK_REPOSITORY}/manifests/sha256:[0-9a-f]{64} → 202`));
    assert.doesNotMatch(r.stdout, /Usunięto/);
    assert.deepEqual(await client.listTags(`${r7.address}/s99656/pogoda`), tagsBefore, 'a tag of the student\'s was deleted');
    assert.notEqual(await client.headManifest(`${r7.address}/s99656/pogoda:buildcache`), null);
    assert.deepEqual(await client.listTags(`${r7.address}/${SELF_CHECK_REPOSITORY}`), [], 'the throwaway tag stayed');

    // --allow-delete: now the published cache (in this registry7) is deleted by digest, and only it.
    const del = await grader(['check', dir, '--quick', '--format', 'none', '--registry7', r7.address, '--allow-delete']);
    console.log(`... --allow-delete: exit ${del.code}`);
    assert.notEqual(del.code, 2, describeRun(del));
    assert.match(del.stdout, new RegExp(`Usunięto ${r7.address}/s99656/pogoda:buildcache: 202\\.`));
    assert.equal(await client.headManifest(`${r7.address}/s99656/pogoda:buildcache`), null);
    assert.notEqual(await client.headManifest(`${r7.address}/s99656/pogoda:multiarch`), null);
  });

  test('--registry7 with delete disabled: 405 UNSUPPORTED, says how to enable it, exit 1', async () => {
    const r7 = await registry(false);
    const dir = await studentCopy('r7-off', r7.address);
    const r = await grader(['check', dir, '--quick', '--format', 'none', '--registry7', r7.address, '--allow-delete']);
    console.log(`grader check --quick --registry7 (delete off): ${r.ms} ms, exit ${r.code}\n${r.stdout}`);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, new RegExp(`Rejestr ${r7.address}: usuwanie wyłączone \\(DELETE → 405 UNSUPPORTED\\)\\.`));
    assert.match(r.stdout, /405 UNSUPPORTED/);
    assert.match(r.stdout, /REGISTRY_STORAGE_DELETE_ENABLED=true/);
    // Delete is off, so even --allow-delete cannot (and does not try to) delete the student's tag.
    assert.doesNotMatch(r.stdout, /Usunięto/);
    assert.notEqual(await client.headManifest(`${r7.address}/s99656/pogoda:buildcache`), null);
  });

  test('bad flags exit 2 naming the flag, before any work', async () => {
    const dir = await studentCopy('flags');
    const noR7 = await grader(['check', dir, '--allow-delete']);
    assert.equal(noR7.code, 2, describeRun(noR7));
    assert.match(noR7.stderr, /--allow-delete działa tylko razem z --registry7/);
    const badTimeout = await grader(['check', dir, '--timeout', '5 minut']);
    assert.equal(badTimeout.code, 2, describeRun(badTimeout));
    assert.match(badTimeout.stderr, /Opcja --timeout wymaga czasu, np\. 90s, 5m, 1h/);
    const help = await grader(['check', '--help']);
    assert.match(help.stdout, /--timeout CZAS/);
    await assert.rejects(stat(path.join(dir, '.grader')), 'bad flags wrote a report');
  });
});
