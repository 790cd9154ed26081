// Instructor decisions (overrides.json): the pure application and scoring, the file's validation,
// the report text, and `grader review` / `grader report` / the batch hook on temp copies of stored results.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summaryMarkdown, summaryRows } from '../../grader/batch/summary.ts';
import { run as report } from '../../grader/cli/report.ts';
import { run as review } from '../../grader/cli/review.ts';
import { ExitCode, InputError, exitCodeOf } from '../../grader/errors.ts';
import { markdownToHtml } from '../../grader/report/html.ts';
import { renderMarkdown } from '../../grader/report/markdown.ts';
import type { CheckResult, CheckStatus, GradeResult } from '../../grader/results/types.ts';
import { loadRubric } from '../../grader/rubric/load-rubric.ts';
import { score } from '../../grader/rubric/score.ts';
import { applyOverrides, decisionProblems } from '../../grader/review/apply.ts';
import { loadOverrides, parseOverrides, upsertDecision, type Decision } from '../../grader/review/overrides.ts';
import { applyDirOverrides } from '../../grader/review/review-dir.ts';
import { grader } from '../helpers/cli.ts';
import { runCaptured } from '../helpers/capture.ts';

const rubric = await loadRubric();
const ctx = { signal: new AbortController().signal };

/** A stored fixture as `grader grade` would write it with the default rubric (lab7). */
async function stored(name: string, id?: string): Promise<GradeResult> {
  const r = JSON.parse(await readFile(new URL(`../fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GradeResult;
  const s = score(r.checks, rubric);
  return {
    ...r,
    rubric: { id: rubric.id, title: rubric.title },
    student: id ? { ...r.student, id } : r.student,
    checks: s.checks,
    score: s.score,
    needsRegrade: s.needsRegrade,
  };
}

const check = (r: GradeResult, id: string): CheckResult => {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, id);
  return c;
};

const decision = (d: Partial<Decision> & Pick<Decision, 'check' | 'status'>): Decision => ({
  student: 's99201', comment: 'Trafienia cache widać w logu wklejonym do sprawozdania.', ...d,
});

const quiet = (command: typeof review, argv: string[]) => runCaptured(command, argv, ctx);

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(exitCodeOf(error), ExitCode.badInput);
    return error;
  }
  assert.fail('expected an InputError');
}

describe('applyOverrides', () => {
  it('replaces the verdict, keeps the grader\'s own, and scores again with the rubric', async () => {
    const r = await stored('partial-cache');
    assert.equal(r.score.points, 7.5);
    assert.deepEqual(r.score.requiredFailed, ['cache.exported', 'cache.hit']);
    const original = check(r, 'cache.hit');

    const d = decision({ check: 'cache.hit', status: 'pass', by: 'dr Jan Nowak', at: '2026-01-15T10:30:00Z' });
    const a = applyOverrides(r, [d], rubric);
    const hit = check(a, 'cache.hit');
    assert.equal(hit.status, 'pass');
    assert.equal(hit.partial, undefined);
    assert.equal(hit.points, 2);
    assert.equal(hit.message, original.message);
    assert.deepEqual(hit.override, {
      original: { status: 'fail', message: original.message, partial: 0.5 },
      comment: d.comment, by: 'dr Jan Nowak', at: '2026-01-15T10:30:00Z',
    });
    assert.equal(a.score.points, 8.5);
    assert.deepEqual(a.score.requiredFailed, ['cache.exported']);
    assert.match(a.score.grade, /^Niezaliczone: 8,5 \/ 17 pkt/);
    assert.equal(r.checks.find((c) => c.id === 'cache.hit')?.status, 'fail', 'the input is not changed');

    const both = applyOverrides(r, [d, decision({ check: 'cache.exported', status: 'pass', partial: 0.5 })], rubric);
    assert.equal(check(both, 'cache.exported').points, 0.5);
    assert.equal(both.score.passed, true);
    assert.equal(both.score.points, 8.5);
    assert.match(both.score.grade, /^Zaliczone: 8,5 \/ 17 pkt \(50%\)/);
  });

  it('is idempotent, and without decisions gives the grader\'s result back', async () => {
    const r = await stored('partial-cache');
    const ds = [decision({ check: 'cache.hit', status: 'pass' }), decision({ check: 'image.multiplatform', status: 'fail' })];
    const once = applyOverrides(r, ds, rubric);
    assert.deepEqual(applyOverrides(once, ds, rubric), once);
    assert.deepEqual(applyOverrides(once, [], rubric), r);
    assert.equal(applyOverrides(r, [], rubric), r, 'nothing to do: the same object');
    const replaced = applyOverrides(once, [decision({ check: 'cache.hit', status: 'fail', partial: 0.25 })], rubric);
    assert.deepEqual(check(replaced, 'cache.hit').override?.original, { status: 'fail', message: check(r, 'cache.hit').message, partial: 0.5 });
    assert.equal(check(replaced, 'cache.hit').points, 0.5);
    assert.equal(check(replaced, 'image.multiplatform').override, undefined);
  });

  it('resolves any status: an ungradable check, a status added later, a check missing from the result', async () => {
    const infra = await stored('error-infra', 's99201');
    assert.equal(infra.needsRegrade, true);
    const decided = applyOverrides(infra, (['build.first', 'build.index', 'cache.exported'] as const).map((id) => decision({ check: id, status: 'pass' })), rubric);
    assert.equal(decided.needsRegrade, false);
    assert.deepEqual(decided.score.notGradable, []);
    assert.equal(check(decided, 'build.first').override?.original.status, 'error');

    const r = await stored('partial-cache');
    const manual = { ...r, checks: r.checks.map((c) => (c.id === 'cache.hit' ? { ...c, status: 'manual' as CheckStatus } : c)) };
    assert.equal(check(applyOverrides(manual, [decision({ check: 'cache.hit', status: 'pass' })], rubric), 'cache.hit').override?.original.status, 'manual');

    const lacking = { ...r, checks: r.checks.filter((c) => c.id !== 'builder.container') };
    const built = check(applyOverrides(lacking, [decision({ check: 'builder.container', status: 'pass' })], rubric), 'builder.container');
    assert.equal(built.status, 'pass');
    assert.equal(built.points, 1);
    assert.equal(built.override?.original.status, 'skip');
  });

  it('applies only the result\'s own student', async () => {
    const r = await stored('partial-cache');
    assert.equal(applyOverrides(r, [decision({ student: 's1', check: 'cache.hit', status: 'pass' })], rubric), r);
  });
});

describe('overrides.json validation', () => {
  const file = '/tmp/kurs/overrides.json';

  it('names the file and every problem by its JSON pointer', async () => {
    const error = await inputError(parseOverrides({
      decisions: [
        { student: 's1', check: 'cache.hit', status: 'pass', comment: 'ok' },
        { student: 's1', check: 'cache.exported', status: 'ok', comment: 'ok', partial: 2 },
        { student: 's2', check: 'cache.hit', status: 'fail' },
      ],
    }, file));
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /: 3 problemy\.$/);
    assert.deepEqual(error.problems, [
      'overrides.json: /decisions/1/status: oczekiwano jednej z wartości: "pass", "fail"',
      'overrides.json: /decisions/1/partial: oczekiwano liczby nie większej niż 1, podano 2',
      'overrides.json: /decisions/2/comment: brak wymaganego pola',
    ]);
  });

  it('rejects unknown check ids, a second decision for the same pair and a bad date', async () => {
    const error = await inputError(parseOverrides({
      decisions: [
        { student: 's1', check: 'cache.hitt', status: 'pass', comment: 'ok' },
        { student: 's1', check: 'cache.hit', status: 'pass', comment: 'ok', at: '2026-02-30T99:00:00Z' },
        { student: 's1', check: 'cache.hit', status: 'fail', comment: 'nie' },
      ],
    }, file));
    assert.match(error.problems[0]!, /^overrides\.json: \/decisions\/0\/check: nieznany identyfikator sprawdzenia „cache\.hitt” \(ta wersja programu zna: .*cache\.hit/);
    assert.ok(error.problems.includes('overrides.json: /decisions/1/at: niepoprawna data „2026-02-30T99:00:00Z”'), error.problems.join('\n'));
    assert.ok(error.problems.includes('overrides.json: /decisions/2: druga decyzja dla studenta „s1” i sprawdzenia „cache.hit” (pierwsza: /decisions/1)'));
  });

  it('checks students and rubric checks against the stored results', async () => {
    const r = await stored('partial-cache');
    const problems = decisionProblems([
      decision({ check: 'cache.hit', status: 'pass' }),
      decision({ student: 's404', check: 'cache.hit', status: 'pass' }),
      decision({ check: 'reference.build', status: 'pass' }),
    ], rubric, [{ key: 'a', result: r }]);
    assert.deepEqual(problems, [
      '/decisions/1/student: brak wyniku studenta „s404” (są wyniki studentów: s99201)',
      `/decisions/2/check: rubryka „lab7” nie ocenia sprawdzenia „reference.build” (ocenia: ${rubric.checks.map((c) => c.id).join(', ')})`,
    ]);
    assert.match(decisionProblems([decision({ check: 'cache.hit', status: 'pass' })], rubric, [{ key: 'a', result: r }, { key: 'b', result: r }])[0]!, /ma wyniki w kilku folderach \(a, b\)/);
  });

  it('loadOverrides: none yet is no decisions, a syntax error names the file, line and column', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'overrides-'));
    try {
      assert.equal(await loadOverrides(join(tmp, 'overrides.json')), undefined);
      await writeFile(join(tmp, 'overrides.json'), '{ "decisions": [\n  { "student": "s1", }\n] }');
      const error = await inputError(loadOverrides(join(tmp, 'overrides.json')));
      assert.ok(error.message.includes(join(tmp, 'overrides.json')));
      assert.match(error.problems[0]!, /^overrides\.json: błąd składni JSON w wierszu 2, kolumna 22/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('upsertDecision replaces the same student and check, else appends', () => {
    const a = decision({ check: 'cache.hit', status: 'pass' });
    const b = decision({ check: 'cache.exported', status: 'pass' });
    const a2 = decision({ check: 'cache.hit', status: 'fail', comment: 'jednak nie' });
    assert.deepEqual(upsertDecision(upsertDecision([a], b), a2), [a2, b]);
  });
});

describe('reports show the decision', () => {
  it('raport.md: the decision with the grader\'s verdict and the comment, escaped', async () => {
    const comment = 'Log w sprawozdaniu [tutaj](http://evil.example) <img src=x> **OK**';
    const a = applyOverrides(await stored('partial-cache'), [
      decision({ check: 'cache.hit', status: 'pass', comment, by: 'dr Jan Nowak', at: '2026-01-15T10:30:00Z' }),
      decision({ check: 'image.multiplatform', status: 'pass', comment: 'Potwierdzam.' }),
    ], rubric);
    const md = renderMarkdown(a);
    assert.ok(md.includes(
      '**Decyzja prowadzącego:** zaliczone (było: niezaliczone, 50% punktów) — Log w sprawozdaniu \\[tutaj\\]\\(http\\://evil.example\\) \\<img src=x\\> \\*\\*OK\\*\\* (dr Jan Nowak, 2026-01-15 10:30 UTC)',
    ), md);
    assert.ok(md.includes('**Decyzja prowadzącego:** zaliczone (jak ocenił program) — Potwierdzam.'));
    assert.match(md, /\*\*Ustalenia programu:\*\* /);
    assert.ok(md.includes('| Kroki wzięte z cache \\(CACHED\\) dla obu platform (decyzja prowadzącego) | zaliczone | 2 | 2 |'));
    const html = markdownToHtml(md);
    assert.ok(!/<img|evil\.example"/i.test(html));
    assert.match(html, /Decyzja prowadzącego:<\/strong> zaliczone \(było: niezaliczone, 50% punktów\)/);
  });

  it('summary.md lists the decisions', async () => {
    const a = applyOverrides(await stored('partial-cache'), [decision({ check: 'cache.hit', status: 'pass', comment: 'Widać | w logu' })], rubric);
    const inputs = [{ key: 's99201', result: a }, { key: 's2', result: await stored('fail') }];
    const md = summaryMarkdown(summaryRows(inputs, rubric), inputs, rubric, { generatedAt: '2026-01-15T10:30:00Z' });
    assert.ok(md.includes('## Decyzje prowadzącego\n\n- `s99201` `cache.hit`: zaliczone (było: niezaliczone, 50% punktów) — Widać \\| w logu\n'), md);
  });
});

describe('grader review / grader report / batch hook (Markdown only, no Docker)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'review-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A batch output folder: one folder per student with its results.json. */
  async function batchDir(): Promise<string> {
    const out = await mkdtemp(join(dir, 'batch-'));
    for (const [key, name, id] of [['s99201', 'partial-cache', undefined], ['s99123', 'fail', undefined], ['s5', 'pass', 's5']] as const) {
      await mkdir(join(out, key, 'logs'), { recursive: true });
      await writeFile(join(out, key, 'results.json'), JSON.stringify(await stored(name, id), null, 2));
    }
    await mkdir(join(out, 's6', 'logs'), { recursive: true }); // interrupted: no result yet
    return out;
  }
  const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
  const decide = (out: string, ...more: string[]) =>
    quiet(review, [out, '--student', 's99201', '--check', 'cache.hit', '--status', 'pass', '--comment', 'Widać CACHED w logu ze sprawozdania.', ...more]);

  it('records a decision, recomputes the student\'s result, report and the batch summary', async () => {
    const out = await batchDir();
    const { code, out: printed } = await decide(out, '--by', 'dr Jan Nowak');
    assert.equal(code, 0);
    assert.match(printed, /s99201 cache\.hit: zaliczone \(było: niezaliczone, 50% punktów\)/);
    assert.match(printed, /Ocena: Niezaliczone: 8,5 \/ 17 pkt/);

    const overrides = await readJson<{ decisions: Decision[] }>(join(out, 'overrides.json'));
    assert.equal(overrides.decisions.length, 1);
    assert.deepEqual({ ...overrides.decisions[0], at: undefined }, {
      student: 's99201', check: 'cache.hit', status: 'pass', comment: 'Widać CACHED w logu ze sprawozdania.', by: 'dr Jan Nowak', at: undefined,
    });
    assert.ok(!Number.isNaN(Date.parse(overrides.decisions[0]!.at!)));

    const result = await readJson<GradeResult>(join(out, 's99201', 'results.json'));
    assert.equal(check(result, 'cache.hit').override?.original.status, 'fail');
    assert.equal(result.score.points, 8.5);
    assert.match(await readFile(join(out, 's99201', 'raport.md'), 'utf8'), /\*\*Decyzja prowadzącego:\*\* zaliczone \(było: niezaliczone, 50% punktów\) — Widać CACHED/);
    await assert.rejects(readFile(join(out, 's99123', 'raport.md')), { code: 'ENOENT' }, 'other students are not touched');
    const csv = await readFile(join(out, 'summary.csv'), 'utf8');
    assert.match(csv, /\ns99201,s99201,Michał Dąbrowski,niezaliczone,1,1,0,2,1,0\.5,1,2,0,0,0,0,0,0,0,0,0,8\.5,/);
    assert.match(csv, /\ns6,s6,,brak wyniku,/);
    assert.match(await readFile(join(out, 'summary.md'), 'utf8'), /## Decyzje prowadzącego\n\n- `s99201` `cache\.hit`: zaliczone/);

    // The same student and check again: replaced, not appended.
    assert.equal((await quiet(review, [out, '--student', 's99201', '--check', 'cache.hit', '--status', 'fail', '--partial', '0,25', '--comment', 'Tylko amd64.'])).code, 0);
    const again = await readJson<{ decisions: Decision[] }>(join(out, 'overrides.json'));
    assert.deepEqual(again.decisions.map((d) => [d.check, d.status, d.partial, d.comment]), [['cache.hit', 'fail', 0.25, 'Tylko amd64.']]);
    const result2 = await readJson<GradeResult>(join(out, 's99201', 'results.json'));
    assert.equal(check(result2, 'cache.hit').points, 0.5);
    assert.equal(check(result2, 'cache.hit').override?.original.partial, 0.5, 'the grader\'s verdict, not the previous decision');

    const listed = await quiet(review, [out, '--list']);
    assert.equal(listed.code, 0);
    assert.match(listed.out, /^s99201 cache\.hit: niezaliczone, 25% punktów — Tylko amd64\. \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    assert.match((await quiet(review, [out, '--list', '--student', 's5'])).out, /^Brak decyzji prowadzącego dla studenta s5 w /);
  });

  it('rejects bad input with exit code 2 and writes nothing', async () => {
    const out = await batchDir();
    const unknownCheck = await inputError(quiet(review, [out, '--student', 's99201', '--check', 'cache.hitt', '--status', 'pass', '--comment', 'x']));
    assert.match(unknownCheck.message, /--check: nieznany identyfikator sprawdzenia „cache\.hitt”/);
    const unknownStudent = await inputError(quiet(review, [out, '--student', 's404', '--check', 'cache.hit', '--status', 'pass', '--comment', 'x']));
    assert.match(unknownStudent.message, /--student: w .* nie ma wyniku studenta „s404”/);
    assert.deepEqual(unknownStudent.problems, ['są wyniki studentów: s5, s99123, s99201']);
    const many = await inputError(quiet(review, [out, '--student', 's99201', '--status', 'ok', '--partial', '2']));
    assert.match(many.message, /: 4 problemy\./);
    assert.equal(many.problems.length, 4);
    await inputError(quiet(review, [out, '--student', 's99201', '--check', 'reference.build', '--status', 'pass', '--comment', 'x']));
    await inputError(quiet(review, [join(dir, 'nope'), '--list', '--bogus']));
    await inputError(quiet(review, [out, '--format', 'docx']));
    await assert.rejects(readFile(join(out, 'overrides.json')), { code: 'ENOENT' });

    // A hand edit naming an unknown check or student: the file and the pointer.
    await writeFile(join(out, 'overrides.json'), JSON.stringify({ decisions: [
      { student: 's404', check: 'cache.hit', status: 'pass', comment: 'x' },
      { student: 's99201', check: 'cache.hitt', status: 'pass', comment: 'x' },
    ] }));
    const edited = await inputError(decide(out));
    assert.ok(edited.message.includes(join(out, 'overrides.json')));
    assert.match(edited.problems.join('\n'), /overrides\.json: \/decisions\/1\/check: nieznany identyfikator sprawdzenia „cache\.hitt”/);
    await writeFile(join(out, 'overrides.json'), JSON.stringify({ decisions: [{ student: 's404', check: 'cache.hit', status: 'pass', comment: 'x' }] }));
    assert.deepEqual((await inputError(decide(out))).problems, ['overrides.json: /decisions/0/student: brak wyniku studenta „s404” (są wyniki studentów: s5, s99123, s99201)']);
    assert.equal(check(await readJson<GradeResult>(join(out, 's99201', 'results.json')), 'cache.hit').override, undefined);
  });

  it('exits with 2 from the command line for an unknown check', async () => {
    const out = await batchDir();
    const r = await grader(['review', out, '--student', 's99201', '--check', 'cache.hitt', '--status', 'pass', '--comment', 'x']);
    assert.equal(r.code, ExitCode.badInput, r.stderr);
    assert.match(r.stderr, /^błąd: .*--check: nieznany identyfikator sprawdzenia „cache\.hitt”/);
  });

  it('works on a single grade output and refuses a result of another rubric', async () => {
    const out = await mkdtemp(join(dir, 'single-'));
    await writeFile(join(out, 'results.json'), JSON.stringify(await stored('partial-cache')));
    assert.equal((await decide(out, '--format', 'md')).code, 0);
    assert.match(await readFile(join(out, 'raport.md'), 'utf8'), /Decyzja prowadzącego/);
    await assert.rejects(readFile(join(out, 'summary.csv')), { code: 'ENOENT' });

    const other = await mkdtemp(join(dir, 'rubric-'));
    await writeFile(join(other, 'results.json'), await readFile(new URL('../fixtures/results/partial-cache.json', import.meta.url)));
    const error = await inputError(decide(other));
    assert.match(error.message, /oceniono rubryką „lab7-2026”, a wczytano „lab7”.*--rubric/);
  });

  it('grader report and a batch run honour a hand-written overrides.json', async () => {
    const out = await batchDir();
    const stale = await readFile(join(out, 's99201', 'results.json'), 'utf8');
    await writeFile(join(out, 'overrides.json'), JSON.stringify({ decisions: [decision({ check: 'cache.hit', status: 'pass', comment: 'Ręcznie.' })] }));
    assert.equal((await quiet(report, [join(out, 's99201', 'results.json'), '--format', 'md'])).code, 0);
    assert.match(await readFile(join(out, 's99201', 'raport.md'), 'utf8'), /\*\*Decyzja prowadzącego:\*\* zaliczone \(było: niezaliczone, 50% punktów\) — Ręcznie\./);
    assert.equal(await readFile(join(out, 's99201', 'results.json'), 'utf8'), stale, 'report only renders');

    // What `grader batch` runs after grading: freshly written results get the decisions again.
    assert.deepEqual(await applyDirOverrides(out, rubric, ['md']), ['s99201']);
    assert.equal(check(await readJson<GradeResult>(join(out, 's99201', 'results.json')), 'cache.hit').status, 'pass');
    assert.deepEqual(await applyDirOverrides(out, rubric, ['md']), [], 'already in force');
    assert.deepEqual(await applyDirOverrides(await batchDir(), rubric, ['md']), [], 'no overrides.json');
  });

  it('prints Polish help with examples', async () => {
    const { code, out } = await quiet(review, ['--help']);
    assert.equal(code, 0);
    assert.match(out, /^Użycie: grader review <katalog-wyników> --student ID --check SPRAWDZENIE --status pass\|fail/);
    assert.match(out, /Przykłady:\n  grader review reports --student s99656 --check cache\.hit --status pass/);
    assert.match(out, /grader review reports --list/);
  });
});
