/**
 * `grader log`: the `--json` contract on real captured logs (plain, tty, rawjson; the trixie-era
 * buildx 0.13 captures and the forky buildx 0.29 ones; public logs from issues and CI), the
 * Polish listing, and input errors naming the file.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { isRawJson, logSummary, readBuildLog, type LogSummary } from '../../grader/build-log/summary.ts';
import { HELP, LOG_MAX_BYTES, run } from '../../grader/cli/log.ts';
import { ExitCode, InputError, exitCodeOf } from '../../grader/errors.ts';
import { describeRun, grader } from '../helpers/cli.ts';
import { runCaptured } from '../helpers/capture.ts';

const LOGS = 'test/fixtures/buildx-logs/';
const RAW = 'test/fixtures/buildx-rawjson/';
const read = (file: string) => readFileSync(file, 'utf8');
const ctx = { signal: new AbortController().signal };

const both = (steps: number, cached: number) => ({ 'linux/amd64': { steps, cached }, 'linux/arm64': { steps, cached } });
const LAB_FAILED_STEP = '[linux/amd64 build1 5/5] RUN npm install --omit=dev && echo "build 1.0 on $(uname -m)" > build.txt';

/** Expected `--json` objects, exactly (key order included: it is part of the contract). */
const EXPECTED: Record<string, LogSummary> = {
  // Trixie-era captures: Docker 26.1, buildx 0.13.1, the lab's two-stage Dockerfile on two platforms.
  'plain-warm-all-cached.log': {
    format: 'plain', driver: 'docker', imported: 'imported', exported: true, platforms: both(6, 6), failed: false, failedStep: null,
  },
  'tty-warm-all-cached.log': {
    format: 'tty', driver: 'docker', imported: 'imported', exported: true, platforms: both(6, 6), failed: false, failedStep: null,
  },
  'tty-warm-pasted-crlf.txt': {
    format: 'tty', driver: 'docker', imported: 'imported', exported: true, platforms: both(6, 6), failed: false, failedStep: null,
  },
  'plain-cold-cache-miss.log': {
    format: 'plain', driver: 'docker', imported: 'not-found', exported: true, platforms: both(6, 0), failed: false, failedStep: null,
  },
  'plain-partial-src-changed.log': {
    format: 'plain', driver: 'docker', imported: 'imported', exported: true, platforms: both(6, 2), failed: false, failedStep: null,
  },
  // tty prints `ERROR` on the import without its message: failed, not provably not-found.
  'tty-missing-cache-ref.log': {
    format: 'tty', driver: 'docker', imported: 'failed', exported: null, platforms: both(6, 0), failed: false, failedStep: null,
  },
  'plain-failed-run-exit127.log': {
    format: 'plain', driver: 'docker', imported: 'imported', exported: null, platforms: both(4, 2), failed: true, failedStep: LAB_FAILED_STEP,
  },
  'tty-failed-run-exit127.log': {
    format: 'tty', driver: 'docker', imported: 'imported', exported: null, platforms: both(4, 2), failed: true, failedStep: LAB_FAILED_STEP,
  },
  // Forky captures: Docker 28.5, buildx 0.29.1, cache written as an image manifest.
  'plain-forky-mode-min-cache-image-manifest.log': {
    format: 'plain', driver: 'docker', imported: 'not-requested', exported: true, platforms: both(6, 0), failed: false, failedStep: null,
  },
  'plain-forky-image-manifest-false-cache-index.log': {
    format: 'plain', driver: 'docker', imported: 'not-requested', exported: true, platforms: both(6, 0), failed: false, failedStep: null,
  },
  // RUN output forging `#N CACHED`, an import and a cache manifest proves none of them.
  'plain-forky-forged-cr-cached.log': {
    format: 'plain', driver: 'docker', imported: 'not-requested', exported: null, platforms: both(3, 0), failed: false, failedStep: null,
  },
  'tty-forky-forged-cr-cached.log': {
    format: 'tty', driver: 'docker', imported: 'not-requested', exported: null, platforms: both(3, 0), failed: false, failedStep: null,
  },
  // bake: vertices shared by both targets print without a platform: "default", last.
  'plain-forky-bake-two-targets-warm.log': {
    format: 'plain', driver: 'docker', imported: 'not-requested', exported: null,
    platforms: { 'linux/amd64': { steps: 1, cached: 1 }, 'linux/arm64': { steps: 4, cached: 4 }, default: { steps: 4, cached: 4 } },
    failed: false, failedStep: null,
  },
  // Public logs.
  'public/gha-2025-docker-container-platform-error.log': {
    format: 'plain', driver: 'docker-container', imported: 'not-requested', exported: null, platforms: {}, failed: true,
    failedStep: '[linux/arm/v7 internal] load metadata for docker.io/library/node:lts-slim',
  },
  'public/gha-2026-docker-container-cache-export-canceled.log': {
    format: 'plain', driver: 'docker-container', imported: 'not-requested', exported: false, platforms: {}, failed: true, failedStep: 'exporting to image',
  },
  'public/tty-buildx-1177-header-docker-container.log': {
    format: 'tty', driver: 'docker-container', imported: 'not-requested', exported: null, platforms: {}, failed: false, failedStep: null,
  },
  // A fragment without the build's start: no import seen proves nothing.
  'public/tty-buildx-537-export-registry-unfinished.log': {
    format: 'tty', driver: null, imported: 'unknown', exported: false, platforms: { default: { steps: 1, cached: 1 } }, failed: false, failedStep: null,
  },
  'public/gha-2020-buildx-293-stage-labels-cached.log': {
    format: 'plain', driver: null, imported: 'unknown', exported: null, platforms: { default: { steps: 5, cached: 4 } }, failed: false, failedStep: null,
  },
  // Starts at `#1 [internal] load build definition` (no `#0` line): the start is shown.
  'public/plain-buildx-3756-no-platform-run-error.log': {
    format: 'plain', driver: null, imported: 'not-requested', exported: null, platforms: { default: { steps: 1, cached: 0 } }, failed: true,
    failedStep: '[2/3] RUN pip install -r requirements.txt',
  },
  'public/plain-bpa-1181-gha-export-error.log': {
    format: 'plain', driver: null, imported: 'unknown', exported: false, platforms: {}, failed: true, failedStep: 'exporting to GitHub Actions Cache',
  },
  'public/tty-buildkit-699-buildctl-import.log': {
    format: 'tty', driver: null, imported: 'imported', exported: null, platforms: {}, failed: false, failedStep: null,
  },
  // An error box and the lower-case final error of old buildx, nothing else.
  'public/plain-buildkit-1865-lowercase-error.log': {
    format: 'plain', driver: null, imported: 'unknown', exported: null, platforms: {}, failed: true, failedStep: null,
  },
};

