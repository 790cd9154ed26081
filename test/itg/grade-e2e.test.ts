/**
 * `grader grade` end to end on the real stack (Docker Engine with the containerd store, buildx,
 * QEMU arm64, the base registry 127.0.0.1:5055 that scripts/setup.sh fills): the real CLI runs
 * as a subprocess, builds twice against its own registry7, and is judged by its exit code,
 * results.json, reports and output. Fixtures: submissions/example and test/fixtures/submissions/.
 *
 * After every test, nothing the grader creates may remain: containers, volumes, networks
 * (names with `buildx-grader-` or labelled `buildx-grader.run`, except the permanent
 * `buildx-grader-base`) and buildx builders (`buildx-grader-*`).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LOCK_PATH } from '../../grader/docker/daemon-lock.ts';
import type { CheckResult, GradeResult } from '../../grader/results/types.ts';
import { run } from '../../grader/util/exec.ts';
import { describeRun, ROOT, startGrader, type CliRun } from '../helpers/cli.ts';
import { stackSkip } from '../helpers/stack.ts';

const FIXTURES = path.join(ROOT, 'test/fixtures/submissions');
const EXAMPLE = path.join(ROOT, 'submissions/example');
const BOTH = ['linux/amd64', 'linux/arm64'];

// The example's bonus runs its delete script in the sandbox image.
const skip = await stackSkip({ sandboxImage: true });

// ------------------------------------------------------------------ the CLI

/** Starts `grader grade ...` from the repo root, as a student or a batch script would. */
const startGrade = (args: string[], killAfterMs = 150_000) => startGrader(['grade', ...args], { env: { ...process.env, GRADER_DEBUG: '' }, killAfterMs });

const grade = (...args: string[]) => startGrade(args).done;

// Out dirs live under /var/tmp where there is one: on the shared machine /tmp has been emptied mid-run.
const WORK_BASE = tmpdir();

/** Out dirs of this file, removed at the end. */
const outDirs: string[] = [];
async function newOutDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(WORK_BASE, `bg-e2e-${name}-`));
  outDirs.push(dir);
  return path.join(dir, 'out');
}

async function readResults(outDir: string): Promise<GradeResult> {
  return JSON.parse(await readFile(path.join(outDir, 'results.json'), 'utf8')) as GradeResult;
}

/** registry7 of a grader run, from the cache ref its build 1 imports from (the log exists before results.json). */
async function registry7Of(outDir: string): Promise<string | undefined> {
  const log = await readFile(path.join(outDir, 'logs/build-1.log'), 'utf8').catch(() => '');
  return /importing cache manifest from (127\.0\.0\.1:\d+)\//.exec(log)?.[1];
}

