import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { codeSpan, escapeInline, fencedBlock, safeDocUrl, safeRelativePath, stripControl } from '../../grader/report/escape.ts';
import { formatCommand, shellQuote } from '../../grader/report/evidence.ts';
import { excerptLog, formatExcerpt } from '../../grader/report/excerpt.ts';

const md = new MarkdownIt({ html: true, linkify: true });
const inline = (s: string) => md.renderInline(s);

describe('escapeInline', () => {
  const cases: [string, string][] = [
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['![x](http://evil/x.png)', '![x](http://evil/x.png)'],
    ['[a](javascript:alert(1))', '[a](javascript:alert(1))'],
    ['**bold** _it_ ~~s~~ `c`', '**bold** _it_ ~~s~~ `c`'],
    ['&lt;b&gt; &#60;', '&amp;lt;b&amp;gt; &amp;#60;'],
    ['<http://evil/>', '&lt;http://evil/&gt;'],
    ['see http://evil.example/ and www.evil.example', 'see http://evil.example/ and www.evil.example'],
  ];
  for (const [input, expected] of cases) {
    it(`renders ${JSON.stringify(input)} literally, even where raw HTML and linkify are on`, () => {
      assert.equal(inline(escapeInline(input)), expected);
    });
  }

  it('cannot start a block: heading, list, quote, setext', () => {
    for (const s of ['# h', '- li', '+ li', '1. li', '2) li', '> q', '=== x', '    code']) {
      const html = md.render(escapeInline(s));
      assert.match(html, /^<p>/, s);
    }
  });

  it('folds newlines and strips control and bidi characters', () => {
    assert.equal(escapeInline('a\n# b\r\nc\u202e\u0007'), 'a # b c');
    assert.equal(stripControl('\u001b[31mred\u001b[0m'), 'red');
  });
});

describe('codeSpan', () => {
  it('uses a fence longer than any backtick run', () => {
    assert.equal(codeSpan('a``b'), '```a``b```');
    assert.equal(inline(codeSpan('`x`')), '<code>`x`</code>');
  });
  it('escapes | only in table cells', () => {
    assert.equal(codeSpan('a|b', { inTable: true }), '`a\\|b`');
    assert.equal(codeSpan('a|b'), '`a|b`');
    const table = md.render(`| h |\n| --- |\n| ${codeSpan('a|b`', { inTable: true })} |`);
    assert.match(table, /<td><code>a\|b`<\/code><\/td>/);
  });
});

describe('fencedBlock', () => {
  it('cannot be closed by the content', () => {
    const block = fencedBlock(['```', '````', 'after'], 'text');
    assert.match(block, /^`{5}text\n/);
    const html = md.render(block + '\n\n# outside');
    assert.match(html, /<pre><code class="language-text">```\n````\nafter\n<\/code><\/pre>/);
  });
});

describe('safe link targets', () => {
  it('accepts only relative paths inside the report folder', () => {
    assert.equal(safeRelativePath('logs/build-1.log'), 'logs/build-1.log');
    for (const bad of ['../x.log', '/etc/passwd', 'logs/../../x', 'a b.log', 'javascript:alert(1)', 'logs//x']) {
      assert.equal(safeRelativePath(bad), undefined, bad);
    }
  });
  it('accepts only https documentation hosts', () => {
    assert.ok(safeDocUrl('https://docs.docker.com/build/cache/backends/#cache-mode'));
    for (const bad of ['http://docs.docker.com/', 'javascript:alert(1)', 'https://evil.example/', 'https://docs.docker.com/a>b', 'https://docs.docker.com/(x)']) {
      assert.equal(safeDocUrl(bad), undefined, bad);
    }
  });
});

describe('commands', () => {
  it('quotes arguments for a POSIX shell', () => {
    assert.equal(shellQuote('type=registry,ref=127.0.0.1:5000/a/b:c,mode=max'), 'type=registry,ref=127.0.0.1:5000/a/b:c,mode=max');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('$(rm -rf /)'), "'$(rm -rf /)'");
  });
  it('puts each option on its own line', () => {
    assert.deepEqual(formatCommand(['docker', 'buildx', 'build', '--push', '--platform', 'linux/amd64,linux/arm64', '.']), [
      'docker buildx build \\',
      '  --push \\',
      '  --platform linux/amd64,linux/arm64 .',
    ]);
  });
});

describe('excerptLog', () => {
  it('keeps short logs whole, marking gaps in line numbers', () => {
    const ex = excerptLog([
      { n: 36, text: '#9 [linux/arm64 build1 2/5] RUN mkdir -p /var/node' },
      { n: 37, text: '#9 CACHED', highlight: true },
      { n: 40, text: '#10 CACHED', highlight: true },
    ]);
    assert.deepEqual(formatExcerpt(ex), [' 36   #9 [linux/arm64 build1 2/5] RUN mkdir -p /var/node', ' 37 » #9 CACHED', '  …', ' 40 » #10 CACHED']);
  });
  it('bounds long logs: highlighted lines with their step line first, else head and tail', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => ({ n: i + 1, text: `line ${i + 1}`, highlight: i === 5_000 }));
    const ex = excerptLog(lines, { maxLines: 10 });
    assert.equal(ex.shown, 2);
    assert.deepEqual(formatExcerpt(ex), ['5000   line 5000', '5001 » line 5001']);
    const plain = excerptLog(lines.map((l) => ({ ...l, highlight: false })), { maxLines: 4 });
    assert.deepEqual(formatExcerpt(plain), ['    1   line 1', '    2   line 2', '    …', ' 9999   line 9999', '10000   line 10000']);
  });
  it('cuts long lines', () => {
    const ex = excerptLog([{ n: 1, text: 'a'.repeat(500) }], { maxLineChars: 10 });
    assert.deepEqual(formatExcerpt(ex), ['  1   aaaaaaaaaa… [+490 zn.]']);
  });
});
