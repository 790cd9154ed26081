import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ExitCode, exitCodeOf, InputError } from '../../grader/errors.ts';
import { CHECK_IDS, type CheckId, type CheckResult, type CheckStatus } from '../../grader/results/types.ts';
import { DEFAULT_RUBRIC, loadRubric, parseRubric, thresholdOf, type Rubric } from '../../grader/rubric/load-rubric.ts';
import { score } from '../../grader/rubric/score.ts';
import { gradesBonus } from '../../grader/grade/grade-submission.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAB7 = path.join(repoRoot, 'rubrics', 'lab7.json');
const BASE: CheckId[] = ['image.multiplatform', 'cache.published', 'builder.container', 'build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit'];
const REPORT: CheckId[] = ['report.twoBuilds', 'report.platforms', 'report.manifest', 'report.cacheEvidence', 'report.builder', 'report.registry7', 'report.cacheTo'];

async function lab7Json(): Promise<Record<string, unknown> & { checks: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(LAB7, 'utf8'));
}

function result(id: CheckId, status: CheckStatus, extra: Partial<CheckResult> = {}): CheckResult {
  return { id, status, message: `${id}: ${status}`, evidence: [], ...extra };
}

/** Every lab7 check with the given status, with overrides per id. */
function results(status: CheckStatus, overrides: Partial<Record<CheckId, CheckStatus | Partial<CheckResult>>> = {}): CheckResult[] {
  return [...BASE, 'bonus.registry7.delete' as const].map((id) => {
    const o = overrides[id];
    if (typeof o === 'string') return result(id, o);
    return result(id, o?.status ?? status, o ?? {});
  });
}

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error;
  }
  assert.fail('expected an InputError');
}

