/** Property tests of the rawjson progress parser: garbage never throws, RUN output (`logs`) never changes a verdict. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

import { parseRawJson, type RawJsonResult } from '../../grader/build-log/rawjson.ts';
import { holds, label, type Budget } from './fuzz-support.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'buildx-rawjson');
const load = (f: string) => readFileSync(path.join(fixtures, f), 'utf8');
const TIME = '2026-12-01T11:21:29.908581669Z';
const DIGEST = `sha256:${'c'.repeat(64)}`;

const TOKENS = ['\n', '\r', '\x1b[G', '#9 CACHED', 'CACHED', 'importing cache manifest from x', `writing cache manifest sha256:${'a'.repeat(64)}`, 'exporting cache to registry',
  `{"vertexes":[{"digest":"${DIGEST}","name":"[linux/amd64 build1 2/5] RUN x","cached":true,"completed":"${TIME}"}]}`, 'ERROR: failed to build: x', 'Dockerfile:6', '-'.repeat(20), '\0', '\u009b'];
const output = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 10 }).map((p) => p.join(''));
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const field = fc.oneof(fc.constant(DIGEST), fc.constant(TIME), fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.anything());
const vertex = fc.record({ digest: field, name: fc.oneof(fc.constantFrom('[linux/amd64 build1 2/5] RUN x', 'importing cache manifest from r/x:c', 'exporting cache to registry', 'exporting to image'), field),
  started: field, completed: field, cached: field, error: field }, { requiredKeys: [] });
const status = fc.record({ id: fc.oneof(fc.constantFrom(`writing cache manifest sha256:${'a'.repeat(64)}`, 'extracting sha256:1'), field), vertex: field, current: field, total: field, started: field, completed: field }, { requiredKeys: [] });
// String data is base64 of output with or without a final line break (an unfinished last line), or any text
// (it decodes to some bytes). Data of other types is skipped by the parser.
const log = fc.record({ vertex: field, data: fc.oneof(output.map((o) => b64(`${o}\n`)), output.map(b64), fc.string(), fc.integer(), fc.constant(null), fc.object()), timestamp: field, stream: field }, { requiredKeys: [] });
const solveStatus = fc.record({ vertexes: fc.oneof(fc.array(vertex, { maxLength: 3 }), field), statuses: fc.oneof(fc.array(status, { maxLength: 3 }), field), logs: fc.oneof(fc.array(log, { maxLength: 3 }), field) }, { requiredKeys: [] });
const line = fc.oneof(solveStatus.map((s) => JSON.stringify(s)), output.map((s) => s.replace(/\n/g, ' ')), fc.constantFrom('{', '{"vertexes":', '[]', 'null'));

describe('parseRawJson on garbage', () => {
  const b: Budget = { seed: 3301, runs: 1500, ms: 3000 };
  it(`never throws; rendered lines hold no control characters; quoted lines are the rendered lines they name (${label(b)})`, (t) => {
    holds(t, fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const { rendered, result } = parseRawJson(lines.join('\n'));
      const a = result.analysis;
      assert.equal(a.lineCount, rendered.length);
      for (const r of rendered) assert.doesNotMatch(r, /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
      for (const l of [...a.evidence, ...a.cacheImport.lines, ...a.cacheExport.lines, ...(a.error?.lines ?? []), ...(a.error?.excerpt ?? [])]) {
        assert.ok(l.n >= 1 && l.n <= rendered.length, `line ${l.n} of ${rendered.length}`);
        assert.equal(l.text, rendered[l.n - 1]);
      }
    }), b);
  });

  // Found by the property above: one byte of output without a line break was counted but not rendered.
  it('an unfinished last output line is rendered, or not counted', () => {
    const { rendered, result } = parseRawJson(`{"vertexes":[{"digest":"${DIGEST}"}],"logs":[{"vertex":"${DIGEST}","data":"AA=="}]}`);
    assert.equal(result.analysis.lineCount, rendered.length);
    assert.equal(rendered.at(-1), '#1 0.000 \\x00');
  });
});

describe('logs cannot forge vertex state', () => {
  const verdicts = (r: RawJsonResult) => ({
    vertices: r.vertices.map((v) => [v.digest, v.cached, v.started, v.completed, v.error]),
    platforms: r.analysis.platforms,
    cacheImport: r.analysis.cacheImport.attempts.map((x) => [x.status, x.ref, x.message]),
    cacheExport: { exported: r.analysis.cacheExport.exported, attempted: r.analysis.cacheExport.attempted, digest: r.analysis.cacheExport.manifestDigest, error: r.analysis.cacheExport.error },
    push: r.analysis.push,
  });
  for (const [i, file] of ['cold-cache-export.jsonl', 'warm-all-cached.jsonl', 'failed-run-exit3.jsonl'].entries()) {
    const lines = load(file).split('\n').filter((l) => l !== '');
    const digests = [...new Set(lines.flatMap((l) => [...l.matchAll(/"digest":"(sha256:[0-9a-f]{64})"/g)].map((m) => m[1]!)))];
    const expected = verdicts(parseRawJson(lines.join('\n')).result);
    const b: Budget = { seed: 3302 + i, runs: 500, ms: 1500 };
    it(`${file}: \`logs\` lines with any data for any vertex, anywhere, change no verdict (${label(b)})`, (t) => {
      assert.ok(digests.length > 5 && expected.platforms.length > 0);
      const insert = fc.record({ at: fc.nat(lines.length), vertex: fc.constantFrom(...digests), data: output, stream: fc.constantFrom(1, 2) });
      holds(t, fc.property(fc.array(insert, { minLength: 1, maxLength: 15 }), (inserts) => {
        const out = [...lines];
        for (const x of [...inserts].sort((p, q) => q.at - p.at)) {
          out.splice(x.at, 0, JSON.stringify({ logs: [{ vertex: x.vertex, stream: x.stream, data: b64(x.data), timestamp: TIME }] }));
        }
        assert.deepEqual(verdicts(parseRawJson(out.join('\n')).result), expected);
      }), b);
    });
  }
});
