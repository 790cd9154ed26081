// Pure parts of `grader batch`: CSV and roster parsing, resume states, summary rows and CSV,
// Gradescope mapping, progress/ETA, verdicts, cleanup name matching, init skeleton.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { studentChecklist } from '../../grader/batch/checklist.ts';
import { UTF8_BOM, parseCsv, toCsv } from '../../grader/batch/csv.ts';
import { classifyExisting, shouldGrade } from '../../grader/batch/existing.ts';
import { toGradescope } from '../../grader/batch/gradescope.ts';
import { belongsToRun, isGraderName } from '../../grader/batch/leftovers.ts';
import { estimateRemainingMs, formatClock, progressLine } from '../../grader/batch/progress.ts';
import { classifySource, parseRoster } from '../../grader/batch/roster.ts';
import { skeletonProblems, submissionSkeleton } from '../../grader/batch/submission-skeleton.ts';
import { safeKey } from '../../grader/batch/students.ts';
import { summaryCsv, summaryMarkdown, summaryRows } from '../../grader/batch/summary.ts';
import { verdictResult } from '../../grader/batch/verdicts.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { loadRubric } from '../../grader/rubric/load-rubric.ts';

const rubric = await loadRubric();
const fixture = async (name: string) => JSON.parse(await readFile(`test/fixtures/results/${name}.json`, 'utf8')) as GradeResult;
const [pass, fail, infra, partial] = (await Promise.all(['pass', 'fail', 'error-infra', 'partial-cache'].map(fixture))) as [GradeResult, GradeResult, GradeResult, GradeResult];

describe('parseCsv / toCsv', () => {
  it('reads quoted fields with commas, doubled quotes, line breaks, CRLF and a BOM', () => {
    const text = `${UTF8_BOM}id,name\r\n"s1","Kowalski, Jan ""Janek"""\r\ns2,"Dwa\nwiersze"\r\n\r\n`;
    assert.deepEqual(parseCsv(text), { rows: [['id', 'name'], ['s1', 'Kowalski, Jan "Janek"'], ['s2', 'Dwa\nwiersze']] });
  });
  it('reports an unclosed quote with its line', () => {
    assert.deepEqual(parseCsv('id,name\ns1,"Jan\n'), { errors: ['wiersz 2: cudzysłów otwarty i niezamknięty do końca pliku'] });
  });
  it('round-trips through toCsv', () => {
    const rows = [['a', 'b,c', 'd"e', 'f\ng', 'Żółć']];
    assert.deepEqual(parseCsv(toCsv(rows)), { rows });
  });
});