const EXPECTED_RAW: Record<string, LogSummary> = {
  'warm-all-cached.jsonl': {
    format: 'rawjson', driver: null, imported: 'imported', exported: true, platforms: both(4, 4), failed: false, failedStep: null,
  },
  'cold-cache-export.jsonl': {
    format: 'rawjson', driver: null, imported: 'not-found', exported: true, platforms: both(4, 0), failed: false, failedStep: null,
  },
  'forged-run-output.jsonl': {
    format: 'rawjson', driver: null, imported: 'not-found', exported: true, platforms: both(1, 0), failed: false, failedStep: null,
  },
  'failed-run-exit3.jsonl': {
    format: 'rawjson', driver: null, imported: 'not-found', exported: null, platforms: { default: { steps: 1, cached: 0 } }, failed: true,
    failedStep: '[2/2] RUN echo before-fail && exit 3',
  },
  'partial-hit-failed-run-after-prune.jsonl': {
    format: 'rawjson', driver: null, imported: 'imported', exported: null, platforms: both(6, 3), failed: true, failedStep: LAB_FAILED_STEP,
  },
};

const CONTRACT_KEYS = ['format', 'driver', 'imported', 'exported', 'platforms', 'failed', 'failedStep'];

describe('logSummary: the --json contract on captured logs', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const summary = logSummary(read(LOGS + file));
      assert.equal(JSON.stringify(summary), JSON.stringify(expected));
    });
  }
  for (const [file, expected] of Object.entries(EXPECTED_RAW)) {
    it(`rawjson ${file}`, () => {
      const summary = logSummary(read(RAW + file));
      assert.equal(JSON.stringify(summary), JSON.stringify(expected));
    });
  }

  it('every captured log gives the contract keys, in order, with values of the contract', () => {
    const files = [
      ...readdir(LOGS).filter((f) => /\.(log|txt)$/.test(f)).map((f) => LOGS + f),
      ...readdir(LOGS + 'public/').map((f) => LOGS + 'public/' + f),
      ...readdir(RAW).filter((f) => f.endsWith('.jsonl')).map((f) => RAW + f),
    ];
    assert.ok(files.length >= 35, `${files.length} files`);
    for (const file of files) {
      const r = readBuildLog(read(file));
      const s = r.summary;
      assert.ok(r.recognized, file);
      assert.deepEqual(Object.keys(s), CONTRACT_KEYS, file);
      assert.ok(['plain', 'tty', 'rawjson'].includes(s.format), file);
      assert.ok(s.driver === null || (typeof s.driver === 'string' && s.driver !== ''), file);
      assert.ok(['imported', 'failed', 'not-found', 'not-requested', 'unknown'].includes(s.imported), file);
      assert.ok(s.exported === null || typeof s.exported === 'boolean', file);
      assert.equal(typeof s.failed, 'boolean', file);
      assert.ok(s.failedStep === null || (s.failed && typeof s.failedStep === 'string'), file);
      const names = Object.keys(s.platforms);
      assert.ok(!names.includes('default') || names.at(-1) === 'default', `${file}: default last`);
      for (const p of Object.values(s.platforms)) {
        assert.deepEqual(Object.keys(p), ['steps', 'cached'], file);
        assert.ok(Number.isInteger(p.steps) && Number.isInteger(p.cached) && p.cached >= 0 && p.cached <= p.steps, file);
      }
    }
  });
});