function check(result: GradeResult, id: string): CheckResult {
  const c = result.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in results.json`);
  return c;
}


// ------------------------------------------------------------------ leftovers

const PERMANENT = new Set(['buildx-grader-base']);
const RUN_LABEL = 'buildx-grader.run';

/** Docker objects the grader creates: named buildx-grader-… (also buildx_buildkit_buildx-grader-…), or labelled with a run id. */
async function graderObjects(): Promise<Set<string>> {
  const list = async (kind: string, args: string[]) => {
    const r = await run('docker', args, { timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', labels = ''] = line.split('\t');
        return { name: name.trim(), labels };
      })
      .filter(({ name, labels }) => !PERMANENT.has(name) && (name.includes('buildx-grader-') || labels.includes(`${RUN_LABEL}=`)))
      .map(({ name }) => `${kind} ${name}`);
  };
  const [containers, volumes, networks, builders] = await Promise.all([
    list('container', ['ps', '-a', '--format', '{{.Names}}\t{{.Labels}}']),
    list('volume', ['volume', 'ls', '--format', '{{.Name}}\t{{.Labels}}']),
    list('network', ['network', 'ls', '--format', '{{.Name}}\t{{.Labels}}']),
    list('builder', ['buildx', 'ls', '--format', '{{.Name}}']),
  ]);
  return new Set([...containers, ...volumes, ...networks, ...builders]);
}

/** Run ids of the registry7 containers there are now, with the host ports they publish. */
async function registry7Runs(): Promise<Map<string, string>> {
  const r = await run('docker', ['ps', '-a', '--filter', 'label=buildx-grader.role=registry7', '--format', `{{.Label "${RUN_LABEL}"}}\t{{.Ports}}`]);
  return new Map(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
}

/**
 * Objects that appeared since `before` and are still there. Docker is shared with other
 * engineers' grader runs, so a new object is attributed by the run id in its name: the run of
 * the registry7 that published `ourRegistry7` (HOST:PORT of this test's run) is ours, any other
 * registry7's run is someone else's. An object of no known run (the bonus sandbox's `bg-…`)
 * counts only if it stays: the CLI has exited, so a leak of ours never goes away, while
 * another run's objects vanish when that run ends.
 */
async function leftoversSince(before: Set<string>, ourRegistry7: string | undefined, graceMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const fresh = [...(await graderObjects())].filter((o) => !before.has(o));
    if (fresh.length === 0) return [];
    const runs = [...(await registry7Runs())];
    const ours = runs.filter(([, ports]) => ourRegistry7 !== undefined && ports.includes(`${ourRegistry7}->`)).map(([id]) => id);
    // Only a running registry7 on another port is surely someone else's; a stopped one is judged by whether it stays.
    const others = runs.filter(([id, ports]) => ports.includes('->') && !ours.includes(id)).map(([id]) => id);
    const named = (o: string, ids: string[]) => ids.some((id) => o.includes(id));
    const mine = fresh.filter((o) => named(o, ours));
    const unknown = fresh.filter((o) => !named(o, ours) && !named(o, others));
    if (mine.length > 0 || (unknown.length > 0 && Date.now() > deadline)) return [...mine, ...unknown];
    if (unknown.length === 0) return [];
    await sleep(1_000);
  }
}

/** `RUN sleep 297` of the slow fixture, still running somewhere (BuildKit's runc, QEMU). */
async function sleepers(): Promise<string[]> {
  const ps = await run('ps', ['-eo', 'pid,args']);
  return ps.stdout.split('\n').filter((l) => /\bsleep 297\b/.test(l));
}

// ------------------------------------------------------------------ tests

describe('grader grade end to end (real Docker, buildx, registry7)', { skip, timeout: 300_000 }, () => {
  let baseline: Set<string>;
  /** HOST:PORT of the registry7 of the current test's grader run, when it got that far. */
  let ourRegistry7: string | undefined;
  /** results.json of the example, shared by the tests that read it. */
  let example: { run: CliRun; out: string; result: GradeResult } | undefined;

  before(async () => {
    // The base image the fixtures build FROM must be there (scripts/setup.sh puts it there).
    const r = await fetch('http://127.0.0.1:5055/v2/library/busybox/manifests/latest', {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' },
    }).catch((error: unknown) => ({ status: String(error) }));
    assert.equal(r.status, 200, 'base image 127.0.0.1:5055/library/busybox:latest missing: run scripts/setup.sh');
  });

  beforeEach(async () => {
    baseline = await graderObjects();
    ourRegistry7 = undefined;
  });

  afterEach(async () => {
    const left = await leftoversSince(baseline, ourRegistry7);
    assert.deepEqual(left, [], `the grader left Docker objects behind: ${left.join(', ')}`);
  });

  after(async () => {
    await Promise.all(outDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('grades the bundled example green: both builds, CACHED for both platforms, 150%, both reports', async () => {
    const out = await newOutDir('example');
    const r = await grade(EXAMPLE, '--out', out);
    ourRegistry7 = await registry7Of(out);
    assert.equal(r.code, 0, describeRun(r));
    const result = await readResults(out);
    example = { run: r, out, result };

    for (const c of result.checks.filter((x) => x.id !== 'report.consistency')) assert.equal(c.status, 'pass', `${c.id}: ${c.status} — ${c.message}`);
    assert.equal(result.checks.length, 18);
    // setup.sh publishes the example afresh, so the digest its report pasted (captured earlier) is not the published one: flagged, no points lost.
    const consistency = check(result, 'report.consistency');
    assert.equal(consistency.status, 'manual', consistency.message);
    assert.match(consistency.message, /Digest obrazu w sprawozdaniu \(sprawozdanie\.md, wiersz 37: sha256:21ed4132[0-9a-f]{56}\) nie zgadza się z opublikowanym/);
    assert.equal(result.score.manualReview, undefined, 'a check worth no points is not in the grade line');
    assert.deepEqual(result.submission.report, ['sprawozdanie.md']);
    assert.match(check(result, 'report.cacheEvidence').message, /import cache \(sprawozdanie\.md, wiersz \d+\) i kroki CACHED \(12 z 12\)/);
    assert.equal(result.score.percent, 150);
    assert.match(check(result, 'builder.container').message, /lab7builder/);
    assert.equal(result.score.passed, true);
    assert.equal(result.needsRegrade, false);
    assert.equal(result.environment.isolation, 'prune');
    assert.match(result.environment.isolationReason ?? '', /--isolation prune/);

    assert.deepEqual(result.builds.map((b) => [b.n, b.exitCode, b.timedOut]), [[1, 0, false], [2, 0, false]]);
    for (const b of result.builds) {
      assert.match(b.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(b.cacheExported, true, `build ${b.n} exported no cache`);
      assert.ok(existsSync(path.join(out, b.logFile)), `${b.logFile} missing`);
      // The student's command from the report, its refs moved into registry7 under <id>/<path>:<tag>.
      for (const arg of ['--push', '--progress=rawjson', '--metadata-file', BOTH.join(','), 'VERSION=1.0']) assert.ok(b.argv.includes(arg), `build ${b.n} argv lacks ${arg}`);
      assert.ok(b.argv.includes(`${ourRegistry7}/s99656/pogoda:multiarch`), `build ${b.n} argv lacks the moved -t ref: ${b.argv.join(' ')}`);
      assert.ok(b.argv.includes(`type=registry,ref=${ourRegistry7}/s99656/pogoda:buildcache,mode=max`), `build ${b.n} argv lacks the moved --cache-to: ${b.argv.join(' ')}`);
      assert.ok(b.argv.includes(`type=registry,ref=${ourRegistry7}/s99656/pogoda:buildcache`), `build ${b.n} argv lacks the moved --cache-from`);
    }
    assert.deepEqual(result.reproduced, { image: `${ourRegistry7}/s99656/pogoda:multiarch`, cache: `${ourRegistry7}/s99656/pogoda:buildcache` });
    // The example's submission.json gives no build commands: they come from its report.
    assert.match(result.submission.command?.source ?? '', /^sprawozdanie\.md, wiersz \d+$/);
    const said = check(result, 'build.first').evidence.find((e) => e.kind === 'text' && e.title.startsWith('Polecenie studenta'));
    assert.ok(said && said.kind === 'text' && said.text.includes('127.0.0.1:5055/s99656/pogoda:multiarch --push'), JSON.stringify(said));
    const [first, second] = result.builds;
    assert.deepEqual(first!.steps.map((s) => s.platform), BOTH);
    for (const s of first!.steps) assert.equal(s.cached, 0, `build 1 (empty builder) had CACHED steps: ${JSON.stringify(s)}`);
    assert.deepEqual(second!.steps.map((s) => s.platform), BOTH);
    // Every step of build 2 came from the registry cache (a hit buildx shows only as a layer
    // download counts too: see grader/build-log/parse.ts).
    for (const s of second!.steps) {
      assert.ok(s.total > 0, `${s.platform}: no steps`);
      assert.equal(s.cached, s.total, `${s.platform}: ${s.cached}/${s.total} CACHED in build 2`);
    }
    assert.equal(second!.cacheImport, 'imported');
    assert.deepEqual(check(result, 'cache.hit').metrics, {
      'linux/amd64.cached': second!.steps[0]!.cached, 'linux/amd64.total': second!.steps[0]!.total,
      'linux/arm64.cached': second!.steps[1]!.cached, 'linux/arm64.total': second!.steps[1]!.total,
    });

    // Reports: Markdown and a real PDF.
    const md = await readFile(path.join(out, 'raport.md'), 'utf8');
    assert.match(md, /150/);
    const pdf = await readFile(path.join(out, 'raport.pdf'));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok((await stat(path.join(out, 'raport.pdf'))).size > 1000);

    // The terminal verdict: green, with CACHED counts for both platforms of build 2.
    assert.match(r.stdout, /✔ cache\.hit/);
    assert.doesNotMatch(r.stdout, /✘/);
    assert.match(r.stdout, /^Zaliczone.*\(150%\)$/m);
    const build2 = r.stdout.split('\n').find((l) => l.startsWith('Budowanie 2:')) ?? '';
    for (const s of second!.steps) assert.ok(build2.includes(`${s.platform} ${s.cached}/${s.total} CACHED`), build2);
    assert.match(r.stderr, /budowanie 1\/2/);
    assert.match(r.stderr, /budowanie 2\/2/);

    // Nothing the grader built stays in the local image store.
    const images = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.ok(result.reproduced);
    assert.ok(!images.stdout.includes(result.reproduced.image.replace(/:[^:/]+$/, '')), images.stdout);
  });

  it('reports a cache import that finds nothing (build 1 against an empty registry7) as such', async () => {
    assert.ok(example, 'needs the example run of the previous test');
    const { result, out } = example;
    const first = result.builds[0]!;
    assert.equal(first.cacheImport, 'not-found');
    const log = await readFile(path.join(out, first.logFile), 'utf8');
    assert.match(log, /importing cache manifest from \S+:buildcache/);
    assert.match(log, /failed to configure registry cache importer: .*not found/);
    // The report says it in Polish, in build 1's row of the build table.
    const md = await readFile(path.join(out, 'raport.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| 1 '));
    assert.ok(row, 'no row for build 1 in raport.md');
    assert.match(row, /brak cache w rejestrze/);
  });

  it('a rubric without the bonus check grades no bonus: no deletion test, no bonus check, 100%', async () => {
    const out = await newOutDir('no-bonus');
    const r = await grade(EXAMPLE, '--out', out, '--rubric', path.join(ROOT, 'bench/rubric-base.json'), '--format', 'none');
    ourRegistry7 = await registry7Of(out);
    assert.equal(r.code, 0, describeRun(r));
    const result = await readResults(out);
    assert.equal(result.rubric.id, 'lab7-base');
    assert.deepEqual(result.checks.map((c) => [c.id, c.status]), [
      'image.multiplatform', 'cache.published', 'builder.container', 'build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit',
      'report.twoBuilds', 'report.platforms', 'report.manifest', 'report.cacheEvidence', 'report.builder', 'report.registry7', 'report.cacheTo',
    ].map((id) => [id, 'pass']).concat([['report.consistency', 'manual']]), 'report.consistency comes after the rubric\'s checks, worth nothing');
    assert.equal(result.score.percent, 100);
    assert.equal(result.score.bonusMax, 0);
    assert.doesNotMatch(r.stderr, /zadanie dodatkowe/, 'the deletion test ran');
    assert.ok(!existsSync(path.join(out, 'raport.md')) && !existsSync(path.join(out, 'raport.pdf')), '--format none wrote a report');
  });

  it('a failing RUN fails build.first with the error excerpt, skips the rest, exit 1, results.json written', async () => {
    const out = await newOutDir('run-fails');
    const r = await grade(path.join(FIXTURES, 'run-fails'), '--out', out, '--format', 'md');
    ourRegistry7 = await registry7Of(out);
    assert.equal(r.code, 1, describeRun(r)); // batch-safe: a failed check, not bad input (2) or infra (3)
    const result = await readResults(out);

    const first = check(result, 'build.first');
    assert.equal(first.status, 'fail', first.message);
    assert.match(first.message, /exit code: 127/);
    assert.match(first.message, /wiersz 4/);
    assert.match(first.hint ?? '', /127/);
    const logLines = first.evidence.flatMap((e) => (e.kind === 'log' ? e.lines : []));
    assert.ok(logLines.some((l) => /exit code: 127/.test(l.text)), JSON.stringify(logLines));
    const marked = logLines.find((l) => l.text.includes('>>>'));
    assert.ok(marked, 'no >>> Dockerfile line in the evidence');
    assert.match(marked.text, />>> RUN nonexistent-command/);
    assert.equal(marked.highlight, true);
    // Line numbers point into the saved full log.
    const log = (await readFile(path.join(out, 'logs/build-1.log'), 'utf8')).split('\n');
    assert.equal(log[marked.n - 1], marked.text);

    for (const id of ['build.index', 'cache.exported', 'cache.imported', 'cache.hit', 'bonus.registry7.delete']) {
      assert.equal(check(result, id).status, 'skip', id);
    }
    assert.equal(result.builds.length, 1);
    assert.equal(result.builds[0]!.exitCode, 1);
    assert.match(result.builds[0]!.errorSummary ?? '', /exit code: 127/);
    assert.equal(result.needsRegrade, false);
    assert.ok(existsSync(path.join(out, 'raport.md')));
    assert.ok(!existsSync(path.join(out, 'raport.pdf')), '--format md wrote a PDF');
    assert.match(r.stdout, /✘ build\.first/);
    assert.doesNotMatch(r.stderr, /błąd:/);
  });

  it('a build for linux/amd64 only fails build.index naming linux/arm64, and cache.hit', async () => {
    const out = await newOutDir('amd64-only');
    const r = await grade(path.join(FIXTURES, 'amd64-only'), '--out', out, '--format', 'md');
    ourRegistry7 = await registry7Of(out);
    assert.equal(r.code, 1, describeRun(r));
    const result = await readResults(out);

    assert.equal(check(result, 'build.first').status, 'pass');
    const index = check(result, 'build.index');
    assert.equal(index.status, 'fail', index.message);
    assert.match(index.message, /linux\/arm64/);
    const hit = check(result, 'cache.hit');
    assert.equal(hit.status, 'fail', hit.message);
    assert.match(hit.message, /linux\/arm64 0\/0/);
    // The one platform built is counted as itself (buildx prints no platform in a single-platform log).
    // The student's own single --platform, not the lab's two.
    for (const b of result.builds) assert.equal(b.argv[b.argv.indexOf('--platform') + 1], 'linux/amd64', b.argv.join(' '));
    const amd = result.builds[1]!.steps;
    assert.deepEqual(amd.map((s) => s.platform), ['linux/amd64']);
    assert.ok(amd[0]!.total > 0 && amd[0]!.cached > 0, JSON.stringify(amd));
    assert.match(hit.message, new RegExp(`linux/amd64 ${amd[0]!.cached}/${amd[0]!.total}`));
    assert.equal(hit.metrics?.['linux/amd64.cached'], amd[0]!.cached);
    assert.equal(hit.metrics?.['linux/arm64.total'], 0);
    assert.equal(result.score.passed, false);
    assert.ok(result.score.requiredFailed.includes('build.index'));
  });

  it('bad input exits 2 before touching Docker: every submission.json problem with its JSON path; a missing folder', async () => {
    const out = await newOutDir('malformed');
    const r = await grade(path.join(FIXTURES, 'malformed'), '--out', out);
    assert.equal(r.code, 2, describeRun(r));
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    const paths = ['/extra', '/student/id', '/student/name', '/published/image', '/build/retries', '/build/platforms', '/build/context'];
    for (const p of paths) assert.ok(problems.some((l) => l.includes(`submission.json: ${p}:`)), `${p} not reported:\n${r.stderr}`);
    assert.equal(problems.length, paths.length, r.stderr);
    assert.match(r.stderr, /7 problemów/);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(out), 'an out dir was created for bad input');

    const missing = await grade(path.join(FIXTURES, 'no-such-submission'), '--out', out);
    assert.equal(missing.code, 2, describeRun(missing));
    assert.match(missing.stderr, /no-such-submission/);
    assert.match(missing.stderr, /nie istnieje/);

    const flag = await grade(EXAMPLE, '--out', out, '--isolation', 'vm');
    assert.equal(flag.code, 2, describeRun(flag));
    assert.match(flag.stderr, /--isolation/);
    assert.ok(!existsSync(out));
  });

  it('Ctrl-C during build 1 exits 130 quickly, stops the build and removes everything', async () => {
    const out = await newOutDir('sigint');
    const started = startGrade([path.join(FIXTURES, 'slow-build'), '--out', out, '--format', 'md']);
    let exited: CliRun | undefined;
    void started.done.then((r) => (exited = r));
    // Wait until the student's RUN sleep is really running in BuildKit.
    const logFile = path.join(out, 'logs/build-1.log');
    const deadline = Date.now() + 90_000;
    for (;;) {
      assert.equal(exited, undefined, exited && `the grader ended before the build: ${describeRun(exited)}`);
      assert.ok(Date.now() < deadline, `build never started:\n${started.out.stderr}`);
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (started.out.stderr.includes('budowanie 1/2') && /RUN sleep 297/.test(log) && (await sleepers()).length > 0) break;
      await sleep(250);
    }
    ourRegistry7 = await registry7Of(out);
    assert.ok(ourRegistry7, 'no registry7 in the build log');
    const sentAt = Date.now();
    started.child.kill('SIGINT');
    const r = await started.done;
    const exitedAt = Date.now();
    const tookMs = exitedAt - sentAt;
    assert.equal(r.code, 130, describeRun(r));
    assert.ok(tookMs < 20_000, `exit took ${tookMs} ms after SIGINT`);
    assert.match(r.stderr, /Przerwano \(SIGINT\)/);
    assert.match(r.stderr, /sprzątam/);
    assert.ok(!existsSync(path.join(out, 'results.json')), 'an interrupted grade must not look finished');
    assert.match(await readFile(logFile, 'utf8'), /budowanie przerwane przez użytkownika/);

    // BuildKit cancels the RUN; the grader no longer holds the daemon lock.
    let left = await sleepers();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await sleep(250);
      left = await sleepers();
    }
    assert.deepEqual(left, [], 'RUN sleep 297 still running after Ctrl-C');
    // A lock directory left by the dead grader is never refreshed again; another grader's is,
    // every 10 s (daemon-lock.ts).
    let lock = await stat(DEFAULT_LOCK_PATH).catch(() => undefined);
    for (let i = 0; i < 60 && lock && lock.mtimeMs <= exitedAt; i++) {
      await sleep(250);
      lock = await stat(DEFAULT_LOCK_PATH).catch(() => undefined);
    }
    assert.ok(!lock || lock.mtimeMs > exitedAt, 'the interrupted grader left its docker driver lock behind');
  });
});
