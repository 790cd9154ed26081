/** Property tests of the report reader (fast-check, fixed seeds): it never throws, stays inside the file, and stays linear. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { readReport, type StudentReport } from '../../grader/student-report/index.ts';
import { holds, label, type Budget } from './fuzz-support.ts';

const DIGEST = 'sha256:' + 'ab'.repeat(32);
const TOKENS = [
  // Markdown structure.
  '\n', '\r\n', '\r', '\n\n', '```', '```bash', '~~~', '    ', '# ', '## ', '**', '> ', '- ', '1. ', '------', '| a | b |', '|---|---|', '`', '[', ']', '(', ')',
  '![zrzut](', 'https://github.com/user-attachments/assets/x', '<img src="', '">', '<details>', '\\', '\uFEFF', '\0', '\t',
  // Commands, prompts, continuations.
  '$ ', 'PS C:\\> ', 'C:\\lab> ', '> ', 'docker buildx build', ' --cache-to type=registry,ref=r/x:c,mode=max', ' -q', ' --push .', ' `', ' ^', ' \\',
  'curl -i -X DELETE http://r:5000/v2/a/manifests/' + DIGEST, '<registry>/<image>', '${', '$(', "'", '"',
  // Output lines.
  '#0 building with "b" instance using docker-container driver', '#5 importing cache manifest from r/x:c', '#9 CACHED', '#9 [linux/arm64 build1 2/5] RUN x',
  ' => CACHED [linux/amd64 build1 3/5] WORKDIR /x   0.0s', '[+] Building 1.2s (9/9) FINISHED   docker-container:b', 'ERROR: failed to solve: x', ' > [linux/amd64 x 1/2] RUN y:',
  '   6 | >>> RUN y', 'Platform:    linux/arm64', 'MediaType: application/vnd.oci.image.index.v1+json', 'Name: x', '"platform": {"architecture": "arm64", "os": "linux"}',
  '{"errors":[{"code":"UNSUPPORTED"}]}', '{"name":"a","tags":["c"', ']}', 'HTTP/1.1 202 Accepted', '> DELETE /v2/a HTTP/1.1', 'Docker-Content-Digest: ' + DIGEST,
  'a: marking manifest ' + DIGEST, 'blob eligible for deletion: ' + DIGEST, '3 blobs marked, 1 blobs and 0 manifests eligible for deletion', DIGEST,
  'NAME/NODE   DRIVER/ENDPOINT', 'b*   docker-container', 'CONTAINER ID   IMAGE   NAMES', '0123456789ab   registry:2   registry7', '...', ' <-- tu',
  // Prose.
  'Zadanie 1', 'Etap 2 - cache', 'Mam nadzieję, że to pomoże', 'Wynik:',
];
const text = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 10 })), { maxLength: 60 }).map((parts) => parts.join(''));
const physicalLines = (s: string) => s.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n').length;

function insideFile(r: StudentReport, lines: number): void {
  assert.equal(r.lineCount, lines);
  const within = (n: number, what: string) => assert.ok(Number.isInteger(n) && n >= 1 && n <= lines, `${what}: line ${n} of ${lines}`);
  for (const [what, items] of Object.entries({ sections: r.sections, paragraphs: r.paragraphs, codeBlocks: r.codeBlocks, inlineCode: r.inlineCode, images: r.images, commands: r.commands, notes: r.notes })) {
    for (const item of items) within(item.line, what);
  }
  for (const c of r.commands) assert.equal(c.parsed.source.line, c.line);
  for (const p of r.paragraphs) within(p.endLine, 'paragraph end');
  for (const b of r.codeBlocks) within(b.endLine, 'code block end');
  for (const o of r.outputs) {
    within(o.line, o.kind);
    assert.ok(o.endLine >= o.line && o.endLine <= lines, `${o.kind} ${o.line}-${o.endLine}`);
    for (const e of o.excerpt) assert.ok(e.line >= o.line && e.line <= o.endLine, `excerpt line ${e.line}`);
    if (o.kind === 'build-log') for (const e of o.log.evidence) assert.ok(e.line >= o.line && e.line <= o.endLine, `evidence line ${e.line}`);
    if (o.after !== null) assert.ok(r.commands[o.after] && r.commands[o.after]!.line <= o.line, `after ${o.after}`);
  }
  assert.ok(r.commands.every((c, i) => i === 0 || r.commands[i - 1]!.line <= c.line), 'commands in file order');
  assert.ok(r.outputs.every((o, i) => i === 0 || r.outputs[i - 1]!.line <= o.line), 'outputs in file order');
}

describe('report reader on arbitrary text', () => {
  const b: Budget = { seed: 7101, runs: 800, ms: 4000 };
  it(`never throws; every item lies inside the file (${label(b)})`, (t) => {
    holds(t, fc.property(text, (s) => {
      for (const format of ['markdown', 'plain'] as const) {
        const r = readReport({ file: 'r.md', text: s, format });
        assert.ok(r.ok);
        insideFile(r.report, physicalLines(s));
      }
    }), b);
  });
});

/** Time of one read, in ms. */
function timeRead(text: string): number {
  const start = performance.now();
  const r = readReport({ file: 'r.md', text, format: 'markdown' });
  assert.ok(r.ok);
  return performance.now() - start;
}

const MB = 1024 * 1024;
const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

// Shapes that make naive scanners quadratic: unclosed brackets, tags, lists and quotes; one huge line; many tiny blocks.
const SHAPES: Record<string, string> = {
  brackets: '[',
  'unclosed img tags': '<img ',
  'unclosed JSON lists': '"name":"a","tags":[',
  'platform objects': '"platform": {',
  fences: '```\n',
  'one long command line': 'docker buildx build "a\'b`c ',
  'log lines without breaks': '#9 CACHED => ',
  'quoted prompts': '> $ "',
  'backslash continuations': 'docker buildx build \\\n',
};

describe('report reader time', () => {
  for (const [name, unit] of Object.entries(SHAPES)) {
    // A ratio, so a busy machine (the Docker tests share it) does not fail it; the floor absorbs GC noise.
    it(`${name}: 4 times the text takes about 4 times as long, not 16`, (t) => {
      timeRead(fill(unit, 32 * 1024)); // warm-up: the first run pays for compiling the code
      const small = timeRead(fill(unit, 128 * 1024));
      const big = timeRead(fill(unit, 512 * 1024));
      t.diagnostic(`128 KB: ${small.toFixed(0)} ms, 512 KB: ${big.toFixed(0)} ms`);
      assert.ok(big < Math.max(8 * small, 1000), `128 KB: ${small.toFixed(0)} ms, 512 KB: ${big.toFixed(0)} ms`);
    });
  }

  it('1 MB reads in bounded time: a realistic report repeated, and the slowest shapes for markdown-it and the command parser', async (t) => {
    const report = await readFile(new URL('../fixtures/student-reports/complete.md', import.meta.url), 'utf8');
    for (const [name, text] of [['report', fill(report + '\n', MB)], ['brackets', fill(SHAPES.brackets!, MB)], ['command line', fill(SHAPES['one long command line']!, MB)]] as const) {
      const ms = timeRead(text);
      t.diagnostic(`${name}: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 15_000, `${name}: ${ms.toFixed(0)} ms`);
    }
  });
});
