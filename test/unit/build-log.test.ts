import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
} from '../../grader/build-log/parse.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedLogs = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'buildx-logs');
const ownLogs = path.resolve(repoRoot, 'test', 'fixtures', 'buildx-logs');

function fixture(dir: string, name: string): string {
  return path.join(dir, name);
}

function counts(a: BuildLogAnalysis): Record<string, string> {
  return Object.fromEntries(a.platforms.map((p) => [p.platform, `${p.cached}/${p.total}`]));
}

/** Lines of a file split the way the parser numbers them (`\n` or CRLF; a lone `\r` is no break). */
function fileLines(file: string): string[] {
  return readFileSync(file, 'utf8').split(/\r?\n/);
}

interface Row {
  name: string;
  file: string;
  format: BuildLogAnalysis['format'];
  counts: Record<string, string>;
  cacheImport: BuildLogAnalysis['cacheImport']['status'];
  exported: boolean;
  failed: boolean;
  /** Builder driver named on line 1 (`#0 building with ... using <driver> driver`); default `docker`. */
  driver?: string;
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
    name: 'shared forky cold build (docker driver): import not found, cache image manifest exported',
    file: fixture(sharedLogs, 'plain-forky-docker-driver-build1.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-found',
    exported: true,
    failed: false,
  },
  {
    name: 'shared forky warm build (docker driver): imported, 6/6 per platform',
    file: fixture(sharedLogs, 'plain-forky-docker-driver-build2.log'),
    format: 'plain',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
  },
  {
    name: 'shared BuildKit v0.26.3 cold build (docker-container driver)',
    file: fixture(sharedLogs, 'plain-buildkit-v0.26.3-container-build1.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-found',
    exported: true,
    failed: false,
    driver: 'docker-container',
  },
  {
    name: 'shared BuildKit v0.26.3 warm build (docker-container driver): 6/6 per platform',
    file: fixture(sharedLogs, 'plain-buildkit-v0.26.3-container-build2.log'),
    format: 'plain',
    counts: { 'linux/amd64': '6/6', 'linux/arm64': '6/6' },
    cacheImport: 'imported',
    exported: true,
    failed: false,
    driver: 'docker-container',
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
    name: 'captured forky mode=min build: `writing cache image manifest` is an export',
    file: fixture(ownLogs, 'plain-forky-mode-min-cache-image-manifest.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-requested',
    exported: true,
    failed: false,
  },
  {
    name: 'captured forky build with image-manifest=false: the old wording on the new stack',
    file: fixture(ownLogs, 'plain-forky-image-manifest-false-cache-index.log'),
    format: 'plain',
    counts: { 'linux/amd64': '0/6', 'linux/arm64': '0/6' },
    cacheImport: 'not-requested',
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
      assert.equal(a.builder?.driver, row.driver ?? 'docker');
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

/**
 * Every shared log, both stacks (trixie: BuildKit < 0.21, cache as an OCI index, `writing cache
 * manifest`; forky and BuildKit v0.26.3: cache as an OCI image manifest, `writing cache image
 * manifest`) and both drivers. Expected values read off the logs by hand.
 */
interface SharedLogRow {
  builder: { name: string; driver: string };
  importRef: string | null;
  /** Media type on the `inferred cache manifest type:` line of a successful import. */
  inferredType: string | null;
  /** Digest on the `writing cache [image ]manifest` line; null when nothing was exported. */
  exportDigest: string | null;
  manifestList: string;
  cached: Record<string, string>;
}

const TRIXIE_REF = '127.0.0.1:5000/s99656/apkapogodowaplus:buildcache';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const COLD = { 'linux/amd64': '0/6', 'linux/arm64': '0/6' };
const WARM = { 'linux/amd64': '6/6', 'linux/arm64': '6/6' };
const sharedLogRows: Record<string, SharedLogRow> = {
  'plain-build1-cold-cache-miss.log': {
    builder: { name: 'default', driver: 'docker' },
    importRef: TRIXIE_REF,
    inferredType: null,
    exportDigest: 'sha256:9a677e76343a33795e1e38f90d5118d32043a90a0e28d5d1a70764982307a83b',
    manifestList: 'sha256:6d7226fefe6a51d408e53c2fa4e34320858ddbabede61fcfe0c1c4268f041312',
    cached: COLD,
  },
  'plain-build2-warm-all-cached.log': {
    builder: { name: 'default', driver: 'docker' },
    importRef: TRIXIE_REF,
    inferredType: OCI_INDEX,
    exportDigest: 'sha256:5bc85e4582fc2f3fe6940f90c69bc5c34cb2a62e2d2cf3d2ef69c3df719227e8',
    manifestList: 'sha256:775e1bf3d14e430679f8351606e32d366668622878a11b94047f72476de3b6f8',
    cached: WARM,
  },
  'plain-control-no-cache-flags.log': {
    builder: { name: 'default', driver: 'docker' },
    importRef: null,
    inferredType: null,
    exportDigest: null,
    manifestList: 'sha256:d08dd788dc6765245a9ba379f418ab78d3c8e101a158c88086badf0208d21e1d',
    cached: COLD,
  },
  'plain-forky-docker-driver-build1.log': {
    builder: { name: 'default', driver: 'docker' },
    importRef: '127.0.0.1:32768/s99656/lab7:buildcache',
    inferredType: null,
    exportDigest: 'sha256:8565428e00c19234e642d001997666231440050e8eba338eb9ffc3ba35935a0a',
    manifestList: 'sha256:72607fcdb3e79a49218aba6568f21ac7541e97556e031f33599168438e69b3e7',
    cached: COLD,
  },
  'plain-forky-docker-driver-build2.log': {
    builder: { name: 'default', driver: 'docker' },
    importRef: '127.0.0.1:32768/s99656/lab7:buildcache',
    inferredType: OCI_MANIFEST,
    exportDigest: 'sha256:66e155f234a719a60dde17912eeb7fda7d2e24c5525b9e018e50e3fec8d3fe12',
    manifestList: 'sha256:fd13711d3f0eb82d89d4daa6117bfab00513a920ce7c984a494210824cae5112',
    cached: WARM,
  },
  'plain-buildkit-v0.26.3-container-build1.log': {
    builder: { name: 'buildx-grader-261201061358-ljufxe-1', driver: 'docker-container' },
    importRef: '127.0.0.1:32769/s99656/lab7:buildcache',
    inferredType: null,
    exportDigest: 'sha256:f7b9df09a74965ea8ff5ab23d656477e7475b663745427dfc105c5075dba43df',
    manifestList: 'sha256:5227f2978a02d8ee39a25d7995ce00c17697f44b95a8640e4e1d37837b1d3b85',
    cached: COLD,
  },
  'plain-buildkit-v0.26.3-container-build2.log': {
    builder: { name: 'buildx-grader-261201061358-ljufxe-2', driver: 'docker-container' },
    importRef: '127.0.0.1:32769/s99656/lab7:buildcache',
    inferredType: OCI_MANIFEST,
    exportDigest: 'sha256:7b713d04f5351e994beb39544fe8a43386eb8bcce9f07cc89ea03fe4ad293bcf',
    manifestList: 'sha256:c03951a95c0e1b038e6825ab71a488d5ab308095e8dc37e2b708b6a185a113d7',
    cached: WARM,
  },
};

describe('every shared log: both cache formats, both log wordings, both drivers', () => {
  it('the table covers every log in ../shared/fixtures/buildx-logs', () => {
    assert.deepEqual(Object.keys(sharedLogRows).sort(), readdirSync(sharedLogs).filter((f) => f.endsWith('.log')).sort());
  });

  for (const [file, want] of Object.entries(sharedLogRows)) {
    it(file, async () => {
      const a = await parseBuildLogFile(fixture(sharedLogs, file));
      assert.deepEqual(a.builder, want.builder);
      assert.deepEqual(counts(a), want.cached);
      assert.equal(a.cacheImport.ref, want.importRef);
      const importStatus = want.importRef === null ? 'not-requested' : want.inferredType === null ? 'not-found' : 'imported';
      assert.equal(a.cacheImport.status, importStatus);
      const inferred = a.cacheImport.lines.map((l) => /inferred cache manifest type: (\S+)/.exec(l.text)?.[1]).find(Boolean);
      assert.equal(inferred ?? null, want.inferredType);
      assert.equal(a.cacheExport.attempted, want.exportDigest !== null);
      assert.equal(a.cacheExport.exported, want.exportDigest !== null);
      assert.equal(a.cacheExport.manifestDigest, want.exportDigest);
      assert.equal(a.cacheExport.error, null);
      if (want.exportDigest !== null) {
        const written = a.cacheExport.lines.filter((l) => l.highlight).map((l) => l.text);
        assert.ok(written.some((t) => /writing cache (image )?manifest /.test(t) && t.includes(want.exportDigest!)), written.join('\n'));
      }
      assert.equal(a.push.manifestList, want.manifestList);
      assert.equal(a.push.manifests.length, 2);
      assert.equal(a.error, null);
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

  it('tty: `writing cache image manifest` is an export too; the header names a docker-container builder', () => {
    const digest = `sha256:${'7b'.repeat(32)}`;
    const a = parseBuildLog(
      [
        '[+] Building 3.1s (24/24) FINISHED                    docker-container:buildx-grader-1',
        ' => exporting cache to registry                                          0.2s',
        ' => => preparing build cache for export                                  0.2s',
        ` => => writing cache image manifest ${digest} 0.0s`,
      ].join('\n'),
    );
    assert.deepEqual(a.builder, { name: 'buildx-grader-1', driver: 'docker-container' });
    assert.equal(a.cacheExport.exported, true);
    assert.equal(a.cacheExport.manifestDigest, digest);
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
    // Text after a carriage return or column move that follows text is RUN output redrawing
    // its line: it is dropped (this used to return 'new', which let output forge a status line).
    assert.equal(normalizeLine('old text\rnew'), 'old text');
    assert.equal(normalizeLine('#9 0.675 \x1b[G#9 CACHED'), '#9 0.675');
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

  it('a line longer than the splitter keeps (a RUN that never prints a newline) does not lose the lines after it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'build-log-'));
    try {
      const file = path.join(dir, 'long-line.log');
      // 3 MB without a line break: several 1 MiB reads and 64 KiB decodes.
      const long = '#9 0.100 ' + 'x'.repeat(3 * 1024 * 1024);
      const log = ['#9 [linux/amd64 2/3] RUN yes | tr -d "\\n"', long, '#9 DONE 1.0s', '', '#10 [linux/amd64 3/3] COPY a b', '#10 CACHED', ''].join('\n');
      const out = createWriteStream(file);
      out.end(log);
      await once(out, 'finish');
      const a = await parseBuildLogFile(file);
      assert.equal(a.lineCount, 6);
      assert.deepEqual(counts(a), { 'linux/amd64': '1/2' });
      assert.equal(a.steps.find((s) => s.index === '2/3')?.done, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
