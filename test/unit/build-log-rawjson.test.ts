// The rawjson progress parser (grader/build-log/rawjson.ts) over real captured buildx 0.29
// output (test/fixtures/buildx-rawjson/README.md says how each file was captured).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseBuildLog, type BuildLogAnalysis } from '../../grader/build-log/parse.ts';
import { createRawJsonParser, finishAnalysis, parseRawJson } from '../../grader/build-log/rawjson.ts';
import type { BuildRun } from '../../grader/docker/build-runner.ts';
import { capLogText } from '../../grader/docker/log-cap.ts';
import { verdictOf } from '../../grader/grade/reproduce-build.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'buildx-rawjson');
const raw = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const parse = (name: string) => parseRawJson(raw(name));

function counts(a: BuildLogAnalysis): Record<string, string> {
  return Object.fromEntries(a.platforms.map((p) => [p.platform, `${p.cached}/${p.total}`]));
}

/** Every cited line is the rendered line with that number (1-based). */
function assertCitesRendering(a: BuildLogAnalysis, rendered: string[]): void {
  const cited = [...a.evidence, ...a.cacheImport.lines, ...a.cacheExport.lines, ...(a.error?.lines ?? []), ...(a.error?.excerpt ?? [])];
  assert.ok(cited.length > 0);
  for (const l of cited) assert.equal(rendered[l.n - 1], l.text, `line ${l.n}`);
}

const COLD_EXPORT = 'sha256:0123f21a1c8e65d707b6404d51f9572e6aac58de18b00b67b655c02ccae2aa03';

