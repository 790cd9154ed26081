import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../grader/cli/report.ts';
import { ExitCode, InputError, exitCodeOf } from '../../grader/errors.ts';
import { readResult } from '../../grader/report/read-result.ts';
import { writeReports } from '../../grader/report/write-reports.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { runCaptured } from '../helpers/capture.ts';

const PASS = new URL('../fixtures/results/pass.json', import.meta.url).pathname;
const ctx = { signal: new AbortController().signal };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runQuiet = (argv: string[]) => runCaptured(run, argv, ctx);

describe('readResult', () => {
  it('rejects a missing file, invalid JSON and another schema with InputError naming the file', async () => {
    const missing = join(dir, 'nope.json');
    await assert.rejects(readResult(missing), (e: unknown) => e instanceof InputError && e.message.includes(missing));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ "schemaVersion": 1, ');
    await assert.rejects(readResult(bad), (e: unknown) => e instanceof InputError && e.message.includes(bad) && /JSON/.test(e.message));
    const v2 = join(dir, 'v2.json');
    await writeFile(v2, JSON.stringify({ schemaVersion: 2 }));
    await assert.rejects(readResult(v2), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.ok(e.message.includes(v2));
      assert.deepEqual(e.problems, ['schemaVersion: oczekiwano 1, jest 2']);
      assert.equal(exitCodeOf(e), ExitCode.badInput);
      return true;
    });
  });

  it('lists every structural problem with its path', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ schemaVersion: 1, checks: [{ id: 'cache.hit', status: 'ok' }] }));
    await assert.rejects(readResult(broken), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.ok(e.problems.includes('checks[0].status: nieznany status "ok"'));
      assert.ok(e.problems.includes('checks[0].evidence: oczekiwano tablicy'));
      assert.ok(e.problems.includes('student: brak obiektu'));
      return true;
    });
  });

  it('reads a fixture', async () => {
    const r = await readResult(PASS);
    assert.equal(r.student.id, 's99656');
  });
});

describe('writeReports / grader report (Markdown only, no browser)', () => {
  it('writes raport.md beside results.json by default', async () => {
    const sub = await mkdtemp(join(dir, 'default-'));
    await copyFile(PASS, join(sub, 'results.json'));
    const { code, out } = await runQuiet([join(sub, 'results.json'), '--format', 'md']);
    assert.equal(code, 0);
    assert.match(out, /zapisano: .*raport\.md/);
    assert.match(await readFile(join(sub, 'raport.md'), 'utf8'), /^# Raport oceny – laboratorium 7/);
  });

  it('writes into --out and overwrites its own report', async () => {
    const out = join(dir, 'out', 'nested');
    assert.equal((await runQuiet([PASS, '--format', 'md', '--out', out])).code, 0);
    assert.equal((await runQuiet([PASS, '--format=md', `--out=${out}`])).code, 0);
  });

  it('refuses to overwrite a foreign raport.md unless --force', async () => {
    const out = await mkdtemp(join(dir, 'foreign-'));
    await writeFile(join(out, 'raport.md'), 'notatki prowadzącego\n');
    await assert.rejects(runQuiet([PASS, '--format', 'md', '--out', out]), (e: unknown) => e instanceof InputError && /--force/.test(e.message));
    assert.equal(await readFile(join(out, 'raport.md'), 'utf8'), 'notatki prowadzącego\n');
    assert.equal((await runQuiet([PASS, '--format', 'md', '--out', out, '--force'])).code, 0);
    assert.match(await readFile(join(out, 'raport.md'), 'utf8'), /^# Raport oceny/);
  });

  it('refuses a foreign raport.pdf before writing anything', async () => {
    const out = await mkdtemp(join(dir, 'foreign-pdf-'));
    await writeFile(join(out, 'raport.pdf'), '%PDF-1.4 someone else\n');
    const result = JSON.parse(await readFile(PASS, 'utf8')) as GradeResult;
    await assert.rejects(writeReports(result, out, { formats: ['md', 'pdf'] }), InputError);
    await assert.rejects(readFile(join(out, 'raport.md')), { code: 'ENOENT' });
  });

  it('validates arguments', async () => {
    await assert.rejects(runQuiet([]), InputError);
    await assert.rejects(runQuiet([PASS, '--format', 'docx']), /nieznany format/);
    await assert.rejects(runQuiet([PASS, '--bogus']), InputError);
    await assert.rejects(runQuiet([PASS, PASS]), InputError);
    await assert.rejects(runQuiet([join(dir, 'missing.json')]), InputError);
  });

  it('prints Polish help with examples', async () => {
    const { code, out } = await runQuiet(['--help']);
    assert.equal(code, 0);
    assert.match(out, /Użycie: grader report <results\.json>/);
    assert.match(out, /Przykłady:\n  grader report reports\/example\/results\.json/);
  });
});
