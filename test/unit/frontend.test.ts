// Only Docker's own Dockerfile frontend may run a student's build.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frontendProblem, frontendRequests } from '../../grader/submission/frontend.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('frontend policy', () => {
  test('no directive, or docker/dockerfile by tag or digest: allowed', () => {
    for (const text of [
      'FROM busybox\n',
      '# syntax=docker/dockerfile:1\nFROM busybox\n',
      '#syntax=docker/dockerfile:1.7-labs\nFROM busybox\n',
      `# Syntax = docker.io/docker/dockerfile:1@${DIGEST}\n# escape=\\\nFROM busybox\n`,
      `\uFEFF# syntax=docker/dockerfile@${DIGEST}\nFROM busybox\n`,
      // After the first instruction it is an ordinary comment, which BuildKit ignores.
      'FROM busybox\n# syntax=evil/frontend\n',
    ]) assert.equal(frontendProblem(text), undefined, text);
    assert.equal(frontendProblem('FROM busybox\n', { BUILDKIT_SYNTAX: 'docker/dockerfile:1' }), undefined);
  });

  test('anything else is refused, naming what and where', () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['# syntax=evil/frontend\nFROM busybox\n', {}, /„evil\/frontend” \(Dockerfile, wiersz 1/],
      ['# a comment first\n#SYNTAX=127.0.0.1:5055/x:1\nFROM busybox\n', {}, /„127\.0\.0\.1:5055\/x:1” \(Dockerfile, wiersz 2/],
      ['// syntax=docker/dockerfile-upstream:master\nFROM busybox\n', {}, /dockerfile-upstream/],
      ['# syntax=docker/dockerfile:1 --extra\nFROM busybox\n', {}, /--extra/],
      ['FROM busybox\n', { BUILDKIT_SYNTAX: 'ghcr.io/evil/frontend' }, /argument budowania BUILDKIT_SYNTAX/],
    ];
    for (const [text, args, why] of cases) {
      const problem = frontendProblem(text, args);
      assert.match(problem ?? '', why, text);
      assert.match(problem ?? '', /dozwolony jest tylko frontend docker\/dockerfile/);
    }
  });

  test('every request is found, the Dockerfile\'s and the build argument\'s', () => {
    assert.deepEqual(frontendRequests('# syntax=docker/dockerfile:1\nFROM x\n', { BUILDKIT_SYNTAX: 'y' }).map((r) => r.value), ['docker/dockerfile:1', 'y']);
  });
});
