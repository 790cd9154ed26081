/**
 * `grader grade` on the real stack judges the student's own `docker buildx build` (issue 11): each
 * case is a submission whose command lacks one thing the lab asks for, graded through the CLI
 * (`--isolation prune --yes`, test/helpers/stack.ts), and the verdict and its Polish explanation
 * are asserted. The command cases build a one-step Dockerfile under the base rubric (no bonus);
 * the bonus cases grade a copy of submissions/example.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CheckResult, GradeResult } from '../../grader/results/types.ts';
import { run } from '../../grader/util/exec.ts';
import { describeRun, grader, ROOT } from '../helpers/cli.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });
const BASE_RUBRIC = path.join(ROOT, 'bench/rubric-base.json');
const SMALL = 'FROM 127.0.0.1:5055/library/busybox:latest\nRUN echo "lab7 on $(uname -m)" > /lab7.txt\n';
// mode=min leaves out what is off the final image's chain: only a second stage shows it in the cache.
const TWO_STAGE = 'FROM 127.0.0.1:5055/library/busybox:latest AS build1\nRUN echo "lab7 on $(uname -m)" > /lab7.txt\n\n'
  + 'FROM 127.0.0.1:5055/library/busybox:latest\nCOPY --from=build1 /lab7.txt /lab7.txt\n';
const CREATE = 'docker buildx create --driver docker-container --name b --use';

/** The lab's command for student `id`, with `change` applied to its text. */
function labCommand(id: string, change: (text: string) => string = (t) => t): string {
  const r = `registry7:5000/${id}/lab7`;
  return change(`docker buildx build --platform linux/amd64,linux/arm64 -t ${r}:multiarch --push --cache-to type=registry,ref=${r}:buildcache,mode=max --cache-from type=registry,ref=${r}:buildcache .`);
}

const check = (r: GradeResult, id: string): CheckResult => r.checks.find((c) => c.id === id) ?? assert.fail(`no check ${id} in results.json`);

