// Who a failed reproduced build is charged to: the student, or the grading machine.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { classifyBuild, LOG_OVERFLOW_REASON } from '../../grader/checks/build-failure.ts';
import { parseBuildLog } from '../../grader/build-log/parse.ts';
import type { BuildOutcome } from '../../grader/docker/build-runner.ts';

const outcome = (o: Partial<BuildOutcome>): BuildOutcome => ({
  argv: [], exitCode: 1, timedOut: false, cancelled: false, durationMs: 1000, logPath: 'x', droppedLines: 0, metadata: {}, ...o,
});

// The end of a real flood build on buildx 0.29.1 (docker driver) when the client lagged behind:
// BuildKit's history recorded the build as Completed.
const STATUS_CANCELLED = [
  '#10 DONE 16.0s',
  'ERROR: failed to build: failed to receive status: rpc error: code = Canceled desc = context canceled',
].join('\n');

describe('classifyBuild', () => {
  test('a status stream the client cancelled is the machine\'s fault, never the student\'s', () => {
    const v = classifyBuild(outcome({ exitCode: 130 }), parseBuildLog(STATUS_CANCELLED));
    assert.equal(v.kind, 'infra');
    assert.match(v.kind === 'infra' ? v.reason : '', /failed to receive status/);
  });

  test('a build stopped for printing more than the raw log limit is the student\'s, with the reason', () => {
    const v = classifyBuild(outcome({ exitCode: null, logOverflow: true }), parseBuildLog(STATUS_CANCELLED));
    assert.deepEqual(v, { kind: 'student', reason: LOG_OVERFLOW_REASON });
  });

  test('a RUN step that exits 127 is the student\'s', async () => {
    const log = await readFile('test/fixtures/buildx-logs/plain-failed-run-exit127.log', 'utf8');
    const v = classifyBuild(outcome({ exitCode: 1 }), parseBuildLog(log));
    assert.equal(v.kind, 'student');
  });
});