describe('parseRoster', () => {
  it('maps Polish or English headers, git URLs and folders, optional image and cache', () => {
    const csv = 'Indeks,Imię i nazwisko,Repo,Obraz,cache_ref\n' +
      's1001,"Żaneta Łącka",https://git.example.edu/s1001/lab7.git,reg:5000/s1001/app:multiarch,reg:5000/s1001/app:buildcache\n' +
      's1002,Jan Nowak,prace/s1002,,\n' +
      's1003,Ola,file:///srv/git/s1003.git,,\n' +
      's1004,Ela,git@github.com:ela/lab7.git,,\n';
    const r = parseRoster(csv);
    assert.ok('entries' in r, JSON.stringify(r));
    assert.deepEqual(r.entries.map((e) => [e.id, e.name, e.source, e.image, e.cache]), [
      ['s1001', 'Żaneta Łącka', { kind: 'git', url: 'https://git.example.edu/s1001/lab7.git' }, 'reg:5000/s1001/app:multiarch', 'reg:5000/s1001/app:buildcache'],
      ['s1002', 'Jan Nowak', { kind: 'dir', path: 'prace/s1002' }, undefined, undefined],
      ['s1003', 'Ola', { kind: 'git', url: 'file:///srv/git/s1003.git' }, undefined, undefined],
      ['s1004', 'Ela', { kind: 'git', url: 'git@github.com:ela/lab7.git' }, undefined, undefined],
    ]);
  });
  it('lists every problem with its row: missing column, bad id, duplicate, dangerous source, bad ref', () => {
    assert.deepEqual(parseRoster('name,repo\nJan,x\n'), { errors: ['nagłówek: brak kolumny id (akceptowane nazwy: id, student_id, student id, student, indeks, nr albumu, nr_albumu, album)'] });
    const r = parseRoster('id,source,image\n../etc,a,\ns1,ext::sh -c touch% /tmp/pwned,\ns1,b,\ns2,--upload-pack=x,\ns3,ftp://h/r,\ns4,c,bad ref!\n');
    assert.ok('errors' in r);
    assert.equal(r.errors.length, 6, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^wiersz 2: id „\.\.\/etc”/);
    assert.match(r.errors[1]!, /^wiersz 3: źródło „ext::/);
    assert.match(r.errors[2]!, /^wiersz 4: id „s1” powtarza się \(pierwszy raz w wierszu 3\)/);
    assert.match(r.errors[3]!, /^wiersz 5: źródło „--upload-pack/);
    assert.match(r.errors[4]!, /^wiersz 6: źródło „ftp:/);
    assert.match(r.errors[5]!, /^wiersz 7: image „bad ref!”/);
  });
  it('classifySource refuses option-like and ext:: sources', () => {
    assert.equal(classifySource('-oProxyCommand=x'), undefined);
    assert.equal(classifySource('ext::git'), undefined);
    assert.deepEqual(classifySource('ssh://git@h/r.git'), { kind: 'git', url: 'ssh://git@h/r.git' });
  });
});

describe('resume states', () => {
  it('classifies earlier results.json files', () => {
    assert.equal(classifyExisting(undefined), 'missing');
    assert.equal(classifyExisting('not json'), 'foreign');
    assert.equal(classifyExisting('{"tool":{"name":"other"}}'), 'foreign');
    assert.equal(classifyExisting(JSON.stringify({ ...pass, schemaVersion: 2 })), 'outdated');
    assert.equal(classifyExisting(JSON.stringify(pass)), 'complete');
    assert.equal(classifyExisting(JSON.stringify(infra)), 'needs-regrade');
  });
  it('decides who is graded in each mode', () => {
    const table = (['missing', 'complete', 'needs-regrade', 'outdated'] as const).map((s) =>
      [s, shouldGrade(s, 'fresh'), shouldGrade(s, 'resume'), shouldGrade(s, 'retry-errors'), shouldGrade(s, 'force')]);
    assert.deepEqual(table, [
      ['missing', true, true, false, true],
      ['complete', false, false, false, true],
      ['needs-regrade', false, true, true, true],
      ['outdated', false, true, false, true],
    ]);
  });
});