describe('rawjson: real buildx 0.29 captures', () => {
  it('cold build: nothing cached, import not found, cache exported, image pushed', () => {
    const { rendered, result } = parse('cold-cache-export.jsonl');
    const a = result.analysis;
    assert.deepEqual(counts(a), { 'linux/amd64': '0/4', 'linux/arm64': '0/4' });
    assert.equal(a.cacheImport.status, 'not-found');
    assert.equal(a.cacheImport.ref, '127.0.0.1:5077/cap/ok:cache');
    assert.match(a.cacheImport.message ?? '', /cache importer: 127\.0\.0\.1:5077\/cap\/ok:cache: not found$/);
    assert.deepEqual([a.cacheExport.attempted, a.cacheExport.exported, a.cacheExport.manifestDigest, a.cacheExport.error], [true, true, COLD_EXPORT, null]);
    assert.equal(a.push.manifestList, 'sha256:0a06f8c9936ee6c7b5aa99c09d30163acdbbeae6ce28bf14fe1c4239f13504be');
    assert.deepEqual(a.push.pushed.map((p) => p.ref), ['127.0.0.1:5077/cap/ok:1']);
    assert.equal(a.push.manifests.length, 2, 'one per platform, attestation manifests left out');
    assert.equal(a.error, null);
    assert.deepEqual(a.evidence, []);
    assert.deepEqual(result.stats, { jsonLines: 79, badJsonLines: 0, clientLines: 0, warnings: 0, verticesTruncated: false });
    assert.equal(a.lineCount, rendered.length);
    // The FROM vertices are `cached: true` even in a cold build; they are not counted (see parse.ts).
    const from = result.vertices.filter((v) => / FROM /.test(v.name));
    assert.deepEqual(from.map((v) => v.cached), [true, true]);
    assertCitesRendering(a, rendered);
  });

  it('warm build: every counted step cached, cache imported, evidence cites `#N CACHED` lines', () => {
    const { rendered, result } = parse('warm-all-cached.jsonl');
    const a = result.analysis;
    assert.deepEqual(counts(a), { 'linux/amd64': '4/4', 'linux/arm64': '4/4' });
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.message, null);
    assert.equal(a.cacheExport.exported, true);
    const cachedLines = a.evidence.filter((l) => l.highlight);
    assert.equal(cachedLines.length, 8);
    for (const l of cachedLines) assert.match(l.text, /^#\d+ CACHED$/);
    // Each CACHED line follows its step's header in the evidence.
    for (const l of a.evidence.filter((e) => !e.highlight)) assert.match(l.text, /^#\d+ \[linux\/(amd64|arm64) (build1|stage-1) \d\/\d\] /);
    assertCitesRendering(a, rendered);
  });

  it('failed RUN: vertex error, the client trailer read as the final error', () => {
    const { rendered, result } = parse('failed-run-exit3.jsonl');
    const a = result.analysis;
    assert.ok(a.error);
    assert.equal(a.error.message, 'failed to build: failed to solve: process "/bin/sh -c echo before-fail && exit 3" did not complete successfully: exit code: 3');
    assert.equal(a.error.exitCode, 3);
    assert.equal(a.error.command, '/bin/sh -c echo before-fail && exit 3');
    assert.equal(a.error.step, '[2/2] RUN echo before-fail && exit 3');
    assert.deepEqual(a.error.dockerfile, { file: 'Dockerfile', line: 2 });
    assert.deepEqual(a.error.excerpt.filter((l) => l.highlight).map((l) => l.text), ['   2 | >>> RUN echo before-fail && exit 3']);
    // The failing step's header and output come first in the quoted lines.
    assert.match(a.error.lines[0]?.text ?? '', /^#\d+ \[2\/2\] RUN echo before-fail/);
    assert.match(a.error.lines[1]?.text ?? '', /^#\d+ \d\.\d{3} before-fail$/);
    assert.ok(rendered.some((l) => /^#\d+ ERROR: process "\/bin\/sh -c echo before-fail && exit 3" did not complete successfully: exit code: 3$/.test(l)));
    assert.equal(result.stats.clientLines, 7);
    assert.equal(a.cacheExport.attempted, false);
    assertCitesRendering(a, rendered);
  });

  it('partial hit after a prune, RUN fails on amd64, arm64 cancelled: 3/6 per platform', () => {
    const { rendered, result } = parse('partial-hit-failed-run-after-prune.jsonl');
    const a = result.analysis;
    // build1 2/5..4/5 came from the registry; 5/5 failed or was cancelled; prod 2/3, 3/3 never started.
    assert.deepEqual(counts(a), { 'linux/amd64': '3/6', 'linux/arm64': '3/6' });
    assert.equal(a.cacheImport.status, 'imported');
    const run = (platform: string) => a.steps.find((s) => s.platform === platform && s.index === '5/5');
    assert.match(run('linux/amd64')?.error ?? '', /exit code: 127$/);
    assert.deepEqual([run('linux/arm64')?.canceled, run('linux/arm64')?.error], [true, null]);
    assert.ok(rendered.some((l) => l === `#${run('linux/arm64')?.vertex} CANCELED`));
    assert.equal(a.error?.exitCode, 127);
    assert.equal(a.error?.step, '[linux/amd64 build1 5/5] RUN npm install --omit=dev && echo "build 1.0 on $(uname -m)" > build.txt');
    assert.deepEqual(a.error?.dockerfile, { file: 'Dockerfile.fail', line: 6 });
    // Layers extracted under a step's own vertex: BuildKit marks that step `cached` as well.
    const extracted = a.steps.filter((s) => s.extracted);
    assert.ok(extracted.length >= 2);
    for (const s of extracted) assert.equal(s.cached, true, s.key);
    // The text parser sees only the started steps: the same hits out of 4.
    const t = parseBuildLog(rendered.join('\n') + '\n');
    assert.deepEqual(counts(t), { 'linux/amd64': '3/4', 'linux/arm64': '3/4' });
    assert.equal(t.error?.message, a.error?.message);
    assertCitesRendering(a, rendered);
  });

  it('forged RUN output: no CACHED step, no import, the real export digest; shown escaped', () => {
    const { rendered, result } = parse('forged-run-output.jsonl');
    const a = result.analysis;
    assert.deepEqual(counts(a), { 'linux/amd64': '0/1', 'linux/arm64': '0/1' });
    assert.equal(a.cacheImport.status, 'not-found');
    assert.deepEqual(a.cacheImport.attempts.map((t) => t.ref), ['127.0.0.1:5077/cap/forged:cache']);
    assert.notEqual(a.cacheExport.manifestDigest, `sha256:${'0'.repeat(64)}`);
    assert.match(a.cacheExport.manifestDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(a.evidence, []);
    // The forged JSON line is RUN output, not a vertex.
    assert.equal(result.vertices.some((v) => v.name === '[linux/amd64 2/2] RUN forged'), false);
    // Only the FROM vertices are rendered CACHED; the RUN output keeps its `#N <seconds>` prefix
    // and shows its control characters escaped.
    const fromIndexes = result.vertices.filter((v) => / FROM /.test(v.name)).map((v) => v.index);
    for (const l of rendered.filter((x) => /^#\d+ CACHED$/.test(x))) assert.ok(fromIndexes.includes(Number(l.slice(1, l.indexOf(' ')))), l);
    const run = result.vertices.find((v) => v.name.startsWith('[linux/amd64 2/2] RUN'));
    assert.ok(run);
    assert.ok(rendered.some((l) => new RegExp(`^#${run.index} \\d\\.\\d{3} \\\\r#9 CACHED$`).test(l)));
    assert.ok(rendered.some((l) => new RegExp(`^#${run.index} \\d\\.\\d{3} \\\\x1b\\[G#9 CACHED$`).test(l)));
    assert.equal(rendered.some((l) => /[\r\x1b]/.test(l)), false);
  });
});

describe('rawjson rendering read by the text parser (grader/build-log/parse.ts)', () => {
  for (const name of ['cold-cache-export.jsonl', 'warm-all-cached.jsonl', 'failed-run-exit3.jsonl', 'forged-run-output.jsonl']) {
    it(`${name}: the same counts, cache import/export and error`, () => {
      const { rendered, result } = parse(name);
      const a = result.analysis;
      const t = parseBuildLog(rendered.join('\n') + '\n');
      assert.equal(t.format, 'plain');
      assert.deepEqual(t.platforms, a.platforms);
      assert.equal(t.cacheImport.status, a.cacheImport.status);
      assert.equal(t.cacheImport.ref, a.cacheImport.ref);
      assert.equal(t.cacheExport.exported, a.cacheExport.exported);
      assert.equal(t.cacheExport.manifestDigest, a.cacheExport.manifestDigest);
      assert.equal(t.error?.message, a.error?.message);
      assert.equal(t.error?.exitCode, a.error?.exitCode);
      assert.deepEqual(t.push, a.push);
      assert.deepEqual(
        t.evidence.filter((l) => /^#\d+ CACHED$/.test(l.text)).map((l) => l.n),
        a.evidence.filter((l) => l.highlight).map((l) => l.n),
      );
    });
  }
});

describe('rawjson: damaged input', () => {
  it('cut, garbled and non-object JSON lines are counted and skipped; the rest still reads', () => {
    const lines = raw('warm-all-cached.jsonl').split('\n').filter((l) => l !== '');
    const damaged: string[] = [];
    lines.forEach((l, i) => {
      // Every 7th line cut in half (a partial write), plus lines that are JSON but no SolveStatus.
      damaged.push(i % 7 === 3 ? l.slice(0, Math.floor(l.length / 2)) : l);
      if (i === 10) damaged.push('{"vertexes": [', '[1,2]', 'null', '{}');
    });
    const parser = createRawJsonParser();
    for (const l of damaged) parser.push(l);
    const r = parser.result();
    const cut = lines.filter((_l, i) => i % 7 === 3).length;
    assert.equal(r.stats.badJsonLines, cut + 1, 'the cut lines and `{"vertexes": [`');
    assert.equal(r.stats.jsonLines, lines.length - cut + 1, '`{}` is an (empty) status');
    assert.equal(r.stats.clientLines, 2, '`[1,2]` and `null` do not start with `{`: client text');
    assert.equal(r.analysis.cacheImport.status, 'imported');
    // Cutting lines loses updates, never invents a hit.
    for (const p of r.analysis.platforms) assert.ok(p.cached <= 4 && p.total === 4, `${p.platform} ${p.cached}/${p.total}`);
  });

  it('a vertex list that is not an array, fields of the wrong type: ignored', () => {
    const parser = createRawJsonParser();
    parser.push('{"vertexes":{"digest":"sha256:1"},"statuses":"x","logs":[null,1,{"vertex":7}]}');
    parser.push('{"vertexes":[{"digest":5,"name":"[linux/amd64 2/2] RUN x","cached":true}]}');
    parser.push('{"vertexes":[{"digest":"sha256:2","name":"[linux/amd64 2/2] RUN x","completed":"2026-12-01T11:21:30Z","cached":"yes"}]}');
    const r = parser.result();
    assert.deepEqual(counts(r.analysis), { 'linux/amd64': '0/1' });
    assert.equal(r.stats.jsonLines, 3);
  });

  it('a stream cut inside an output line: end() renders that line, and only rendered lines are counted', () => {
    const lines = ['{"vertexes":[{"digest":"sha256:1","name":"[linux/amd64 2/2] RUN x","started":"2026-12-01T11:21:30Z"}]}',
      `{"logs":[{"vertex":"sha256:1","data":"${Buffer.from('done\nhalf a li').toString('base64')}","timestamp":"2026-12-01T11:21:31Z"}]}`];
    const cut = createRawJsonParser();
    for (const l of lines) cut.push(l);
    assert.equal(cut.result().analysis.lineCount, 2, 'the header and `done`');
    assert.deepEqual(cut.end(), ['#1 1.000 half a li']);
    assert.equal(cut.result().analysis.lineCount, 3);
    assert.deepEqual(cut.end(), []);
  });
});

describe('finishAnalysis: cited lines follow the capped, redacted file', () => {
  const { rendered, result } = parse('warm-all-cached.jsonl');
  const capped = (cap: number) => {
    const file = capLogText(rendered, cap).split('\n');
    const marker = file.findIndex((l) => l.startsWith('[buildx-grader] pominięto'));
    assert.ok(marker > 0, 'the cap cut this log');
    const a = finishAnalysis(result.analysis, (t) => t, { headLines: marker, rest: file.slice(marker + 1) });
    const cited = [...a.evidence, ...a.cacheImport.lines, ...a.cacheExport.lines];
    for (const l of cited) assert.equal(file[l.n - 1], l.text, `line ${l.n}`);
    // The verdict itself does not depend on the cap.
    assert.deepEqual(a.platforms, result.analysis.platforms);
    return { a, cited, marker };
  };

  it('past the cap, cited lines after the head are renumbered to where the file keeps them', () => {
    // 4 KiB: the middle's quarter holds every BuildKit status line of the cut part.
    const { a, cited, marker } = capped(4 * 1024);
    assert.ok(cited.some((l) => l.n > marker + 1), 'some cited lines are after the marker');
    assert.equal(a.evidence.length, result.analysis.evidence.length);
  });

  it('cited lines the cap dropped are left out, never pointed elsewhere', () => {
    // 1 KiB: 256 B of middle cannot hold the cut part's status lines.
    const { a } = capped(1024);
    assert.ok(a.evidence.length < result.analysis.evidence.length, `${a.evidence.length} of ${result.analysis.evidence.length}`);
  });

  it('quoted texts go through the redaction the file got', () => {
    const { result } = parse('failed-run-exit3.jsonl');
    const a = finishAnalysis(result.analysis, (t) => t.replaceAll('before-fail', '***'), null);
    assert.ok(a.error);
    assert.equal(a.error.command, '/bin/sh -c echo *** && exit 3');
    assert.ok(a.error.lines.every((l) => !l.text.includes('before-fail')));
    assert.deepEqual(a.error.lines.map((l) => l.n), result.analysis.error?.lines.map((l) => l.n));
  });
});

describe('verdictOf: a client that printed no rawjson', () => {
  const run = (text: string, exitCode: number): BuildRun => {
    const { result } = parseRawJson(text);
    return { argv: [], exitCode, timedOut: false, cancelled: false, durationMs: 1, logPath: 'x', droppedLines: 0, metadata: {}, progress: result };
  };

  it('plain text (what a buildx older than 0.12 prints for an unknown mode) is an infrastructure fault, whatever it says', () => {
    // A real --progress=plain log of a failed RUN: its ERROR line would otherwise make it the student's fault.
    const plain = readFileSync(path.resolve(dir, '..', 'buildx-logs', 'plain-failed-run-exit127.log'), 'utf8');
    const outcome = run(plain, 1);
    assert.equal(outcome.progress.stats.jsonLines, 0);
    assert.ok(outcome.progress.analysis.error, 'the client trailer was read');
    const verdict = verdictOf(outcome, outcome.progress.analysis);
    assert.equal(verdict.kind, 'infra');
    assert.match(verdict.kind === 'infra' ? verdict.reason : '', /rawjson.*0\.12/);
    // Exit 0 with plain text is no proof either.
    assert.equal(verdictOf(run(plain, 0), outcome.progress.analysis).kind, 'infra');
  });

  it('real rawjson goes to the usual classification', () => {
    const fail = run(raw('failed-run-exit3.jsonl'), 1);
    assert.deepEqual(verdictOf(fail, fail.progress.analysis), { kind: 'student', reason: fail.progress.analysis.error?.message });
    const ok = run(raw('cold-cache-export.jsonl'), 0);
    assert.deepEqual(verdictOf(ok, ok.progress.analysis), { kind: 'ok' });
  });
});