describe('loadRubric', () => {
  it('loads rubrics/lab7.json: all base checks (10 points for the work, 7 for the report), +50% bonus split 3:2', async () => {
    const rubric = await loadRubric(LAB7);
    assert.equal(rubric.id, 'lab7');
    assert.deepEqual(rubric.checks.filter((c) => !c.bonus).map((c) => c.id), [...BASE, ...REPORT]);
    assert.equal(rubric.checks.filter((c) => BASE.includes(c.id)).reduce((s, c) => s + c.points, 0), 10);
    assert.equal(rubric.checks.filter((c) => REPORT.includes(c.id)).reduce((s, c) => s + c.points, 0), 7);
    assert.deepEqual(rubric.bonus, { percent: 50, checks: ['bonus.registry7.delete', 'report.bonus'] });
    assert.deepEqual(rubric.checks.filter((c) => c.bonus).map((c) => [c.id, c.points]), [['bonus.registry7.delete', 3], ['report.bonus', 2]]);
    assert.equal(thresholdOf(rubric, 'cache.hit.minRatio', 1), 0.8);
    assert.equal(thresholdOf(rubric, 'cache.hit.other', 0.5), 0.5);
    assert.match(rubric.title, /^Laboratorium 7/);
    for (const c of rubric.checks) assert.ok(c.title.length > 0 && c.description.length > c.title.length, c.id);
  });

  it('is the default rubric', async () => {
    assert.equal(DEFAULT_RUBRIC, LAB7);
  });

  it('bench/rubric-base.json is lab7 without the bonus: the grader then runs no deletion test', async () => {
    const base = await loadRubric(path.join(repoRoot, 'bench', 'rubric-base.json'));
    assert.deepEqual(base.checks.map((c) => c.id), [...BASE, ...REPORT]);
    assert.equal(base.bonus, undefined);
    assert.equal(gradesBonus(base), false);
    assert.equal(gradesBonus(await loadRubric(LAB7)), true);
    const scored = score([...results('pass').filter((r) => r.id !== 'bonus.registry7.delete'), ...REPORT.map((id) => result(id, 'pass'))], base);
    assert.deepEqual(scored.checks.map((c) => c.id), [...BASE, ...REPORT]);
    assert.equal(scored.score.percent, 100);
  });

  it('rejects an unknown check id with a Polish message (exit code 2)', async () => {
    const data = await lab7Json();
    data.checks[2] = { ...data.checks[2], id: 'build.second' };
    const error = await rejection(parseRubric(data, { label: 'lab7.json' }));
    assert.equal(exitCodeOf(error), ExitCode.badInput);
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!, /^lab7\.json: \/checks\/2\/id: nieznany identyfikator sprawdzenia „build\.second” \(ta wersja programu zna: /);
    for (const id of CHECK_IDS) assert.ok(error.problems[0]!.includes(id));
  });

  it('rejects an unknown id from a file, naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'grader-rubric-'));
    try {
      const data = await lab7Json();
      (data.bonus as { checks: string[] }).checks = ['bonus.registry8.delete'];
      const file = path.join(dir, 'moja.json');
      await writeFile(file, JSON.stringify(data));
      const error = await rejection(loadRubric(file));
      assert.match(error.message, /moja\.json/);
      assert.deepEqual(error.problems.map((p) => p.split(':').slice(0, 2).join(':')), ['moja.json: /bonus/checks/0']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists schema and rule problems in Polish', async () => {
    const data = await lab7Json();
    data.checks[0] = { ...data.checks[0], points: -1 };
    delete data.checks[1]!.title;
    (data.thresholds as Record<string, unknown>)['cache.hit.minRatio'] = 1.5;
    const error = await rejection(parseRubric(data, { label: 'lab7.json' }));
    assert.deepEqual(error.problems, [
      'lab7.json: /checks/0/points: oczekiwano liczby nie mniejszej niż 0, podano -1',
      'lab7.json: /checks/1/title: brak wymaganego pola',
      'lab7.json: /thresholds/cache.hit.minRatio: oczekiwano liczby nie większej niż 1, podano 1.5',
    ]);
  });

  it('rejects duplicates, a required bonus check and thresholds of unknown checks', async () => {
    const data = await lab7Json();
    const bonusAt = data.checks.findIndex((c) => c.id === 'bonus.registry7.delete');
    data.checks.push({ ...data.checks[0] });
    data.checks[bonusAt] = { ...data.checks[bonusAt], required: true };
    (data.thresholds as Record<string, number>)['cache.hits.minRatio'] = 0.5;
    const error = await rejection(parseRubric(data, { label: 'r.json' }));
    assert.equal(error.problems.length, 3, error.problems.join('\n'));
    assert.match(error.problems[0]!, new RegExp(`/checks/${data.checks.length - 1}/id: sprawdzenie „image\\.multiplatform” występuje w rubryce więcej niż raz`));
    assert.match(error.problems[1]!, new RegExp(`/checks/${bonusAt}/required:`));
    assert.match(error.problems[1]!, /\/required: sprawdzenie dodatkowe „bonus\.registry7\.delete” nie może być wymagane/);
    assert.match(error.problems[2]!, /\/thresholds\/cache\.hits\.minRatio: próg nie należy do żadnego znanego sprawdzenia/);
  });
});

describe('score', () => {
  // The scoring rules on lab7's build and cache checks alone (10 points, one bonus check): the report checks add
  // points, not rules, and keeping them out keeps these numbers readable.
  let lab7: Rubric;
  const rubric = async () => (lab7 ??= await parseRubric(await lab7Json().then((d) => ({
    ...d,
    checks: d.checks.filter((c) => !String(c.id).startsWith('report.')),
    bonus: { percent: 50, checks: ['bonus.registry7.delete'] },
  })), { label: 'lab7.json' }));

  it('all pass: base 10/10 + bonus 5 = 150%', async () => {
    const out = score(results('pass'), await rubric());
    assert.deepEqual(
      { ...out.score },
      { points: 10, max: 10, bonusPoints: 5, bonusMax: 5, percent: 150, grade: 'Zaliczone z zadaniem dodatkowym: 15 / 10 pkt (150%)', requiredFailed: [], passed: true, notGradable: [] },
    );
    assert.equal(out.needsRegrade, false);
    assert.deepEqual(out.checks.map((c) => [c.id, c.points, c.maxPoints]), [
      ['image.multiplatform', 1, 1], ['cache.published', 1, 1], ['builder.container', 1, 1], ['build.first', 2, 2], ['build.index', 1, 1],
      ['cache.exported', 1, 1], ['cache.imported', 1, 1], ['cache.hit', 2, 2], ['bonus.registry7.delete', 5, 5],
    ]);
  });

  it('all base pass, bonus failed: plain pass', async () => {
    const out = score(results('pass', { 'bonus.registry7.delete': 'fail' }), await rubric());
    assert.equal(out.score.grade, 'Zaliczone: 10 / 10 pkt (100%)');
    assert.equal(out.score.bonusPoints, 0);
  });

  it('a failed required check: not passed, listed, points still counted', async () => {
    const out = score(results('pass', { 'cache.hit': 'fail', 'image.multiplatform': 'fail' }), await rubric());
    assert.deepEqual(out.score.requiredFailed, ['cache.hit']);
    assert.equal(out.score.passed, false);
    assert.equal(out.score.points, 7);
    assert.match(out.score.grade, /^Niezaliczone: 7 \/ 10 pkt \(70%\) — niespełnione wymagane sprawdzenia: cache\.hit/);
  });

  it('no bonus without the base, and the grade line says so', async () => {
    const out = score(results('pass', { 'build.first': 'fail', 'build.index': 'skip' }), await rubric());
    assert.deepEqual(out.score.requiredFailed, ['build.first', 'build.index']);
    assert.equal(out.score.bonusPoints, 0);
    assert.equal(out.score.bonusMax, 5);
    assert.equal(out.checks.find((c) => c.id === 'bonus.registry7.delete')?.points, 0);
    assert.equal(out.score.percent, 70);
    assert.match(out.score.grade, /^Niezaliczone: 7 \/ 10 pkt \(70%\)/);
    assert.match(out.score.grade, /zadanie dodatkowe nie jest liczone bez zaliczenia części podstawowej/);
  });

  it('partial credit on a pass and on a fail, with Polish decimals', async () => {
    const out = score(results('pass', {
      'cache.hit': { status: 'pass', partial: 0.75 },
      'image.multiplatform': { status: 'fail', partial: 0.5 },
      'bonus.registry7.delete': { status: 'pass', partial: 0.5 },
    }), await rubric());
    assert.equal(out.checks.find((c) => c.id === 'cache.hit')?.points, 1.5);
    assert.equal(out.checks.find((c) => c.id === 'image.multiplatform')?.points, 0.5);
    assert.equal(out.score.points, 9);
    assert.equal(out.score.bonusPoints, 2.5);
    assert.equal(out.score.percent, 115);
    assert.equal(out.score.grade, 'Zaliczone z zadaniem dodatkowym: 11,5 / 10 pkt (115%)');
  });

  it('clamps partial credit and ignores it on skip/error', async () => {
    const out = score(results('pass', {
      'cache.hit': { status: 'pass', partial: 7 },
      'cache.imported': { status: 'skip', partial: 1 },
      'cache.published': { status: 'fail', partial: -3 },
    }), await rubric());
    assert.equal(out.checks.find((c) => c.id === 'cache.hit')?.points, 2);
    assert.equal(out.checks.find((c) => c.id === 'cache.imported')?.points, 0);
    assert.equal(out.checks.find((c) => c.id === 'cache.published')?.points, 0);
  });

  it('an error on a non-required check: no failure, needsRegrade, incomplete grade', async () => {
    const out = score(results('pass', { 'cache.imported': 'error' }), await rubric());
    assert.equal(out.needsRegrade, true);
    assert.deepEqual(out.score.requiredFailed, []);
    assert.deepEqual(out.score.notGradable, ['cache.imported']);
    assert.equal(out.score.passed, true);
    assert.equal(out.score.points, 9);
    assert.equal(out.score.grade, 'Zaliczone z zadaniem dodatkowym: 14 / 10 pkt (140%); niepełna ocena — do ponownego sprawdzenia (nie udało się ocenić: cache.imported)');
  });

  it('an error on a required check is not a failure but leaves the grade open', async () => {
    const out = score(results('pass', { 'build.first': 'error' }), await rubric());
    assert.equal(out.needsRegrade, true);
    assert.deepEqual(out.score.requiredFailed, []);
    assert.equal(out.score.passed, false);
    assert.equal(out.score.bonusPoints, 0);
    assert.match(out.score.grade, /^Niepełna ocena — do ponownego sprawdzenia: 8 \/ 10 pkt \(80%\) — nie udało się ocenić wymaganych sprawdzeń: build\.first/);
    assert.doesNotMatch(out.score.grade, /Niezaliczone/);
  });

  it('an error on the bonus check: base passed, bonus pending', async () => {
    const out = score(results('pass', { 'bonus.registry7.delete': 'error' }), await rubric());
    assert.equal(out.needsRegrade, true);
    assert.match(out.score.grade, /^Zaliczone: 10 \/ 10 pkt \(100%\); niepełna ocena — do ponownego sprawdzenia/);
  });

  it('checks missing from results count as skip; unscored results are kept with 0/0', async () => {
    const out = score([result('build.first', 'pass'), result('build.index', 'pass'), result('cache.exported', 'pass')], await parseRubric({
      id: 'mini', title: 'Mini', checks: [
        { id: 'build.first', points: 3, required: true, title: 'a', description: 'b' },
        { id: 'cache.hit', points: 1, required: false, title: 'a', description: 'b' },
        { id: 'build.index', points: 1, required: false, title: 'a', description: 'b' },
      ],
    }));
    assert.deepEqual(out.checks.map((c) => [c.id, c.status, c.points, c.maxPoints]), [
      ['build.first', 'pass', 3, 3], ['cache.hit', 'skip', 0, 1], ['build.index', 'pass', 1, 1], ['cache.exported', 'pass', 0, 0],
    ]);
    assert.match(out.checks[1]!.message, /nie zostało wykonane/);
    assert.equal(out.score.grade, 'Zaliczone: 4 / 5 pkt (80%)');
    assert.equal(out.score.bonusMax, 0);
  });

  it('a missing required check fails the base', async () => {
    const out = score(results('pass').filter((r) => r.id !== 'cache.hit'), await rubric());
    assert.deepEqual(out.score.requiredFailed, ['cache.hit']);
  });

  it('a rubric change changes the score without a code change', async () => {
    const data = await lab7Json();
    // The report checks are not in the results: they count as skipped (0 of their 7 points).
    const same = results('pass', { 'image.multiplatform': 'fail', 'bonus.registry7.delete': 'fail' });
    const before = score(same, await parseRubric(data));
    assert.equal(before.score.grade, 'Zaliczone: 9 / 17 pkt (52,9%)');
    // Make image.multiplatform required and worth 5, and the bonus 20%.
    data.checks[0] = { ...data.checks[0], points: 5, required: true };
    (data.bonus as { percent: number }).percent = 20;
    const changed = await parseRubric(data);
    const after = score(same, changed);
    assert.equal(after.score.max, 21);
    assert.equal(after.score.bonusMax, 4.2);
    assert.deepEqual(after.score.requiredFailed, ['image.multiplatform']);
    assert.match(after.score.grade, /^Niezaliczone: 9 \/ 21 pkt \(42,9%\)/);
  });

  it('splits the bonus by weight among several bonus checks', async () => {
    const r = await parseRubric({
      id: 'two-bonus', title: 'T', checks: [
        { id: 'build.first', points: 4, required: true, title: 'a', description: 'b' },
        { id: 'cache.hit', points: 3, required: false, title: 'a', description: 'b' },
        { id: 'bonus.registry7.delete', points: 1, required: false, title: 'a', description: 'b' },
      ],
      bonus: { percent: 50, checks: ['cache.hit', 'bonus.registry7.delete'] },
    });
    const out = score([result('build.first', 'pass'), result('cache.hit', 'fail'), result('bonus.registry7.delete', 'pass')], r);
    assert.equal(out.score.max, 4);
    assert.equal(out.score.bonusMax, 2);
    assert.equal(out.score.bonusPoints, 0.5);
    assert.equal(out.score.grade, 'Zaliczone z zadaniem dodatkowym: 4,5 / 4 pkt (112,5%)');
  });
});