describe('summary', () => {
  const inputs = [{ key: 's1', result: pass }, { key: 's2', result: fail }, { key: 's3', result: infra }, { key: 's4' }];
  const rows = summaryRows(inputs, rubric);
  it('one row per student with points per check, total, percent, status', () => {
    assert.deepEqual(rows.map((r) => [r.key, r.status, r.total, r.percent]), [
      ['s1', 'zaliczone', pass.score.points + pass.score.bonusPoints, pass.score.percent],
      ['s2', 'niezaliczone', fail.score.points + fail.score.bonusPoints, fail.score.percent],
      ['s3', 'nie do oceny', infra.score.points + infra.score.bonusPoints, infra.score.percent],
      ['s4', 'brak wyniku', null, null],
    ]);
    assert.equal(rows[0]!.points['build.first'], pass.checks.find((c) => c.id === 'build.first')!.points);
    const errored = infra.checks.find((c) => c.status === 'error')!;
    assert.equal(rows[2]!.points[errored.id], null, 'a check not gradable has no points');
    assert.ok(rows[2]!.cause && rows[2]!.cause.length > 10, rows[2]!.cause);
  });
  it('summary.csv: BOM, header with check ids, numbers with a decimal point, quoted Polish text', () => {
    const csv = summaryCsv(rows, rubric);
    assert.ok(csv.startsWith(UTF8_BOM));
    const parsed = parseCsv(csv);
    assert.ok('rows' in parsed);
    const [header, first] = parsed.rows;
    assert.deepEqual(header!.slice(0, 5), ['folder', 'student_id', 'name', 'status', 'image.multiplatform']);
    assert.equal(header!.length, 4 + rubric.checks.length + 7);
    assert.equal(first![header!.indexOf('total')], String(pass.score.points + pass.score.bonusPoints));
    assert.equal(parsed.rows.length, 5);
  });
  it('summary.md lists the students not gradable with the cause and how to retry', () => {
    const md = summaryMarkdown(rows, inputs, rubric, { generatedAt: '2026-11-23T12:00:00Z', command: 'grader batch x --retry-errors' });
    assert.match(md, /^# Podsumowanie oceny/);
    assert.match(md, /## Nie do oceny/);
    assert.match(md, /`grader batch x --retry-errors`/);
    assert.match(md, /zaliczone: 1, niezaliczone: 1, nie do oceny: 1, bez wyniku: 1/);
  });
});

describe('toGradescope', () => {
  it('maps score, max_score and one test per check with passed/failed', () => {
    const g = toGradescope(partial, rubric);
    assert.equal(g.score, partial.score.points + partial.score.bonusPoints);
    assert.equal(g.max_score, partial.score.max);
    assert.equal(g.tests.length, partial.checks.length);
    for (const [i, t] of g.tests.entries()) {
      const c = partial.checks[i]!;
      assert.equal(t.status, c.status === 'pass' ? 'passed' : 'failed');
      assert.equal(t.score, c.points ?? 0);
      assert.equal(t.max_score, c.maxPoints ?? 0);
      assert.ok(t.name.startsWith(`${c.id}: `));
    }
    const bonus = g.tests.find((t) => t.name.startsWith('bonus.'))!;
    assert.deepEqual(bonus.tags, ['dodatkowe']);
    assert.match(toGradescope(infra, rubric).output, /ocena niepełna/);
  });
  it('a check worth no points is a line of the output, not a failed test', () => {
    const flagged = { ...partial, checks: [...partial.checks, { id: 'report.consistency' as const, status: 'manual' as const, message: 'Sprawozdanie nie we wszystkim zgadza się z repozytorium.', evidence: [], points: 0, maxPoints: 0 }] };
    const g = toGradescope(flagged, rubric);
    assert.equal(g.tests.length, partial.checks.length);
    assert.ok(!g.tests.some((t) => t.name.startsWith('report.consistency')));
    assert.match(g.output, /\n\nSprawozdanie a repozytorium \(bez punktów\): Sprawozdanie nie we wszystkim zgadza się z repozytorium\.$/);
  });
});

describe('progress', () => {
  it('formats the clock', () => {
    assert.deepEqual([0, 42_000, 725_000, 3_723_000].map(formatClock), ['0:00', '0:42', '12:05', '1:02:03']);
  });
  it('estimates the time left from the pace so far, none before the first student', () => {
    assert.equal(estimateRemainingMs({ total: 6, done: 0, skipped: 0 }, 10_000), undefined);
    assert.equal(estimateRemainingMs({ total: 6, done: 2, skipped: 0 }, 60_000), 120_000);
    assert.equal(estimateRemainingMs({ total: 6, done: 2, skipped: 2 }, 60_000), 60_000);
    assert.equal(estimateRemainingMs({ total: 2, done: 2, skipped: 0 }, 60_000), 0);
  });
  it('builds the Polish line', () => {
    assert.equal(progressLine({ total: 6, done: 3, running: 2, failed: 1, skipped: 0 }, 80_000),
      '[3/6] gotowe 3 · w toku 2 · nie zaliczono lub nie do oceny 1 · 1:20 · zostało ~1:20');
  });
});

describe('verdicts', () => {
  const base = { student: { id: 's1', name: 'Jan' }, rubric, toolVersion: '0.1.0', gradedAt: '2026-11-23T12:00:00Z' };
  it('a broken manifest: 0 points, final (not a regrade), every problem as evidence', () => {
    const r = verdictResult({ ...base, kind: 'manifest', message: 'Niepoprawny plik submission.json', problems: ['a', 'b'] });
    assert.equal(r.needsRegrade, false);
    assert.equal(r.score.points, 0);
    assert.match(r.score.grade, /^Niezaliczone — niepoprawny opis pracy/);
    assert.deepEqual(r.checks[0]!.evidence, [{ kind: 'text', title: 'Znalezione problemy', text: 'a\nb' }]);
    assert.equal(classifyExisting(JSON.stringify(r)), 'complete');
  });
  it('a timeout or crash: not gradable, graded again by --retry-errors', () => {
    for (const kind of ['timeout', 'crash', 'source'] as const) {
      const r = verdictResult({ ...base, kind, message: 'x' });
      assert.equal(r.needsRegrade, true, kind);
      assert.match(r.score.grade, /^Nie do oceny/);
      assert.equal(summaryRows([{ key: 's1', result: r }], rubric)[0]!.status, 'nie do oceny');
    }
  });
});

describe('cleanup scope', () => {
  it('matches our names, never the base registry, and only the given run', () => {
    assert.equal(isGraderName('buildx-grader-base'), false);
    assert.equal(isGraderName('buildx-grader-base-copy'), false);
    assert.equal(isGraderName('buildx-grader-r7-261123-abc'), true);
    assert.equal(isGraderName('buildx-grader-261123-abc-s2-1'), true);
    assert.equal(isGraderName('buildx_buildkit_buildx-grader-261123-abc-s2-10_state'), true);
    assert.equal(isGraderName('nginx'), false);
    assert.equal(isGraderName('buildx-grader-r7-261123-abc-s2', '261123-abc'), true);
    assert.equal(isGraderName('buildx-grader-r7-261123-abc-s2', '261123-abc-s1'), false);
    assert.equal(isGraderName('buildx-grader-261123-abc-s10-1', '261123-abc-s1'), false);
    assert.equal(belongsToRun('261123-abc-s3', '261123-abc'), true);
    assert.equal(belongsToRun('261123-abcd', '261123-abc'), false);
    assert.equal(belongsToRun(undefined, undefined), false);
  });
});

describe('init skeleton and checklist', () => {
  it('validates flags and builds a valid skeleton', () => {
    assert.deepEqual(skeletonProblems({ id: 'x1', name: ' ' }).length, 2);
    assert.deepEqual(skeletonProblems({ id: 's12345', name: 'Jan', image: 'a b' }), ['--image: „a b” nie jest referencją obrazu (rejestr/repozytorium:tag)']);
    const s = submissionSkeleton({ id: 's12345', name: ' Jan ', cache: 'r:5000/a:c' });
    assert.deepEqual(s.student, { id: 's12345', name: 'Jan' });
    assert.deepEqual(s.published, { cache: 'r:5000/a:c' });
  });
  it('keeps folder names as keys when simple, else makes them simple and unique', () => {
    assert.equal(safeKey('s12345'), 's12345');
    assert.match(safeKey('Żółć ../x'), /^Zolc_x-[0-9a-f]{6}$/);
    assert.notEqual(safeKey('a b'), safeKey('a_b'));
  });
  it('the student checklist marks each check and says what to fix', () => {
    const lines = studentChecklist(fail, rubric);
    assert.match(lines[0]!, /^Sprawdzenie pracy: /);
    assert.ok(lines.some((l) => l.startsWith('✘ ')));
    assert.ok(lines.some((l) => l.includes('Co poprawić: ')));
    assert.ok(lines.some((l) => l.startsWith('Przewidywana ocena: ')));
  });
});