describe('the student\'s own build command, judged on the real stack', { skip, timeout: 300_000 }, () => {
  let work: string;
  const started = performance.now();

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-student-command-'));
  });
  after(async () => {
    console.log(`student-command.test.ts: ${Math.round(performance.now() - started)} ms`);
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A submission folder with `dockerfile` and submission.json `data`, graded with `flags`; exit code 1 expected unless given. */
  async function gradeCase(name: string, data: object, options: { dockerfile?: string; flags?: string[]; code?: number } = {}): Promise<GradeResult> {
    const dir = path.join(work, name);
    await mkdir(dir);
    await writeFile(path.join(dir, 'Dockerfile'), options.dockerfile ?? SMALL);
    await writeFile(path.join(dir, 'submission.json'), JSON.stringify(data));
    return gradeDir(name, dir, options);
  }

  async function gradeDir(name: string, dir: string, options: { flags?: string[]; code?: number } = {}): Promise<GradeResult> {
    const out = path.join(work, `${name}-out`);
    const r = await grader(['grade', dir, '--out', out, '--format', 'none', ...(options.flags ?? [])]);
    console.log(`${name}: ${r.ms} ms, exit ${r.code}`);
    assert.equal(r.code, options.code ?? 1, describeRun(r));
    return JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as GradeResult;
  }

  const commandCase = (name: string, id: string, command: string, dockerfile?: string) =>
    gradeCase(name, { student: { id, name: 'Test Polecenia' }, build: { commands: [CREATE, command] } }, { flags: ['--rubric', BASE_RUBRIC], ...(dockerfile ? { dockerfile } : {}) });

  test('(a) mode=min in --cache-to, two stages: cache.exported fails, the fix names mode=max', async () => {
    const result = await commandCase('mode-min', 's30001', labCommand('s30001', (t) => t.replace('mode=max', 'mode=min')), TWO_STAGE);
    assert.equal(check(result, 'build.first').status, 'pass', check(result, 'build.first').message);
    const exported = check(result, 'cache.exported');
    assert.equal(exported.status, 'fail', exported.message);
    assert.match(exported.message, /wyeksportowano w trybie min, a laboratorium wymaga mode=max/);
    assert.match(exported.hint ?? '', /Dodaj mode=max do --cache-to/);
    assert.ok(result.builds[0]!.argv.includes(`type=registry,ref=${result.environment.registry7}/s30001/lab7:buildcache,mode=min`), result.builds[0]!.argv.join(' '));
  });

  test('(a) mode=min in --cache-to, one step (the cache alone cannot show the mode): cache.exported fails, the fix names mode=max', async () => {
    const result = await commandCase('mode-min-small', 's30011', labCommand('s30011', (t) => t.replace('mode=max', 'mode=min')));
    assert.equal(check(result, 'build.first').status, 'pass', check(result, 'build.first').message);
    const exported = check(result, 'cache.exported');
    assert.equal(exported.status, 'fail', `the command says mode=min, yet: ${exported.message}`);
    assert.match(`${exported.message} ${exported.hint ?? ''}`, /mode=max/);
  });

  test('(b) no --cache-from: cache.imported fails, saying the command imports no cache', async () => {
    const result = await commandCase('no-cache-from', 's30002', labCommand('s30002', (t) => t.replace(/ --cache-from \S+/, '')));
    assert.equal(check(result, 'cache.exported').status, 'pass', check(result, 'cache.exported').message);
    const imported = check(result, 'cache.imported');
    assert.equal(imported.status, 'fail', imported.message);
    assert.equal(imported.message, 'Polecenie studenta nie importuje cache (brak --cache-from type=registry), więc drugie budowanie w pustym builderze nie może skorzystać z cache z rejestru.');
    assert.match(imported.hint ?? '', /Dodaj --cache-from type=registry,ref=/);
    for (const b of result.builds) assert.ok(!b.argv.includes('--cache-from'), b.argv.join(' '));
    assert.equal(result.builds[1]!.cacheImport, 'not-requested');
  });

  test('(c) --cache-to under the image\'s own ref: cache.exported fails (the cache must be a separate image)', async () => {
    const result = await commandCase('same-ref', 's30003', labCommand('s30003', (t) => t.replaceAll(':buildcache', ':multiarch')));
    const exported = check(result, 'cache.exported');
    assert.equal(exported.status, 'fail', exported.message);
    assert.equal(exported.message, 'Polecenie studenta zapisuje cache pod tą samą referencją co obraz (registry7:5000/s30003/lab7:multiarch); laboratorium wymaga cache jako osobnego obrazu.');
    assert.equal(exported.hint, 'Użyj w --cache-to innego tagu niż w -t, np. :buildcache.');
  });

  test('(d) --load instead of --push: build.index fails, nothing reaches a registry or the local image store', async () => {
    const result = await commandCase('load', 's30004', labCommand('s30004', (t) => t.replace('--push', '--load')));
    const index = check(result, 'build.index');
    assert.equal(index.status, 'fail', index.message);
    assert.equal(index.message, 'Polecenie studenta ładuje obraz do lokalnego magazynu (--load), więc obraz nie trafia do rejestru i nie ma indeksu dla linux/amd64 i linux/arm64.');
    assert.match(index.hint ?? '', /dodaj --push/);
    const argv = result.builds[0]!.argv;
    assert.ok(!argv.includes('--load') && argv.includes('type=cacheonly'), argv.join(' '));
    const images = await run('docker', ['image', 'ls', '--format', '{{.Repository}}']);
    assert.ok(!images.stdout.includes('s30004/lab7'), images.stdout);
  });

  test('(e) a single --platform: build.index fails naming linux/arm64', async () => {
    const result = await commandCase('one-platform', 's30005', labCommand('s30005', (t) => t.replace('linux/amd64,linux/arm64', 'linux/amd64')));
    assert.equal(check(result, 'build.first').status, 'pass', check(result, 'build.first').message);
    const index = check(result, 'build.index');
    assert.equal(index.status, 'fail', index.message);
    assert.match(index.message, /linux\/arm64/);
    const argv = result.builds[0]!.argv;
    assert.equal(argv[argv.indexOf('--platform') + 1], 'linux/amd64');
  });

  test('(f) no commands at all: "Brak polecenia studenta" on the reproduction checks, the lab\'s command runs once as reference.build (no points)', async () => {
    const result = await gradeCase('no-commands', { student: { id: 's30006', name: 'Bez Poleceń' } });
    for (const id of ['build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit']) {
      const c = check(result, id);
      assert.equal(c.status, 'fail', `${id}: ${c.message}`);
      assert.equal(c.message, 'Brak polecenia studenta: praca nie podaje swojego polecenia budowania, więc nie ma czego powtórzyć.', id);
      assert.match(c.hint ?? '', /"build": \{ "script": "build\.sh" \}/, id);
    }
    const builder = check(result, 'builder.container');
    assert.equal(builder.status, 'fail');
    assert.match(builder.message, /^Brak polecenia studenta: /);
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'skip', bonus.message);
    const reference = check(result, 'reference.build');
    assert.equal(reference.status, 'pass', reference.message);
    assert.match(reference.message, /poleceniem wzorcowym z laboratorium\. To tylko informacja: nie daje punktów/);
    assert.deepEqual([reference.points, reference.maxPoints], [0, 0]);
    assert.deepEqual(result.builds, [], 'the reference build is not one of the student\'s builds');
    assert.equal(result.reproduced, undefined);
    assert.equal(result.score.passed, false);
  });

  /** submissions/example with its submission.json changed. */
  async function exampleCopy(name: string, change: (data: Record<string, unknown>) => object): Promise<string> {
    const dir = path.join(work, name);
    await cp(path.join(ROOT, 'submissions/example'), dir, { recursive: true });
    const file = path.join(dir, 'submission.json');
    await writeFile(file, JSON.stringify(change(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>)));
    return dir;
  }

  test('(g) the example without a bonus answer (no deleteScript, no deletion in the report): bonus "Brak odpowiedzi", 0 points, 100%', async () => {
    const dir = await exampleCopy('no-bonus', (s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'bonus')));
    const report = path.join(dir, 'sprawozdanie.md');
    const text = await readFile(report, 'utf8');
    await writeFile(report, text.slice(0, text.indexOf('## Zadanie dodatkowe')));
    // The bonus is a failed check (no answer), so the exit code is that of a failed check.
    const result = await gradeDir('no-bonus', dir, { code: 1 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'fail', bonus.message);
    assert.match(bonus.message, /^Brak odpowiedzi: praca nie zawiera skryptu usuwającego obraz cache/);
    assert.equal(bonus.points, 0);
    assert.equal(bonus.metrics?.answer, 'brak');
    const reportBonus = check(result, 'report.bonus');
    assert.equal(reportBonus.status, 'fail', reportBonus.message);
    assert.match(reportBonus.message, /^Brak odpowiedzi: sprawozdanie nie pokazuje usunięcia obrazu cache/);
    // report.consistency flags the example's pasted digest (an earlier build than setup.sh published); it is worth nothing.
    for (const c of result.checks.filter((x) => !['bonus.registry7.delete', 'report.bonus', 'report.consistency'].includes(x.id))) assert.equal(c.status, 'pass', `${c.id}: ${c.message}`);
    assert.equal(result.score.percent, 100);
    assert.equal(result.score.passed, true);
  });

  /** The example without its script: the report's deletion commands (after `## Zadanie dodatkowe`) are the only answer. */
  async function reportOnlyCopy(name: string, change: (report: string) => string = (t) => t): Promise<string> {
    const dir = await exampleCopy(name, (s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'bonus')));
    await rm(path.join(dir, 'delete-cache.sh'));
    const report = path.join(dir, 'sprawozdanie.md');
    await writeFile(report, change(await readFile(report, 'utf8')));
    return dir;
  }

  test('(i) no script: the report\'s HEAD and `curl -X DELETE …/$DIGEST` run in the sandbox on the registry7 copy and earn the bonus (150%)', async () => {
    const result = await gradeDir('report-answer', await reportOnlyCopy('report-answer'), { code: 0 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'pass', `${bonus.message}\n${bonus.hint ?? ''}`);
    assert.match(bonus.message, /^Polecenia usuwania ze sprawozdania \(sprawozdanie\.md, wiersze 139–145\) usunęły obraz cache w kopii registry7: tag cache odpowiada 404/);
    assert.equal(bonus.metrics?.answer, 'sprawozdanie');
    assert.equal(bonus.metrics?.cacheStatusAfter, 404);
    const script = bonus.evidence.find((e) => e.kind === 'log' && e.title === 'Polecenia ze sprawozdania: uruchomiony skrypt');
    assert.ok(script && script.kind === 'log', JSON.stringify(bonus.evidence.map((e) => e.title)));
    // The student's own HEAD (their two Accept headers) feeds $DIGEST, which the report never sets.
    assert.ok(script.lines.some((l) => /^GRADER_OUT_DIGEST=\$\( \{ curl -sI -H "Accept: application\/vnd\.oci\.image\.manifest\.v1\+json" -H "Accept: application\/vnd\.oci\.image\.index\.v1\+json" http:\/\/registry7:5000\/v2\/s99656\/pogoda\/manifests\/buildcache ;/.test(l.text)), JSON.stringify(script.lines));
    assert.ok(script.lines.some((l) => l.text === 'curl -X DELETE http://registry7:5000/v2/s99656/pogoda/manifests/$DIGEST'));
    assert.equal(result.score.percent, 150);
  });

  test('(j) no script, and the report\'s HEAD asks only for an index: no digest comes back, the tag survives, bonus 0 with the Accept explanation (120%)', async () => {
    const dir = await reportOnlyCopy('report-answer-index-only', (t) => t.replace('-H "Accept: application/vnd.oci.image.manifest.v1+json" ', ''));
    const result = await gradeDir('report-answer-index-only', dir, { code: 1 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'fail', bonus.message);
    assert.equal(bonus.points, 0);
    assert.equal(bonus.message, 'Polecenia usuwania ze sprawozdania (sprawozdanie.md, wiersze 139–145) nie usunęły poprawnie obrazu cache.');
    assert.match(bonus.hint ?? '', /nie zawiera nagłówka `Docker-Content-Digest`/);
    const output = bonus.evidence.find((e) => e.kind === 'log' && e.title === 'Polecenia ze sprawozdania: wyjście (koniec)');
    assert.ok(output && output.kind === 'log' && output.lines.some((l) => /^HTTP\/1\.1 404 Not Found/.test(l.text)), JSON.stringify(output));
    // The written answer still has all four parts (its Accept names a manifest type), so report.bonus passes.
    assert.equal(check(result, 'report.bonus').status, 'pass');
    assert.equal(result.score.percent, 120);
  });

  test('(l) no script, and the report started registry7 without REGISTRY_STORAGE_DELETE_ENABLED: the copy refuses with 405, bonus 0 with the fix', async () => {
    const dir = await reportOnlyCopy('report-answer-405', (t) => t.replace(' -e REGISTRY_STORAGE_DELETE_ENABLED=true', ''));
    const result = await gradeDir('report-answer-405', dir, { code: 1 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'fail', bonus.message);
    assert.equal(bonus.points, 0);
    assert.match(bonus.hint ?? '', /Rejestr ma wyłączone usuwanie .*405 UNSUPPORTED/s);
    assert.match(bonus.hint ?? '', /REGISTRY_STORAGE_DELETE_ENABLED=true/);
    const sandbox = bonus.evidence.find((e) => e.kind === 'text' && e.title === 'Polecenia ze sprawozdania w piaskownicy');
    assert.ok(sandbox && sandbox.kind === 'text' && /registry7 uruchomiono bez REGISTRY_STORAGE_DELETE_ENABLED=true \(sprawozdanie\.md, wiersz 10\)/.test(sandbox.text), JSON.stringify(sandbox));
  });

  test('(m) no script, and the report never runs garbage-collect: the cache tag is gone, but no space came back, bonus 0 with the GC explanation', async () => {
    const dir = await reportOnlyCopy('report-answer-no-gc', (t) => t.replace(/Miejsce na dysku zwalnia[\s\S]*$/, ''));
    const result = await gradeDir('report-answer-no-gc', dir, { code: 1 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'fail', bonus.message);
    assert.equal(bonus.points, 0);
    assert.equal(bonus.metrics?.cacheStatusAfter, 404, 'the DELETE itself worked');
    assert.match(bonus.hint ?? '', /`DELETE` usuwa tylko odwołania/);
    assert.ok(bonus.evidence.some((e) => e.kind === 'text' && /Odpowiedź nie uruchamia registry garbage-collect, więc grader go nie uruchomił/.test(e.text)));
    assert.ok(!bonus.evidence.some((e) => e.title === 'Kopia registry7 po poleceniach ze sprawozdania: garbage-collect (podsumowanie)'), 'no GC ran on the copy');
  });

  test('(n) no script, and the report deletes with skopeo delete: replayed as what skopeo does (HEAD accepting every type, DELETE by digest), bonus earned (150%)', async () => {
    const dir = await reportOnlyCopy('report-answer-skopeo', (t) => t.replace(
      /\$ curl -sI[^\n]*\n/, '').replace(/\$ curl -X DELETE [^\n]*/, '$ skopeo delete --tls-verify=false docker://localhost:5000/s99656/pogoda:buildcache'));
    const result = await gradeDir('report-answer-skopeo', dir, { code: 0 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'pass', `${bonus.message}\n${bonus.hint ?? ''}`);
    assert.equal(bonus.metrics?.cacheStatusAfter, 404);
    const notes = bonus.evidence.find((e) => e.kind === 'text' && e.title === 'Polecenia ze sprawozdania: co grader zmienił');
    assert.ok(notes && notes.kind === 'text' && /skopeo delete przetłumaczono na curl/.test(notes.text), JSON.stringify(notes));
    assert.equal(check(result, 'report.bonus').status, 'pass', check(result, 'report.bonus').message);
    assert.equal(result.score.percent, 150);
  });

  test('(k) a regrade keeps the instructor\'s decisions in --out/overrides.json; a bad overrides.json stops before any build', async () => {
    const dir = await exampleCopy('regrade', (s) => s);
    const out = path.join(work, 'regrade-out');
    await mkdir(out);
    const decision = { student: 's99656', check: 'report.manifest', status: 'fail', comment: 'Manifest w sprawozdaniu pochodzi z innego obrazu.', by: 'prowadzący' };
    await writeFile(path.join(out, 'overrides.json'), JSON.stringify({ decisions: [{ ...decision, check: 'report.nosuch' }] }));
    const refused = await grader(['grade', dir, '--out', out, '--format', 'none']);
    assert.equal(refused.code, 2, describeRun(refused));
    assert.match(refused.stderr, /Niepoprawny plik overrides\.json .*\/decisions\/0\/check/s);
    await assert.rejects(readFile(path.join(out, 'results.json')), /ENOENT/, 'nothing was graded');

    await writeFile(path.join(out, 'overrides.json'), JSON.stringify({ decisions: [decision] }));
    const r = await grader(['grade', dir, '--out', out, '--format', 'none']);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /zastosowano 1 decyzję prowadzącego z overrides\.json/);
    const result = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as GradeResult;
    const manifest = check(result, 'report.manifest');
    assert.equal(manifest.status, 'fail');
    assert.deepEqual(manifest.override, { original: { status: 'pass', message: manifest.override!.original.message }, comment: decision.comment, by: 'prowadzący' });
    assert.equal(manifest.points, 0);
    // 25.5 of 17 less the one point the instructor took away.
    assert.equal(result.score.points + result.score.bonusPoints, 24.5);
  });

  test('(h) a deleteScript that DELETEs by tag: 400 DIGEST_INVALID, bonus fails with 0 points and the delete-by-digest explanation', async () => {
    const dir = await exampleCopy('by-tag', (s) => s);
    await writeFile(path.join(dir, 'delete-cache.sh'),
      '#!/bin/sh\n# Usuwa obraz cache po tagu.\ncurl -sS -X DELETE "$REGISTRY_URL/v2/$REPOSITORY/manifests/$CACHE_TAG"\n', { mode: 0o755 });
    const result = await gradeDir('by-tag', dir, { code: 1 });
    const bonus = check(result, 'bonus.registry7.delete');
    assert.equal(bonus.status, 'fail', bonus.message);
    assert.equal(bonus.points, 0);
    assert.match(bonus.message, /^Skrypt studenta \(delete-cache\.sh\) nie usunął poprawnie obrazu cache/);
    assert.match(bonus.hint ?? '', /Usuwanie po tagu nie jest obsługiwane: .*400 DIGEST_INVALID/);
    assert.match(bonus.hint ?? '', /usuń po digeście/);
    const output = bonus.evidence.find((e) => e.kind === 'log' && e.title === 'Skrypt studenta: wyjście (koniec)');
    assert.ok(output && output.kind === 'log' && output.lines.some((l) => l.text.includes('DIGEST_INVALID')), JSON.stringify(output));
    // The script fails; the report's written answer (by digest, with GC) still earns report.bonus.
    assert.equal(check(result, 'report.bonus').status, 'pass');
    assert.equal(result.score.percent, 120);
  });
});
