// `grader check` (the student's self-check) through the real CLI on the real stack: a full run
// with both builds on a copy of submissions/example, and `--registry7 HOST:PORT` against
// registry:2 copies of the base registry this test starts (delete on and off), with and without
// `--allow-delete` (issue 5 point 4: the student's tags are never deleted without it).
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRegistryCopy, type RegistryCopy } from '../../grader/bonus/registry-copy.ts';
import { SELF_CHECK_REPOSITORY } from '../../grader/bonus/self-check.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { leftovers, removeRun } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { describeRun, grader, ROOT } from '../helpers/cli.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });

/** Every path under dir with its size and mtime, to show a run left the folder as it was. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows = await Promise.all(entries.map(async (e) => {
    const p = path.join(e.parentPath, e.name);
    const s = await stat(p);
    return `${path.relative(dir, p)} ${s.size} ${s.mtimeMs}`;
  }));
  return rows.sort();
}
const client = new RegistryClient({ retries: 0, timeoutMs: 10_000 });

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

  test('full check with both builds of a COPY . . Dockerfile: exit 0, a short Polish checklist, the report beside the work, nothing written into it', async () => {
    const dir = await studentCopy('full');
    // COPY . . takes the whole context into a layer: a file the grader wrote there during build 1
    // would make build 2 miss the cache (issue 11 point 8).
    const dockerfile = path.join(dir, 'Dockerfile');
    await writeFile(dockerfile, (await readFile(dockerfile, 'utf8')).replace('ADD src ./', 'COPY . .'));
    const before = await listTree(dir);
    const r = await grader(['check', dir]);
    console.log(`grader check (full): ${r.ms} ms, exit ${r.code}\n${r.stdout}`);
    assert.equal(r.code, 0, describeRun(r));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'Sprawdzenie pracy: Józef Żółkiewski (s99656)');
    // One line per check (18 with the report's), the consistency flag's text, the grade, the report path.
    assert.ok(lines.length < 27, `the checklist is not short: ${lines.length} lines`);
    const marks = lines.filter((l) => /^[✔✘?–👁] /u.test(l));
    assert.equal(marks.length, 18, r.stdout);
    assert.ok(marks.filter((l) => !l.includes('Sprawozdanie a repozytorium')).every((l) => l.startsWith('✔ ')), r.stdout);
    // The report's pasted log ran `ADD src ./`, which this copy replaced: flagged for the instructor, no points lost.
    assert.ok(marks.includes('👁 Sprawozdanie a repozytorium (bez punktów) (do sprawdzenia ręcznie przez prowadzącego)'), r.stdout);
    assert.match(r.stdout, /ma 1 krok, którego nie ma w Dockerfile: „ADD src \.\/” \(wiersz \d+\)/);
    assert.ok(marks.includes('✔ Builder ze sterownikiem docker-container  1/1 pkt'), r.stdout);
    assert.doesNotMatch(r.stdout, /Co poprawić/);
    assert.match(r.stdout, /^Przewidywana ocena: Zaliczone.*\(150%\)$/m);
    assert.match(r.stdout, /^Raport: .*full-grader\/raport\.md, raport\.pdf$/m);
    assert.match(r.stderr, /budowanie 2\/2/);
    assert.deepEqual(await listTree(dir), before, 'check wrote into the build context');

    const out = `${dir}-grader`;
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
    // --quick still reads the student's commands (the report's): the builder check needs no build.
    assert.match(r.stdout, /^✔ Builder ze sterownikiem docker-container  1\/1 pkt$/m);
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
    await assert.rejects(stat(`${dir}-grader`), 'bad flags wrote a report');
    const inside = await grader(['check', dir, '--quick', '--out', path.join(dir, 'raporty')]);
    assert.equal(inside.code, 2, describeRun(inside));
    assert.match(inside.stderr, /leży w kontekście budowania .*Wskaż --out poza kontekstem/);
    await assert.rejects(stat(path.join(dir, 'raporty')), '--out inside the context was written');
  });
});
