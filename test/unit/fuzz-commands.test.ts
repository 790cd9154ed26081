/** Property tests of the student shell command parsers (fast-check, fixed seeds). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { MAX_LINE, reportAnswer } from '../../grader/bonus/report-answer.ts';
import { registryRequestOf } from '../../grader/commands/http.ts';
import { extractMarkdownCommands, parseCommandList, parseShellText, type ParsedCommand } from '../../grader/commands/index.ts';
import { assertLinear, holds, label, type Budget } from './fuzz-support.ts';

const TOKENS = ["'", '"', '\\', '`', '^', '\0', '\r\n', '\n', '\r', '$(', ')', '${', '}', '$X', '#', ' ', '\t', ';', '&&', '|', '>', '2>&1', '–', '\uE000', '\uE002', '\uE004',
  'docker buildx build', ' --cache-to type=registry,ref=r/x:c,mode=max', ' -t a:b', ' --platform linux/amd64,linux/arm64', ' .', '```', '~~~sh', 'PS C:\\> ', '$ ', '> ', 'sudo ', 'A=1 '];
const text = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 40 }).map((p) => p.join(''));
const physicalLines = (s: string) => s.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n').length;

function linesWithin(commands: ParsedCommand[], max: number): void {
  for (const c of commands) assert.ok(Number.isInteger(c.source.line) && c.source.line >= 1 && c.source.line <= max, `line ${c.source.line} of ${max}`);
}

describe('command parsers on arbitrary text', () => {
  const b: Budget = { seed: 2301, runs: 1500, ms: 3000 };
  it(`never throw; source lines lie inside the input (${label(b)})`, (t) => {
    holds(t, fc.property(text, fc.array(text, { maxLength: 4 }), (s, items) => {
      for (const style of ['script', 'console'] as const) linesWithin(parseShellText(s, { file: 'build.sh', style }), physicalLines(s));
      linesWithin(extractMarkdownCommands(s, 'report.md'), physicalLines(s));
      for (const c of parseCommandList(items, 'submission.json')) {
        assert.ok(c.source.item !== undefined && c.source.item >= 0 && c.source.item < items.length);
        assert.ok(c.source.line >= 1 && c.source.line <= physicalLines(items[c.source.item]!));
      }
    }), b);
  });

  it('a line of quotes and substitutions parses in linear time', () => {
    assertLinear((n) => parseShellText(`docker buildx build ${'"a\'b`c$(d) '.repeat(n)}`, { file: 'build.sh', style: 'script' }), 5_000);
  });

  // shell-quote throws "Bad substitution" on these.
  it('an unclosed or empty ${ becomes a problem, not an exception', () => {
    for (const item of ['${', '${}']) {
      const [c] = parseCommandList([item], 'submission.json');
      assert.deepEqual(c!.argv, [item]);
      assert.deepEqual(c!.problems, [{ code: 'bad-variable', text: item }]);
    }
  });

  it('deeply nested $( is kept as one substitution instead of overflowing the stack', () => {
    const text = '$('.repeat(3000);
    const commands = parseShellText(text, { file: 'build.sh', style: 'script' });
    assert.deepEqual(commands[0]!.argv, [text]);
    assertLinear((n) => parseShellText('$('.repeat(n), { file: 'build.sh', style: 'script' }), 3_000);
  });
});

/** POSIX single quoting: everything literal, `'` written as `'\''`. */
const posixQuote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
// Any character except the parser's private markers, NUL (no argv holds it) and `\r` (a lone CR is read as a line end, even inside quotes).
const safeWord = fc.string({ unit: 'binary', maxLength: 16 }).map((w) => w.replace(/[\uE000-\uE004\0\r]/g, ''));