describe('logSummary: what students paste', () => {
  it('a UTF-8 BOM and CRLF line ends change nothing (plain and rawjson)', () => {
    for (const file of [LOGS + 'plain-warm-all-cached.log', LOGS + 'plain-failed-run-exit127.log', RAW + 'warm-all-cached.jsonl', RAW + 'failed-run-exit3.jsonl']) {
      const text = read(file);
      assert.deepEqual(logSummary('\uFEFF' + text.replace(/\n/g, '\r\n')), logSummary(text), file);
    }
  });

  it('tty with ANSI escapes and redrawn frames says what its pasted last frame says', () => {
    assert.deepEqual(logSummary(read(LOGS + 'tty-warm-all-cached.log')), logSummary(read(LOGS + 'tty-warm-pasted-crlf.txt')));
    assert.ok(read(LOGS + 'tty-warm-all-cached.log').includes('\x1b['), 'the capture holds real escapes');
  });

  it('a log with its own driver line: docker-container', () => {
    const log = read(LOGS + 'plain-warm-all-cached.log').replace('#0 building with "default" instance using docker driver', '#0 building with "lab7" instance using docker-container driver');
    assert.equal(logSummary(log).driver, 'docker-container');
  });

  it('an export that fails or never writes its manifest is false; none at all is null', () => {
    // The cold build's export, its manifest line replaced by the error BuildKit prints for a refused push.
    const cold = read(LOGS + 'plain-cold-cache-miss.log');
    const failedExport = cold.replace(/^#22 writing cache manifest .*\n#22 DONE .*$/m, '#22 ERROR: failed to push 127.0.0.1:5055/fixturecapture/app:buildcache: unexpected status: 401 Unauthorized');
    assert.notEqual(failedExport, cold);
    const r = readBuildLog(failedExport);
    assert.equal(r.summary.exported, false);
    assert.match(r.analysis.cacheExport.error ?? '', /401 Unauthorized/);
    assert.equal(logSummary(read(LOGS + 'public/plain-bpa-1181-gha-export-error.log')).exported, false);
    assert.equal(logSummary(read(LOGS + 'plain-missing-cache-ref.log')).exported, null);
  });

  it('rawjson is told from text by its first SolveStatus lines only', () => {
    assert.equal(isRawJson(read(RAW + 'cold-cache-export.jsonl')), true);
    assert.equal(isRawJson('\n  {"statuses":[{"id":"x"}]}\n'), true);
    assert.equal(isRawJson(read(LOGS + 'plain-warm-all-cached.log')), false);
    assert.equal(isRawJson('{"mediaType":"application/vnd.oci.image.index.v1+json"}'), false);
    assert.equal(isRawJson('#5 0.1 {"vertexes":[]}'), false);
  });

  it('text that is no build log is not recognised', () => {
    for (const text of ['', 'hello\nworld\n', read('README.md')]) assert.equal(readBuildLog(text).recognized, false);
  });
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'log-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runQuiet = (argv: string[]) => runCaptured(run, argv, ctx);

async function inputError(argv: string[]): Promise<InputError> {
  try {
    await runQuiet(argv);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(exitCodeOf(error), ExitCode.badInput);
    return error;
  }
  assert.fail(`no error for ${argv.join(' ')}`);
}

describe('grader log', () => {
  it('lists format, driver, import, export, CACHED per platform in Polish', async () => {
    const { code, out } = await runQuiet([LOGS + 'plain-warm-all-cached.log']);
    assert.equal(code, ExitCode.ok);
    for (const expected of [
      'Format: plain',
      'Builder: „default”, sterownik docker',
      'Import cache: zaimportowano z 127.0.0.1:5055/fixturecapture/app:buildcache (w. 21)',
      'Eksport cache: wyeksportowano, manifest cache sha256:4594687e56300b36bf504f56a7ed3b2d16cb8af20eb502e140a4276216b7317d',
      '  linux/amd64: 6/6 kroków CACHED',
      '  linux/arm64: 6/6 kroków CACHED',
      'Wynik: log nie pokazuje błędu budowania',
    ]) assert.ok(out.includes(expected), `missing: ${expected}\n${out}`);
  });

  it('a failed build: the step and buildx error; a fragment: import unknown', async () => {
    const failed = await runQuiet([LOGS + 'tty-failed-run-exit127.log']);
    assert.equal(failed.code, ExitCode.ok);
    assert.ok(failed.out.includes(`Wynik: budowanie nie powiodło się w kroku „${LAB_FAILED_STEP}”`), failed.out);
    assert.ok(failed.out.includes('exit code: 127'), failed.out);
    const fragment = await runQuiet([LOGS + 'public/tty-buildx-537-export-registry-unfinished.log']);
    assert.ok(fragment.out.includes('Import cache: nie wiadomo'), fragment.out);
    assert.ok(fragment.out.includes('default (kroki bez platformy): 1/1 kroku CACHED'), fragment.out);
  });

  it('--json prints exactly the contract object', async () => {
    const { code, out } = await runQuiet([RAW + 'warm-all-cached.jsonl', '--json']);
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(JSON.parse(out), EXPECTED_RAW['warm-all-cached.jsonl']);
  });

  it('reads a UTF-16 log (PowerShell `>`)', async () => {
    const file = join(dir, 'ps.log');
    const text = read(LOGS + 'plain-warm-all-cached.log').replace(/\n/g, '\r\n');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { out } = await runQuiet([file, '--json']);
    assert.deepEqual(JSON.parse(out), EXPECTED['plain-warm-all-cached.log']);
  });

  it('--help in Polish with examples', async () => {
    const { code, out } = await runQuiet(['--help']);
    assert.equal(code, ExitCode.ok);
    assert.equal(out, HELP);
    assert.match(HELP, /Przykłady:\n {2}.*grader log /);
  });

  it('input errors name the file (exit 2)', async () => {
    const missing = join(dir, 'brak.log');
    assert.match((await inputError([missing])).message, new RegExp(`${missing}: plik nie istnieje`));
    const folder = join(dir, 'katalog');
    await mkdir(folder);
    assert.match((await inputError([folder])).message, /katalog.* jest katalogiem, nie plikiem/);
    const notLog = join(dir, 'notatki.txt');
    await writeFile(notLog, 'To nie jest log.\n');
    assert.match((await inputError([notLog])).message, /W pliku .*notatki\.txt nie ma logu docker buildx build/);
    const binary = join(dir, 'obraz.png');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    assert.match((await inputError([binary])).message, /obraz\.png nie jest plikiem tekstowym/);
    assert.match((await inputError([])).message, /Podaj plik z logiem budowania/);
    assert.match((await inputError(['a.log', 'b.log'])).message, /jeden plik, podano 2/);
    assert.match((await inputError(['--bogus'])).message, /Błędne opcje polecenia „log”/);
  });

  it('a file over the size cap is refused before it is read', async () => {
    const big = join(dir, 'ogromny.log');
    await writeFile(big, '');
    await truncate(big, LOG_MAX_BYTES + 1);
    assert.match((await inputError([big])).message, /ogromny\.log ma 200 MiB — więcej niż 200 MiB/);
  });
});

describe('grader log (CLI process)', () => {
  it('--json exits 0 with parseable JSON; a missing file exits 2 naming it', async () => {
    const ok = await grader(['log', LOGS + 'plain-forky-mode-min-cache-image-manifest.log', '--json']);
    assert.equal(ok.code, 0, describeRun(ok));
    assert.deepEqual(JSON.parse(ok.stdout), EXPECTED['plain-forky-mode-min-cache-image-manifest.log']);
    const missing = await grader(['log', 'brak-takiego-logu.log', '--json']);
    assert.equal(missing.code, 2, describeRun(missing));
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /brak-takiego-logu\.log: plik nie istnieje/);
  });
});

function readdir(path: string): string[] {
  return readdirSync(path).sort();
}
