import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  BUILD_LOG_LIMITS,
  createBuildLogParser,
  normalizeLine,
  parseBuildLog,
  parseBuildLogFile,
  UNLABELLED_PLATFORM,
  type BuildLogAnalysis,
} from '../../grader/docker/build-log.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedLogs = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'buildx-logs');
const ownLogs = path.resolve(repoRoot, 'test', 'fixtures', 'buildx-logs');

function fixture(dir: string, name: string): string {
  return path.join(dir, name);
}

function counts(a: BuildLogAnalysis): Record<string, string> {
  return Object.fromEntries(a.platforms.map((p) => [p.platform, `${p.cached}/${p.total}`]));
}

/** Lines of a file split the way the parser numbers them (like node:readline). */
function fileLines(file: string): string[] {
  return readFileSync(file, 'utf8').split(/\r\n|\n|\r/);
}

interface Row {
  name: string;
  file: string;
  format: BuildLogAnalysis['format'];
  counts: Record<string, string>;
  cacheImport: BuildLogAnalysis['cacheImport']['status'];
  exported: boolean;
  failed: boolean;
}

const rows: Row[] = [
  {
    name: 'shared cold build: import not found, cache exported, nothing cached',
    file: fixture(sharedLogs, 'plain-build1-cold-cache-miss.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-found',
    exported: true,
    failed: false,
  },
  {
    name: 'shared warm build: imported, 6/6 per platform',
    file: fixture(sharedLogs, 'plain-build2-warm-all-cached.log'),
    format: 'plain',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'shared control build without cache flags',
    file: fixture(sharedLogs, 'plain-control-no-cache-flags.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-requested',
    exported: false,
    failed: false,
  },
  {
    name: 'captured cold build',
    file: fixture(ownLogs, 'plain-cold-cache-miss.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-found',
    exported: true,
    failed: false,
  },
  {
    name: 'captured warm build (plain)',
    file: fixture(ownLogs, 'plain-warm-all-cached.log'),
    format: 'plain',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'captured warm build (raw tty capture, ANSI, 80 columns)',
    file: fixture(ownLogs, 'tty-warm-all-cached.log'),
    format: 'tty',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'captured warm build (tty final screen pasted, CRLF)',
    file: fixture(ownLogs, 'tty-warm-pasted-crlf.txt'),
    format: 'tty',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'captured build with a --cache-from ref that does not exist (plain)',
    file: fixture(ownLogs, 'plain-missing-cache-ref.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-found',
    exported: false,
    failed: false,
  },
  {
    // tty prints only `=> ERROR importing cache manifest`, never the importer's message.
    name: 'captured build with a --cache-from ref that does not exist (tty)',
    file: fixture(ownLogs, 'tty-missing-cache-ref.log'),
    format: 'tty',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'failed',
    exported: false,
    failed: false,
  },
  {
    name: 'captured partial hit after a source change (plain)',
    file: fixture(ownLogs, 'plain-partial-src-changed.log'),
    format: 'plain',
    counts: { 'linux/amd64': '2/6', 'linux/arm64': '2/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'captured partial hit after a source change (tty)',
    file: fixture(ownLogs, 'tty-partial-src-changed.log'),
    format: 'tty',
    counts: { 'linux/amd64': '2/6', 'linux/arm64': '2/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    // The prod stage never starts: only build1's 4 counted steps appear.
    name: 'captured failed RUN, exit code 127 (plain)',
    file: fixture(ownLogs, 'plain-failed-run-exit127.log'),
    format: 'plain',
    counts: { 'linux/amd64': '2/4', 'linux/arm64': '2/4' },
    cacheImport: 'imported',
    exported: false,
    failed: true,
  },
  {
    name: 'captured failed RUN, exit code 127 (tty)',
    file: fixture(ownLogs, 'tty-failed-run-exit127.log'),
    format: 'tty',
    counts: { 'linux/amd64': '2/4', 'linux/arm64': '2/4' },
    cacheImport: 'imported',
    exported: false,
    failed: true,
  },
];

describe('parseBuildLogFile over real fixtures', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const a = await parseBuildLogFile(row.file);
      assert.equal(a.format, row.format);
      assert.deepEqual(counts(a), row.counts);
      assert.equal(a.cacheImport.status, row.cacheImport);
      assert.equal(a.cacheExport.exported, row.exported);
      assert.equal(a.error !== null, row.failed);
      assert.equal(a.builder?.driver, 'docker');
      assert.ok(a.evidence.length <= BUILD_LOG_LIMITS.evidenceLines);
      // Every evidence line is the (cleaned) text of that line number in the file.
      const lines = fileLines(row.file);
      for (const ev of [...a.evidence, ...a.cacheImport.lines, ...a.cacheExport.lines, ...(a.error?.lines ?? [])]) {
        assert.equal(normalizeLine(lines[ev.n - 1] ?? ''), ev.text, `line ${ev.n}`);
      }
      // Same result in memory and streamed.
      const inMemory = parseBuildLog(readFileSync(row.file, 'utf8'));
      assert.deepEqual(inMemory, a);
    });
  }
});

describe('steps', () => {
  it('counts only Dockerfile steps of the stages: no [internal], no load metadata, no FROM', () => {
    const a = parseBuildLog(readFileSync(fixture(sharedLogs, 'plain-build2-warm-all-cached.log'), 'utf8'));
    const froms = a.steps.filter((s) => s.from);
    assert.equal(froms.length, 2, 'one FROM vertex per platform (stages with the same base are merged)');
    assert.ok(froms.every((s) => !s.counted && !s.cached && s.instruction.startsWith('FROM ')));
    assert.ok(a.steps.every((s) => s.stage !== 'internal'));
    assert.deepEqual(a.totals, { cached: 12, total: 12 });
    const step = a.steps.find((s) => s.key === 'linux/arm64|build1|4/5');
    assert.deepEqual(
      step && {
        vertex: step.vertex,
        platform: step.platform,
        stage: step.stage,
        index: step.index,
        instruction: step.instruction,
        cached: step.cached,
        done: step.done,
        error: step.error,
        firstLine: step.firstLine,
        lastLine: step.lastLine,
      },
      {
        vertex: 12,
        platform: 'linux/arm64',
        stage: 'build1',
        index: '4/5',
        instruction: 'ADD src ./',
        cached: true,
        done: true,
        error: null,
        firstLine: 45,
        lastLine: 46,
      },
    );
  });

  it('cold build: steps are done, not cached, and nothing is offered as CACHED evidence', async () => {
    const a = await parseBuildLogFile(fixture(sharedLogs, 'plain-build1-cold-cache-miss.log'));
    assert.ok(a.steps.filter((s) => s.counted).every((s) => s.done && !s.cached && s.error === null));
    assert.ok(a.evidence.every((l) => !l.text.includes('CACHED')));
    assert.equal(a.steps.find((s) => s.key === 'linux/arm64|build1|2/5')?.vertex, 9);
  });

  it('partial hit: steps before ADD are cached, ADD and later are rebuilt', async () => {
    const a = await parseBuildLogFile(fixture(ownLogs, 'plain-partial-src-changed.log'));
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const byIndex = (stage: string, index: string) =>
        a.steps.find((s) => s.platform === platform && s.stage === stage && s.index === index);
      assert.equal(byIndex('build1', '2/5')?.cached, true);
      assert.equal(byIndex('build1', '4/5')?.cached, false);
      assert.equal(byIndex('build1', '5/5')?.cached, false);
      assert.equal(byIndex('prod', '2/3')?.cached, false);
      // A hit buildx printed as layer extraction instead of CACHED still counts as cached.
      assert.equal(byIndex('build1', '3/5')?.extracted, true);
      assert.equal(byIndex('build1', '3/5')?.cached, true);
    }
    for (const p of a.platforms) assert.ok(p.cached > 0 && p.cached < p.total);
  });

  it('tty and plain logs of the same build give the same steps and counts', async () => {
    const plain = await parseBuildLogFile(fixture(ownLogs, 'plain-warm-all-cached.log'));
    const tty = await parseBuildLogFile(fixture(ownLogs, 'tty-warm-all-cached.log'));
    const pasted = await parseBuildLogFile(fixture(ownLogs, 'tty-warm-pasted-crlf.txt'));
    assert.deepEqual(tty.platforms, plain.platforms);
    assert.deepEqual(pasted.platforms, plain.platforms);
    const keys = (a: BuildLogAnalysis) => a.steps.filter((s) => s.counted).map((s) => `${s.key} ${s.cached}`);
    assert.deepEqual(keys(tty), keys(plain));
    assert.equal(tty.progress?.finished, true);
    assert.equal(tty.steps.every((s) => s.done), true);
  });

  it('a tty step cut at the terminal width still counts as a CACHED step', async () => {
    const a = await parseBuildLogFile(fixture(ownLogs, 'tty-warm-all-cached.log'));
    const step = a.steps.find((s) => s.key === 'linux/arm64|build1|5/5');
    assert.ok(step);
    assert.equal(step.cached, true);
    assert.equal(step.instructionCut, true);
    assert.equal(step.instruction, 'RUN echo "build 1.0 on $(uname -m)" >');
    const whole = a.steps.find((s) => s.key === 'linux/arm64|build1|2/5');
    assert.equal(whole?.instructionCut, false);
    assert.equal(whole?.instruction, 'RUN mkdir -p /var/node');
  });

  it('parses single-platform labels, padded indexes and cross-compiling stages', () => {
    const a = parseBuildLog(
      [
        '#5 [build1  2/12] RUN true',
        '#5 CACHED',
        '#6 [linux/amd64->arm64 build 3/4] RUN go build',
        '#6 DONE 1.0s',
        '#7 [stage-1 1/3] FROM docker.io/library/alpine@sha256:abc',
        '#7 DONE 0.1s',
      ].join('\n'),
    );
    assert.deepEqual(
      a.steps.map((s) => [s.platform, s.stage, s.index, s.counted, s.cached]),
      [
        [null, 'build1', '2/12', true, true],
        [null, 'stage-1', '1/3', false, false],
        ['linux/arm64', 'build', '3/4', true, false],
      ],
    );
    assert.deepEqual(a.platforms, [
      { platform: UNLABELLED_PLATFORM, cached: 1, total: 1 },
      { platform: 'linux/arm64', cached: 0, total: 1 },
    ]);
  });
});

describe('cache import and export', () => {
  it('cold build: not-found with the importer message and highlighted lines', async () => {
    const a = await parseBuildLogFile(fixture(sharedLogs, 'plain-build1-cold-cache-miss.log'));
    assert.equal(a.cacheImport.ref, '127.0.0.1:5000/s99656/apkapogodowaplus:buildcache');
    assert.match(a.cacheImport.message ?? '', /failed to configure registry cache importer: .*: not found$/);
    assert.deepEqual(
      a.cacheImport.lines.map((l) => [l.n, l.highlight]),
      [
        [20, true],
        [21, true],
      ],
    );
    assert.equal(a.cacheExport.attempted, true);
    assert.equal(a.cacheExport.manifestDigest, 'sha256:9a677e76343a33795e1e38f90d5118d32043a90a0e28d5d1a70764982307a83b');
    assert.ok(a.cacheExport.lines.some((l) => l.highlight && l.text.includes('writing cache manifest')));
    // The `------ > importing cache manifest ...: ------` box alone is not a failed build.
    assert.equal(a.error, null);
  });

  it('warm build: imported, with the importing and inferred-type lines as evidence', async () => {
    const a = await parseBuildLogFile(fixture(sharedLogs, 'plain-build2-warm-all-cached.log'));
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.message, null);
    const evidenceText = a.evidence.filter((l) => l.highlight).map((l) => l.text);
    assert.ok(evidenceText.includes('#8 importing cache manifest from 127.0.0.1:5000/s99656/apkapogodowaplus:buildcache'));
    assert.ok(evidenceText.some((t) => t.startsWith('#8 inferred cache manifest type')));
    assert.equal(evidenceText.filter((t) => /^#\d+ CACHED$/.test(t)).length, 12);
    // The vertex name is shown (not highlighted) right before its CACHED line.
    const cachedAt = a.evidence.findIndex((l) => l.text === '#12 CACHED');
    assert.deepEqual(a.evidence[cachedAt - 1], { n: 45, text: '#12 [linux/arm64 build1 4/5] ADD src ./' });
  });

  it('tty: the ref cut at the terminal width is marked; the error box completes it', async () => {
    const warm = await parseBuildLogFile(fixture(ownLogs, 'tty-warm-all-cached.log'));
    assert.equal(warm.cacheImport.ref, '127.0.0.1:5055/fixturecapture/app:build');
    assert.equal(warm.cacheImport.refCut, true);
    assert.equal(warm.cacheExport.exported, true);
    assert.equal(warm.cacheExport.manifestDigest, null, 'the digest was cut too');
    const missing = await parseBuildLogFile(fixture(ownLogs, 'tty-missing-cache-ref.log'));
    assert.equal(missing.cacheImport.ref, '127.0.0.1:5055/fixturecapture/app:no-such-cache');
    assert.equal(missing.cacheImport.refCut, false);
    assert.equal(missing.cacheImport.message, null);
  });

  it('several --cache-from refs: one imported ref is enough', () => {
    const a = parseBuildLog(
      [
        '#5 importing cache manifest from reg/app:missing',
        '#5 ERROR: failed to configure registry cache importer: reg/app:missing: not found',
        '',
        '#6 importing cache manifest from reg/app:buildcache',
        '#6 DONE 0.1s',
        '',
        '#7 importing cache manifest from reg/app:private',
        '#7 ERROR: failed to configure registry cache importer: failed to authorize: 401 Unauthorized',
      ].join('\n'),
    );
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.ref, 'reg/app:buildcache');
    assert.deepEqual(
      a.cacheImport.attempts.map((x) => x.status),
      ['not-found', 'imported', 'failed'],
    );
  });
});

describe('pushed digests', () => {
  it('reads the manifest list, the per-platform manifests and the pushed ref', async () => {
    const a = await parseBuildLogFile(fixture(sharedLogs, 'plain-build2-warm-all-cached.log'));
    assert.equal(a.push.manifestList, 'sha256:775e1bf3d14e430679f8351606e32d366668622878a11b94047f72476de3b6f8');
    assert.deepEqual(a.push.manifests, [
      'sha256:137862d8997e8dbe2e69ef6f854be2444868a1a7cc5d726134b343bc321063f2',
      'sha256:12b09e14f71a77fdea205157da64cbcc375c61940f13300b4b99a20ceb365fa2',
    ]);
    assert.deepEqual(a.push.pushed, [
      {
        ref: '127.0.0.1:5000/s99656/apkapogodowaplus:multiarch-cache',
        digest: 'sha256:775e1bf3d14e430679f8351606e32d366668622878a11b94047f72476de3b6f8',
      },
    ]);
  });
});

describe('failed build', () => {
  for (const file of ['plain-failed-run-exit127.log', 'tty-failed-run-exit127.log']) {
    it(`error summary with exit code and Dockerfile excerpt (${file})`, async () => {
      const a = await parseBuildLogFile(fixture(ownLogs, file));
      const error = a.error;
      assert.ok(error);
      assert.equal(error.exitCode, 127);
      assert.match(error.message, /^failed to solve: process "\/bin\/sh -c npm install/);
      assert.equal(
        error.command,
        '/bin/sh -c npm install --omit=dev && echo "build $VERSION on $(uname -m)" > build.txt',
      );
      assert.equal(
        error.step,
        '[linux/amd64 build1 5/5] RUN npm install --omit=dev && echo "build 1.0 on $(uname -m)" > build.txt',
      );
      assert.deepEqual(error.dockerfile, { file: 'Dockerfile.fail', line: 6 });
      const marked = error.excerpt.filter((l) => l.highlight).map((l) => l.text);
      assert.deepEqual(marked, [
        '   6 | >>> RUN npm install --omit=dev && echo "build $VERSION on $(uname -m)" > build.txt',
      ]);
      assert.equal(error.excerpt.length, 5);
      assert.ok(error.lines.some((l) => /npm: not found/.test(l.text)), 'the RUN output box');
      assert.ok(error.lines.at(-1)?.text.startsWith('ERROR: failed to solve:'));
      assert.deepEqual(
        error.lines.map((l) => l.n),
        [...error.lines.map((l) => l.n)].sort((x, y) => x - y),
      );
      const failing = a.steps.find((s) => s.key === 'linux/amd64|build1|5/5');
      assert.notEqual(failing?.error, null);
      assert.equal(a.steps.find((s) => s.key === 'linux/arm64|build1|5/5')?.canceled, true);
      assert.equal(a.push.pushed.length, 0);
    });
  }
});

describe('terminal clean-up', () => {
  it('strips colours, cursor moves and CR, keeping the visible text', () => {
    assert.equal(normalizeLine('\x1b[0m\x1b[34m => CACHED [linux/arm64 build1 2/5] RUN x   0.0s\r'), ' => CACHED [linux/arm64 build1 2/5] RUN x   0.0s');
    assert.equal(normalizeLine('\x1b[?25h\x1b[1A\x1b[2K\x1b[1A\x1b[0G\x1b[?25l[+] Building 1.0s (3/9)'), '[+] Building 1.0s (3/9)');
    assert.equal(normalizeLine('old text\rnew'), 'new');
    assert.equal(normalizeLine('\x1b]0;title\x07#3 CACHED'), '#3 CACHED');
  });

  it('parses a pasted tty log with ANSI, CRLF and lines cut at 80 columns', () => {
    const esc = '\x1b';
    const log = [
      `${esc}[1A${esc}[0G${esc}[?25l[+] Building 55.2s (28/28) FINISHED                      docker:default`,
      `${esc}[34m => importing cache manifest from registry.example.edu:5000/s99656/buildc  0.1s`,
      `${esc}[0m${esc}[34m => => inferred cache manifest type: application/vnd.oci.image.index.v1+j  0.0s`,
      `${esc}[0m${esc}[34m => CACHED [linux/arm64 build1 5/5] RUN npm install --omit=dev && npm cac  0.0s`,
      `${esc}[0m${esc}[34m => CACHED [linux/amd64 build1 5/5] RUN npm install --omit=dev && npm cac  0.0s`,
      `${esc}[0m${esc}[34m => [linux/amd64 prod 2/3] COPY --from=build1 /var/node /var/node          1.2s`,
      `${esc}[0m`,
    ].join('\r\n');
    const a = parseBuildLog(log);
    assert.equal(a.format, 'tty');
    assert.deepEqual(counts(a), { 'linux/amd64': '1/2', 'linux/arm64': '1/1' });
    assert.equal(a.cacheImport.status, 'imported');
    assert.equal(a.cacheImport.refCut, true);
    assert.deepEqual(a.builder, { name: 'default', driver: 'docker' });
    assert.deepEqual(
      a.evidence.map((l) => [l.n, l.text.trim().slice(0, 40)]),
      [
        [2, '=> importing cache manifest from registr'],
        [3, '=> => inferred cache manifest type: appl'],
        [4, '=> CACHED [linux/arm64 build1 5/5] RUN n'],
        [5, '=> CACHED [linux/amd64 build1 5/5] RUN n'],
      ],
    );
    const step = a.steps.find((s) => s.key === 'linux/arm64|build1|5/5');
    assert.equal(step?.instruction, 'RUN npm install --omit=dev && npm cac');
    assert.equal(step?.instructionCut, true);
  });

  it('push() accepts lines with or without terminators, one at a time', () => {
    const parser = createBuildLogParser();
    parser.push('#9 [linux/arm64 build1 2/5] RUN mkdir -p /var/node\r\n');
    parser.push('#9 CACHED\n');
    const a = parser.result();
    assert.deepEqual(a.platforms, [{ platform: 'linux/arm64', cached: 1, total: 1 }]);
    assert.deepEqual(a.evidence, [
      { n: 1, text: '#9 [linux/arm64 build1 2/5] RUN mkdir -p /var/node' },
      { n: 2, text: '#9 CACHED', highlight: true },
    ]);
  });
});

describe('streaming', () => {
  it('a ~20 MB log keeps evidence, steps and excerpts bounded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'build-log-'));
    try {
      const file = path.join(dir, 'big.log');
      const plain = readFileSync(fixture(sharedLogs, 'plain-build2-warm-all-cached.log'), 'utf8');
      const tty = readFileSync(fixture(ownLogs, 'tty-warm-all-cached.log'), 'utf8');
      const out = createWriteStream(file);
      let bytes = 0;
      let copies = 0;
      let lines = 0;
      const perCopy = plain.split('\n').length - 1 + (tty.split('\n').length - 1);
      while (bytes < 20 * 1024 * 1024) {
        const chunk = plain + tty;
        if (!out.write(chunk)) await once(out, 'drain');
        bytes += Buffer.byteLength(chunk);
        copies++;
        lines += perCopy;
      }
      out.end();
      await once(out, 'finish');

      const a = await parseBuildLogFile(file);
      assert.ok(copies > 500);
      assert.equal(a.lineCount, lines);
      assert.equal(a.format, 'mixed');
      assert.ok(a.evidence.length <= BUILD_LOG_LIMITS.evidenceLines);
      assert.ok(a.cacheImport.lines.length <= BUILD_LOG_LIMITS.sectionLines);
      assert.ok(a.cacheExport.lines.length <= BUILD_LOG_LIMITS.sectionLines);
      assert.ok(a.cacheImport.attempts.length <= BUILD_LOG_LIMITS.importAttempts);
      assert.ok(a.push.manifests.length <= BUILD_LOG_LIMITS.digests);
      assert.ok(a.push.pushed.length <= BUILD_LOG_LIMITS.digests);
      // Repeats merge into the same steps: the counts are those of one build.
      assert.deepEqual(counts(a), { 'linux/amd64': '6/6', 'linux/arm64': '6/6' });
      // 12 counted steps; the FROM vertex got different stage names in the two builds.
      assert.equal(a.steps.filter((s) => s.counted).length, 12);
      // Both platforms are represented in the evidence.
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        assert.ok(a.evidence.some((l) => l.text.includes(`[${platform} `)), platform);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
