// --isolation / --yes: prune only with consent, asked once on a terminal.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { isolationFromFlags, PRUNE_WARNING } from '../../grader/cli/isolation-flag.ts';
import { InputError, InterruptedError } from '../../grader/errors.ts';

/** A terminal pair: what the user types goes to stdin, what we print is collected. */
function terminal(tty: boolean, typed?: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let printed = '';
  stderr.setEncoding('utf8').on('data', (s: string) => {
    printed += s;
    if (typed !== undefined && s.includes('[t/N]')) stdin.write(typed);
  });
  return { io: { stdin, stderr }, printed: () => printed };
}

const signal = new AbortController().signal;

describe('isolationFromFlags', () => {
  test('auto and container pass without a word; an unknown mode names the flag', async () => {
    const t = terminal(true);
    assert.equal(await isolationFromFlags({}, signal, t.io), 'auto');
    assert.equal(await isolationFromFlags({ isolation: 'container' }, signal, t.io), 'container');
    assert.equal(t.printed(), '');
    await assert.rejects(isolationFromFlags({ isolation: 'vm' }, signal, t.io), (e: unknown) => e instanceof InputError && /--isolation/.test(e.message));
  });

  test('prune on a terminal asks once: "t" goes on, anything else stops with nothing built', async () => {
    const yes = terminal(true, 't\n');
    assert.equal(await isolationFromFlags({ isolation: 'prune' }, signal, yes.io), 'prune');
    assert.ok(yes.printed().startsWith(PRUNE_WARNING));
    assert.equal(yes.printed().split('[t/N]').length, 2, 'asked exactly once');

    const no = terminal(true, '\n');
    await assert.rejects(isolationFromFlags({ isolation: 'prune' }, signal, no.io), (e: unknown) => e instanceof InterruptedError && /nic nie zbudowano/.test(e.message));
  });

  test('prune with --yes, or without a terminal, warns and does not ask', async () => {
    for (const [values, tty] of [[{ isolation: 'prune', yes: true }, true], [{ isolation: 'prune' }, false]] as const) {
      const t = terminal(tty);
      assert.equal(await isolationFromFlags(values, signal, t.io), 'prune');
      assert.equal(t.printed(), `${PRUNE_WARNING}\n`);
    }
  });
});