describe('round trips', () => {
  const b: Budget = { seed: 2302, runs: 1500, ms: 3000 };
  it(`quoted argv comes back as written (${label(b)})`, (t) => {
    // The first word is a command name: not an assignment and not sudo, which the parser takes off.
    const argv = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).filter((w) => w !== 'sudo'), fc.array(safeWord, { maxLength: 8 }))
      .map(([cmd, rest]) => [cmd, ...rest]);
    holds(t, fc.property(argv, (words) => {
      const commands = parseShellText(words.map(posixQuote).join(' '), { file: 'build.sh', style: 'script' });
      assert.equal(commands.length, 1);
      assert.deepEqual(commands[0]!.argv, words);
    }), b);
  });

  const valueWord = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,20}$/);
  const refWord = fc.stringMatching(/^[a-z0-9]{1,6}(\/[a-z0-9]{1,6}){0,2}(:[a-z0-9]{1,5})?$/);
  const platform = fc.constantFrom('linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'windows/amd64');
  // A value with commas or quotes must be a quoted CSV field ("" for a quote).
  const csvValue = fc.oneof(valueWord, fc.stringMatching(/^[a-z0-9,"= ]{1,12}$/));
  const csvField = (k: string, v: string) => (/[,"]/.test(v) ? `"${k}=${v.replace(/"/g, '""')}"` : `${k}=${v}`);
  const cacheEntry = fc.record({ ref: refWord, mode: fc.option(fc.constantFrom('min', 'max'), { nil: undefined }), extra: fc.option(csvValue, { nil: undefined }), shorthand: fc.boolean() })
    .map((e) => {
      const attrs: Record<string, string> = { ref: e.ref, ...(e.mode ? { mode: e.mode } : {}), ...(e.extra !== undefined ? { 'image-manifest': e.extra } : {}) };
      const shorthand = e.shorthand && Object.keys(attrs).length === 1;
      const text = shorthand ? e.ref : [csvField('type', 'registry'), ...Object.entries(attrs).map(([k, v]) => csvField(k, v))].join(',');
      return { text, type: 'registry', attrs, shorthand };
    });
  // Flags of `docker buildx build --help` the model drops; value-taking ones must never swallow the context.
  const dropped = fc.oneof(
    fc.constantFrom(['--no-cache'], ['--pull'], ['-q'], ['--provenance=false'], ['--sbom', 'true'], ['--progress', 'plain'], ['--network', 'host'], ['--secret', 'id=a,src=/etc/passwd'],
      ['--ssh', 'default'], ['--allow', 'network.host'], ['--label', 'a=b'], ['--iidfile', '-'], ['-m', '2g']),
  );
  const flag = fc.oneof(
    fc.tuple(fc.constant('tag'), refWord, fc.constantFrom('--tag=', '--tag ', '-t ', '-t', '-t=')),
    fc.tuple(fc.constant('platform'), fc.array(platform, { minLength: 1, maxLength: 3 }).map((p) => p.join(',')), fc.constantFrom('--platform=', '--platform ')),
    fc.tuple(fc.constant('cache-to'), cacheEntry, fc.constantFrom('--cache-to=', '--cache-to ')),
    fc.tuple(fc.constant('cache-from'), cacheEntry, fc.constantFrom('--cache-from=', '--cache-from ')),
    dropped.map((words) => ['dropped', words, ''] as const),
  );
  const b2: Budget = { seed: 2303, runs: 1000, ms: 3000 };
  it(`a generated docker buildx build gives back its tags, platforms and caches (${label(b2)})`, (t) => {
    holds(t, fc.property(fc.array(flag, { maxLength: 10 }), fc.nat(10), (flags, contextAt) => {
      const words: string[][] = flags.map(([kind, value, form]) => {
        if (kind === 'dropped') return [...(value as readonly string[])];
        const v = typeof value === 'string' ? value : value.text;
        return form.endsWith(' ') ? [form.trim(), v] : [form + v];
      });
      words.splice(Math.min(contextAt, words.length), 0, ['.']);
      const line = ['docker', 'buildx', 'build', ...words.flat()].map(posixQuote).join(' ');
      const [c] = parseShellText(line, { file: 'build.sh', style: 'script' });
      const b = c!.build!;
      assert.equal(c!.kind, 'buildx-build');
      assert.deepEqual(b.tags, flags.filter((f) => f[0] === 'tag').map((f) => f[1]));
      assert.deepEqual(b.platforms, flags.filter((f) => f[0] === 'platform').flatMap((f) => (f[1] as string).split(',')));
      const entries = (k: string) => flags.filter((f) => f[0] === k).map((f) => f[1]);
      assert.deepEqual(b.cacheTo, entries('cache-to'));
      assert.deepEqual(b.cacheFrom, entries('cache-from'));
      assert.deepEqual(b.context, { text: '.', kind: 'path' });
      assert.deepEqual(c!.problems.filter((p) => p.code !== 'bad-cache-mode'), []);
    }), b2);
  });
});

describe('the report\'s deletion answer on arbitrary text', () => {
  const b: Budget = { seed: 2304, runs: 1000, ms: 3000 };
  const URLISH = ['curl -X DELETE ', 'curl -sI -H "Accept: a" ', 'http://localhost:5000', '/v2/', 's1/app', '/manifests/', '$DIGEST', 'sha256:' + 'a'.repeat(64), 'DIGEST=$(', ')', ' | grep ', '\n', 'buildcache', '<digest>', 'Invoke-WebRequest -Method Delete -Uri '];
  const request = fc.array(fc.oneof(fc.constantFrom(...URLISH, ...TOKENS), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 40 }).map((p) => p.join(''));
  it(`never throws; a script names the report's lines it runs (${label(b)})`, (t) => {
    holds(t, fc.property(request, (s) => {
      const answer = reportAnswer({
        commands: parseShellText(s, { file: 'sprawozdanie.md', style: 'console' }),
        repositories: [{ student: 's1/app', copy: 's1/app' }], cache: { repository: 's1/app', tag: 'buildcache' }, exportedCacheDigests: [],
      });
      if (answer.kind === 'script') for (const l of answer.lines) assert.ok(answer.text.includes(`# sprawozdanie.md, wiersz ${l.source.line}`));
    }), b);
  });

  it('a registry request word of repeated /v2/ is read in linear time', () => {
    const [curl] = parseShellText('curl -X DELETE http://r/v2/a/manifests/x', { file: 'r.md', style: 'console' });
    assertLinear((n) => registryRequestOf({ ...curl!, argv: ['curl', `${'/v2/'.repeat(n)}a/manifests/x`] }), 50_000);
  });

  it('lines just under the length limit, full of host-like text and URL fragments, are rewritten in linear time', () => {
    // A scan for the host from every position is quadratic in a run of host characters.
    const lines = (n: number) => Array.from({ length: 40 }, (_, i) => (i % 2
      ? `curl -X DELETE http://x/v2/a/manifests/$D ${'a'.repeat(n)}`
      : `curl -X DELETE ${'http://a/v2/v2/'.repeat(n / 16)}x/manifests/$D`)).join('\n');
    assert.ok(lines(4 * 900).split('\n').every((l) => l.length < MAX_LINE));
    assertLinear((n) => reportAnswer({ commands: parseShellText(lines(n), { file: 'r.md', style: 'console' }), repositories: [], cache: { repository: 'a', tag: 'c' }, exportedCacheDigests: [] }), 900, 100);
  });
});
