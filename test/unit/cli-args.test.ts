// Flag helpers of the CLI: durations (90s, 5m, 1h, bare minutes) with Polish errors naming the flag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFlag } from '../../grader/cli/args.ts';
import { InputError } from '../../grader/errors.ts';
import { formatDuration } from '../../grader/util/duration.ts';

describe('durationFlag', () => {
  it('reads seconds, minutes, hours and a bare number as minutes', () => {
    assert.equal(durationFlag('90s', '--timeout', 1), 90_000);
    assert.equal(durationFlag('5m', '--timeout', 1), 300_000);
    assert.equal(durationFlag('1h', '--timeout', 1), 3_600_000);
    assert.equal(durationFlag('20', '--timeout', 1), 1_200_000);
    assert.equal(durationFlag('20S', '--timeout', 1), 20_000);
  });
  it('falls back when the flag is absent', () => {
    assert.equal(durationFlag(undefined, '--timeout', 1234), 1234);
  });
  it('rejects anything else naming the flag', () => {
    for (const bad of ['', '0', '0s', '-5', '1.5m', '5 min', '5d', 'm', 'abc', '99999999']) {
      assert.throws(() => durationFlag(bad, '--build-timeout', 1), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /^Opcja --build-timeout wymaga czasu, np\. 90s, 5m, 1h/);
        assert.ok(e.message.includes(`„${bad}”`));
        return true;
      }, bad);
    }
  });
  it('formats durations for messages', () => {
    assert.equal(formatDuration(20_000), '20 s');
    assert.equal(formatDuration(90_000), '1 min 30 s');
    assert.equal(formatDuration(30 * 60_000), '30 min');
    assert.equal(formatDuration(90 * 60_000), '1 h 30 min');
    assert.equal(formatDuration(2 * 3_600_000), '2 h');
  });
});
