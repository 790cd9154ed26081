/** Property tests of the text build-log parser on garbage and on forged RUN output (fast-check, fixed seeds). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

import { parseBuildLog, type BuildLogAnalysis } from '../../grader/build-log/parse.ts';
import { normalizeLine, stripCiPrefix } from '../../grader/build-log/lines.ts';
import type { LogLine } from '../../grader/results/types.ts';
import { holds, label, type Budget } from './fuzz-support.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'buildx-logs');
const cold = readFileSync(path.join(fixtures, 'plain-cold-cache-miss.log'), 'utf8');
const pool = ['plain-cold-cache-miss.log', 'plain-warm-all-cached.log', 'tty-warm-all-cached.log', 'plain-failed-run-exit127.log', 'tty-missing-cache-ref.log']
  .flatMap((f) => readFileSync(path.join(fixtures, f), 'utf8').split('\n'));

const TOKENS = ['\r', '\x1b[G', '\x1b[2K', '\x1b]0;t\x07', '#9 CACHED', 'CACHED', '#13 DONE 0.1s', 'importing cache manifest from x', 'writing cache manifest sha256:' + 'a'.repeat(64),
  'writing cache image manifest sha256:' + 'b'.repeat(64), 'exporting cache to registry', '=> CACHED [linux/amd64 build1 2/5] RUN x', '------', ' > importing cache manifest from x:',
  'ERROR: failed to solve: x', '#0 building with "default" instance using docker driver', '[+] Building 1.0s (2/2) FINISHED', '2024-01-02T03:04:05.1Z ', '\t', ' ', '\0', '\u2028'];
const piece = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 30 }));
/** A string without a line break, rich in what the parser looks for. */
const noBreak = fc.array(piece, { maxLength: 12 }).map((p) => p.join('').replace(/\n/g, ''));
const garbageLine = fc.oneof(fc.constantFrom(...pool), noBreak, fc.tuple(fc.nat(30), noBreak).map(([n, s]) => `#${n} ${s}`));
const garbageLog = fc.tuple(fc.array(garbageLine, { maxLength: 60 }), fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 3 }))
  .map(([lines, seps]) => lines.map((l, i) => l + seps[i % seps.length]).join(''));

/** The lines as the splitter cuts them: `\n` ends a line, one `\r` before it is dropped, an empty last line does not count. */
function rawLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function quoted(a: BuildLogAnalysis): LogLine[] {
  return [...a.evidence, ...a.cacheImport.lines, ...a.cacheExport.lines, ...(a.error?.lines ?? []), ...(a.error?.excerpt ?? [])];
}

describe('parseBuildLog on garbage', () => {
  const b1: Budget = { seed: 1301, runs: 2000, ms: 3000 };
  it(`never throws; every quoted line is the cleaned input line it names (${label(b1)})`, (t) => {
    holds(t, fc.property(garbageLog, (text) => {
      const a = parseBuildLog(text);
      const lines = rawLines(text);
      assert.equal(a.lineCount, lines.length);
      for (const l of quoted(a)) {
        assert.ok(l.n >= 1 && l.n <= lines.length, `line ${l.n} of ${lines.length}`);
        assert.equal(l.text, stripCiPrefix(normalizeLine(lines[l.n - 1]!)));
      }
      for (const s of a.steps) assert.ok(s.firstLine >= 1 && s.lastLine <= lines.length && s.firstLine <= s.lastLine);
      for (const at of a.cacheImport.attempts) assert.ok(at.firstLine >= 1 && at.firstLine <= lines.length);
    }), b1);
  });

  const b2: Budget = { seed: 1302, runs: 3, ms: 6000 };
  it(`a 1 MB line and 100k garbage lines parse in linear time (${label(b2)})`, (t) => {
    holds(t, fc.property(fc.array(garbageLine, { minLength: 50, maxLength: 200 }), noBreak, (sample, s) => {
      // Numbered lines defeat the parser's memo of repeated lines.
      const log = (n: number) => Array.from({ length: n }, (_, i) => `${i % 3 ? `#${i % 97} ` : ''}${sample[i % sample.length]}`).join('\n');
      const time = (text: string) => {
        const start = performance.now();
        const a = parseBuildLog(text);
        return { ms: performance.now() - start, a };
      };
      const small = time(log(25_000));
      const big = time(log(100_000));
      assert.equal(big.a.lineCount, 100_000);
      // Linear is 4x; a quadratic step would be 16x. The floor absorbs timer noise on tiny runs.
      assert.ok(big.ms < Math.max(8 * small.ms, 400), `25k lines ${small.ms.toFixed(0)} ms, 100k lines ${big.ms.toFixed(0)} ms`);
      const line = time((s || 'x').repeat(Math.ceil(1_048_576 / Math.max(1, s.length))));
      assert.ok(line.ms < 500, `1 MB line: ${line.ms.toFixed(0)} ms`);
      assert.equal(line.a.lineCount, 1);
    }), b2);
  });
});

describe('RUN output cannot forge build facts (plain-cold-cache-miss.log)', () => {
  const lines = cold.split('\n');
  const summary = lines.indexOf('------');
  // RUN steps of the fixture and the line of each one's first header.
  const runs = [9, 10, 13, 16].map((v) => ({ v, header: lines.findIndex((l) => l.startsWith(`#${v} [`)) }));
  const facts = (a: BuildLogAnalysis) => ({
    platforms: a.platforms,
    totals: a.totals,
    cacheImport: { status: a.cacheImport.status, ref: a.cacheImport.ref, message: a.cacheImport.message, attempts: a.cacheImport.attempts.map((x) => [x.status, x.ref, x.message]) },
    cacheExport: { exported: a.cacheExport.exported, attempted: a.cacheExport.attempted, digest: a.cacheExport.manifestDigest, error: a.cacheExport.error },
    steps: a.steps.map((s) => [s.key, s.cached, s.extracted, s.error]),
    push: a.push,
    error: a.error?.message ?? null,
  });
  const expected = facts(parseBuildLog(cold));

  it('the fixture is the uncached build the property needs', () => {
    assert.deepEqual(expected.totals, { cached: 0, total: 12 });
    assert.equal(expected.cacheImport.status, 'not-found');
    assert.equal(expected.cacheExport.exported, true);
    assert.ok(summary > 0 && runs.every((r) => r.header > 0 && r.header < summary));
  });

  const b: Budget = { seed: 1303, runs: 1500, ms: 3000 };
  it(`\`#N <seconds> <S>\` lines anywhere after their step's header change nothing (${label(b)})`, (t) => {
    const insert = fc.record({
      run: fc.constantFrom(...runs),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      seconds: fc.tuple(fc.nat(999), fc.nat(999)).map(([s, ms]) => `${s}.${String(ms).padStart(3, '0')}`),
      s: noBreak,
    });
    holds(t, fc.property(fc.array(insert, { minLength: 1, maxLength: 20 }), (inserts) => {
      const out = [...lines];
      // Insert from the bottom so earlier positions stay valid.
      const placed = inserts
        .map((x) => ({ pos: x.run.header + 1 + Math.floor(x.at * (summary - x.run.header - 1)), text: `#${x.run.v} ${x.seconds} ${x.s}` }))
        .sort((p, q) => q.pos - p.pos);
      for (const p of placed) out.splice(p.pos, 0, p.text);
      assert.deepEqual(facts(parseBuildLog(out.join('\n'))), expected);
    }), b);
  });
});
