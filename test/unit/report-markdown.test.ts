import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { markdownToHtml } from '../../grader/report/html.ts';
import { renderMarkdown } from '../../grader/report/markdown.ts';
import type { CheckResult, GradeResult } from '../../grader/results/types.ts';

const fixture = (name: string): GradeResult =>
  JSON.parse(readFileSync(new URL(`../fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GradeResult;

const STAGE_HEADINGS = [
  '## Etap 1 – obraz wieloplatformowy',
  '## Etap 2 – cache budowania z rejestru',
  '## Zadanie dodatkowe – usuwanie obrazów z registry7',
];

/** The Markdown between a check's heading and the next heading of level 2 or 3. */
function sectionOf(md: string, checkId: string): string {
  const start = md.indexOf(`(\`${checkId}\`)`);
  assert.ok(start >= 0, `section for ${checkId}`);
  const rest = md.slice(start);
  const end = rest.slice(1).search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** Rows of the first table after a heading, as trimmed cell arrays (GFM split on unescaped '|'). */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.slice(md.indexOf(heading)).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows.slice(2); // header and delimiter row
}

describe('renderMarkdown: passing result', () => {
  const result = fixture('pass');
  const md = renderMarkdown(result);

  it('has the title, summary, builds and the three lab stages in order', () => {
    const order = ['# Raport oceny', '## Podsumowanie', '## Przebieg budowania', ...STAGE_HEADINGS].map((h) => md.indexOf(h));
    assert.ok(order.every((i) => i >= 0), `all headings present: ${order}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });

  it('header names the student, refs, date, tool, isolation and versions', () => {
    assert.match(md, /\*\*Student:\*\* Józef Żółkiewski, nr indeksu: `s99656`/);
    assert.match(md, /`127\.0\.0\.1:5055\/s99656\/pogoda:multiarch`/);
    assert.match(md, /`127\.0\.0\.1:5055\/s99656\/pogoda:buildcache`/);
    assert.match(md, /\*\*Data oceny:\*\* 2026-11-23 10:15 UTC/);
    assert.match(md, /buildx-grader 0\\?\.1\.0/);
    assert.match(md, /\*\*Izolacja budowań:\*\* osobny silnik Docker .*docker:dind/);
    assert.match(md, /docker `28\.5\.2`, buildx `0\.29\.1`, buildkit `v0\.25\.2`, registry `2\.8\.3`/);
  });

  it('score table has a row per check with the Polish status and points', () => {
    const rows = tableAfter(md, '## Podsumowanie');
    assert.equal(rows.length, result.checks.length + 2); // + Razem + Zadanie dodatkowe
    for (const row of rows.slice(0, result.checks.length)) {
      assert.equal(row.length, 4);
      assert.equal(row[1], 'zaliczone');
    }
    assert.deepEqual(rows[0], ['Obraz wieloplatformowy w rejestrze', 'zaliczone', '2', '2']);
    assert.deepEqual(rows.at(-2), ['**Razem**', '', '**10**', '**10**']);
    assert.match(md, /\*\*Ocena końcowa:\*\* Zaliczone z dodatkiem: 150% \\\(15 \/ 10 pkt\\\)/);
  });

  it('build table shows durations, exit codes, cached/total per platform and log links', () => {
    const rows = tableAfter(md, '## Przebieg budowania');
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1]!.slice(1, 7), ['4,2\u00a0s', '0', 'zaimportowano', 'tak', '6 / 6', '6 / 6']);
    assert.equal(rows[0]![7], '[logs/build-1.log](<logs/build-1.log>)');
  });

  it('shows CACHED evidence for both platforms with line numbers and the marker', () => {
    const hit = sectionOf(md, 'cache.hit');
    assert.match(hit, /^ 36   #9 \[linux\/arm64 build1 2\/5\] RUN mkdir -p \/var\/node$/m);
    assert.match(hit, /^ 37 » #9 CACHED$/m);
    assert.match(hit, /^ 63   #18 \[linux\/amd64 build1 2\/5\] RUN mkdir -p \/var\/node$/m);
    assert.match(hit, /^ 64 » #18 CACHED$/m);
    assert.match(sectionOf(md, 'cache.imported'), /^ 28 » #8 importing cache manifest from 127\.0\.0\.1:5000\/s99656\/apkapogodowaplus:buildcache$/m);
  });

  it('shows manifest tables with platform, digest, media type and size', () => {
    const rows = tableAfter(sectionOf(md, 'image.multiplatform'), '**Manifesty w indeksie');
    assert.deepEqual(rows[1], [
      '`linux/arm64`',
      '`sha256:596ef6de4e4f77622be0add753a2206ffae43a2ce864c9d52ab4140259eb6250`',
      '`application/vnd.oci.image.manifest.v1+json`',
      '856',
    ]);
  });

  it('shows the commands the grader ran as shell code blocks', () => {
    assert.match(md, /```sh\ndocker buildx build \\\n  --builder grader-s99656-1 \\\n  --platform linux\/amd64,linux\/arm64 \\/);
  });

  it('has no hints or failure notes for a passing result', () => {
    assert.doesNotMatch(md, /Prawdopodobna przyczyna|niezaliczone|wymaga ponownej oceny/);
  });
});

describe('renderMarkdown: failing result', () => {
  const result = fixture('fail');
  const md = renderMarkdown(result);

  it('marks failed checks and gives a hint with documentation for each', () => {
    const failed = result.checks.filter((c) => c.status === 'fail');
    assert.ok(failed.length >= 4);
    for (const c of failed) {
      const s = sectionOf(md, c.id);
      assert.match(s, /\*\*Wynik:\*\* niezaliczone – 0 \/ \d pkt/, c.id);
      assert.match(s, /\*\*Prawdopodobna przyczyna i jak to naprawić:\*\* \S/, c.id);
      assert.match(s, /\*\*Dokumentacja:\*\*\n\n- \[[^\]]+\]\(<https:\/\/docs\.docker\.com\//, c.id);
    }
  });

  it('cites default Docker docs when a failed check named none', () => {
    assert.match(sectionOf(md, 'cache.imported'), /https:\/\/docs\.docker\.com\/build\/cache\/backends\/registry\//);
  });

  it('lists the required checks that failed and the skipped bonus', () => {
    assert.match(md, /Niezaliczone sprawdzenia obowiązkowe: Obraz wieloplatformowy w rejestrze;/);
    const rows = tableAfter(md, '## Podsumowanie');
    assert.deepEqual(rows.find((r) => r[0]!.startsWith('Usunięcie obrazu cache')), [
      'Usunięcie obrazu cache z registry7 (dodatkowe)',
      'pominięte',
      '0',
      '5',
    ]);
  });
});

describe('renderMarkdown: partial cache', () => {
  const md = renderMarkdown(fixture('partial-cache'));

  it('shows which steps came from the cache on both platforms and which were rebuilt', () => {
    const hit = sectionOf(md, 'cache.hit');
    assert.match(hit, /niezaliczone – 1 \/ 2 pkt/);
    assert.match(hit, /^ 60   #17 \[linux\/amd64 prod 2\/3\] COPY --from=build1 \/var\/node \/var\/node\n 61 » #17 CACHED$/m);
    assert.match(hit, /^ 63   #18 \[linux\/arm64 prod 2\/3\] COPY --from=build1 \/var\/node \/var\/node\n 64 » #18 CACHED$/m);
    assert.match(hit, /^ 54   #15 \[linux\/arm64 build1 5\/5\] RUN .*\n 55   #15 DONE 1\.3s$/m);
    assert.match(hit, /mode=max/);
  });

  it('reports cached/total per platform and the prune isolation reason', () => {
    const rows = tableAfter(md, '## Przebieg budowania');
    assert.deepEqual(rows[1]!.slice(5, 7), ['2 / 6', '2 / 6']);
    assert.match(md, /wspólny silnik Docker, buildery i ich cache usuwane między budowaniami – brak uprawnień/);
  });
});

describe('renderMarkdown: infrastructure error', () => {
  const result = fixture('error-infra');
  const md = renderMarkdown(result);

  it('shows error checks as not gradable, never as the student failing', () => {
    const rows = tableAfter(md, '## Podsumowanie');
    const errorRows = rows.filter((r) => r[1] === 'nie do oceny (awaria infrastruktury)');
    assert.equal(errorRows.length, result.checks.filter((c) => c.status === 'error').length);
    for (const r of errorRows) assert.equal(r[2], '—');
    assert.ok(!rows.some((r) => r[1] === 'niezaliczone'));
    assert.doesNotMatch(md, /\*\*Wynik:\*\* niezaliczone/);
    assert.doesNotMatch(md, /Prawdopodobna przyczyna/);
  });

  it('says the result needs regrading, in the summary and under each error check', () => {
    assert.match(md, /\*\*Uwaga: wynik wymaga ponownej oceny\.\*\*/);
    const s = sectionOf(md, 'build.first');
    assert.match(s, /To nie jest błąd w pracy studenta/);
    assert.match(s, /\*\*Co zrobić:\*\* Awaria po stronie programu/);
    assert.match(s, /punkty po ponownej ocenie \(maks\. 1 pkt\)/);
    assert.match(s, /^ 98 » #21 ERROR: failed to push/m);
  });
});

// --- hostile input --------------------------------------------------------------------------

const EVIL = 'http://127.0.0.1:9/x';

function hostileResult(): GradeResult {
  const r = fixture('pass');
  r.student = { id: 's1`23|4', name: '<script>alert(1)</script> ![x](http://evil/x.png) [a](javascript:alert(1))' };
  r.submission.image = 'evil.io/a|b:c`d';
  r.submission.cache = `<img src=${EVIL}>`;
  r.environment.isolationReason = '# nagłówek\n\n* lista\n<iframe src="http://evil/">';
  r.environment.versions = { 'docker|x': '1`2', '<b>': '[v](http://evil/)' };
  r.score.grade = '**5** <a href="http://evil/">klik</a> www.evil.example http://evil.example/';
  const check = r.checks.find((c) => c.id === 'cache.hit') as CheckResult;
  check.status = 'fail';
  check.message = '![pixel](http://evil/p.png) <img src=x onerror=alert(1)> &lt;b&gt; &#60;script&#62;';
  check.hint = '[kliknij](javascript:alert(1)) <javascript:alert(1)> [ref]: http://evil/';
  check.docs = [
    { title: 'zła strona', url: 'javascript:alert(1)' },
    { title: 'obca](http://evil/)', url: 'http://evil.example/docs' },
  ];
  check.metrics = { 'a|b': '`x`' };
  check.evidence = [
    { kind: 'command', title: 'polecenie `x`', argv: ['docker', 'build', '--tag', "x'; rm -rf / #", '```', '.'] },
    {
      kind: 'log',
      title: 'log <b>',
      file: '../../etc/passwd',
      lines: [
        { n: 1, text: '```' },
        { n: 2, text: '````  ~~~  </code></pre><script>alert(1)</script>', highlight: true },
        { n: 3, text: `![img](${EVIL}.png) <img src="${EVIL}">` },
      ],
    },
    { kind: 'table', title: 'tabela', columns: ['a|b', 'c'], rows: [['x|y', '`z|`'], ['<img src=x>', '[l](http://evil/)']] },
    { kind: 'http', title: 'http', method: 'GET', url: '```\n# nie nagłówek', status: null, detail: '<script>x</script>' },
    { kind: 'text', title: 'tekst', text: '# H1\n---\n> cytat\n1. lista\n<div>html</div>' },
  ];
  return r;
}

describe('renderMarkdown: hostile strings stay inert', () => {
  const md = renderMarkdown(hostileResult());
  // A permissive viewer (raw HTML and bare-URL links on) must not get active content either.
  const permissive = new MarkdownIt({ html: true, linkify: true }).render(md);
  const ours = markdownToHtml(md);

  for (const [name, html] of [
    ['our renderer', ours],
    ['a permissive renderer (html: true, linkify: true)', permissive],
  ] as const) {
    it(`creates no script, image, iframe or foreign link with ${name}`, () => {
      assert.doesNotMatch(html, /<script|<img|<iframe|<b>|<div>|<a href="(?:javascript|http:\/\/evil|http:\/\/127)/i);
      assert.doesNotMatch(html, /href="javascript:/i);
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
      for (const h of hrefs) assert.match(h, /^(https:\/\/docs\.docker\.com\/|logs\/build-[12]\.log$)/, h);
      assert.doesNotMatch(html, /<h1>.*nagłówek|<h1>H1/);
    });
  }

  it('keeps every table row at its column count', () => {
    const summary = tableAfter(md, '## Podsumowanie');
    for (const r of summary) assert.equal(r.length, 4);
    for (const table of ours.split('<table>').slice(1)) {
      const body = table.split('</table>')[0]!;
      const counts = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]!.match(/<t[hd][ >]/g) ?? []).length);
      assert.ok(counts.every((c) => c === counts[0]), `rows ${counts}`);
    }
  });

  it('shows the hostile text literally', () => {
    assert.ok(ours.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(ours.includes('evil.io/a|b:c`d'));
    assert.ok(ours.includes('````  ~~~  &lt;/code&gt;&lt;/pre&gt;&lt;script&gt;'));
    assert.ok(ours.includes('x|y'));
  });

  it('keeps log fences closed around backtick runs', () => {
    const log = md.slice(md.indexOf('**log'));
    assert.match(log, /^`{5}buildx-log\n  1   ```\n  2 » ````  ~~~/m);
    assert.match(ours, /<pre class="log"><code>  1   ```\n<span class="hl">  2 » ````/);
  });

  it('does not link a log path outside the report folder, nor a non-https doc', () => {
    assert.doesNotMatch(md, /\]\(<\.\.\//);
    assert.match(md, /pełny log: `\.\.\/\.\.\/etc\/passwd`/);
    assert.match(md, /zła strona \(`javascript:alert\(1\)`\)/);
  });

  it('bounds a 10 MB log to a short excerpt', () => {
    const r = fixture('pass');
    const line = 'x'.repeat(99);
    const lines = Array.from({ length: 100_000 }, (_, i) => ({ n: i + 1, text: i === 50_000 ? '#9 CACHED' : line, highlight: i === 50_000 }));
    lines.push({ n: 100_001, text: 'y'.repeat(1_000_000), highlight: true });
    r.checks[0]!.evidence = [{ kind: 'log', title: 'ogromny log', file: 'logs/build-2.log', lines }];
    const started = performance.now();
    const big = renderMarkdown(r);
    assert.ok(performance.now() - started < 2_000);
    assert.ok(big.length < 60_000, `report is ${big.length} chars`);
    assert.match(big, /pokazano 4 z 100001 linii/);
    assert.match(big, /^ 50001 » #9 CACHED$/m);
  });
});
