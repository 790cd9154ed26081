// Verdicts read from the student's own build command (issue 11 point 2): the mode is the student's word.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShellText } from '../../grader/commands/parse.ts';
import { cacheExportProblem, commandModeCheck } from '../../grader/checks/command-checks.ts';
import { planStudentBuild, type StudentBuildPlan } from '../../grader/grade/student-build.ts';
import type { CheckResult } from '../../grader/results/types.ts';

function plan(cacheTo: string): StudentBuildPlan {
  const text = `docker buildx build --platform linux/amd64,linux/arm64 -t registry7:5000/s1/lab7:multiarch --push ${cacheTo} .`;
  const r = planStudentBuild(parseShellText(text, { file: 'build.sh', style: 'script' }), 's1');
  assert.ok(r.ok, JSON.stringify(r));
  return r.plan;
}
// What cache-check.ts says of a one-stage cache: it cannot tell the mode, so it passes.
const registryPass: CheckResult = { id: 'cache.exported', status: 'pass', message: 'trybu eksportu nie da się ustalić', evidence: [{ kind: 'text', title: 'Obraz cache', text: 'x' }] };

describe('commandModeCheck', () => {
  test('mode=min written: fails, names mode=max, keeps the registry evidence', () => {
    const c = commandModeCheck(plan('--cache-to type=registry,ref=registry7:5000/s1/lab7:buildcache,mode=min'), registryPass);
    assert.equal(c.status, 'fail');
    assert.equal(c.message, 'Polecenie studenta eksportuje cache w trybie min (--cache-to …,mode=min), a laboratorium wymaga mode=max.');
    assert.match(c.hint ?? '', /mode=max/);
    assert.deepEqual(c.evidence, registryPass.evidence);
  });
  test('no mode written: fails, saying buildx defaults to min', () => {
    const c = commandModeCheck(plan('--cache-to type=registry,ref=registry7:5000/s1/lab7:buildcache'), registryPass);
    assert.equal(c.status, 'fail');
    assert.match(c.message, /domyślnym trybie min/);
  });
  test('mode=max: the registry verdict stands', () => {
    const p = plan('--cache-to type=registry,ref=registry7:5000/s1/lab7:buildcache,mode=max');
    assert.equal(commandModeCheck(p, registryPass), registryPass);
    assert.equal(cacheExportProblem(p), undefined);
  });
  test('a registry failure is not rewritten (its message already says why)', () => {
    const failed: CheckResult = { ...registryPass, status: 'fail', message: 'wyeksportowano w trybie min' };
    assert.equal(commandModeCheck(plan('--cache-to type=registry,ref=registry7:5000/s1/lab7:buildcache,mode=min'), failed), failed);
  });
});
