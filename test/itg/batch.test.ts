// `grader batch`, `grader cleanup` on the real stack (Docker, buildx, registry:2, base registry on 127.0.0.1:5055).
// Six submissions with -j 2, SIGINT after the first student, --resume; a roster with a git
// (file://) source and a hostile submission.json; cleanup of a deliberately leaked container.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCsv } from '../../grader/batch/csv.ts';
import { isEmpty, scanLeftovers } from '../../grader/batch/leftovers.ts';
import { DockerCli } from '../../grader/docker/docker.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { run } from '../../grader/util/exec.ts';
import { grader } from '../helpers/cli.ts';

const BASE = 'buildx-grader-base';
const docker = new DockerCli({ timeoutMs: 60_000 });
const stackUp = (await run('docker', ['inspect', '-f', '{{.State.Running}}', BASE], { timeoutMs: 10_000 })).stdout === 'true';
const skip = !stackUp && process.env.CI !== 'true' ? 'no Docker stack (run scripts/setup.sh)' : false;
const EXAMPLE_BASED = new Set(['s03-amd64', 's04-nocache']);
const KEYS = ['s01-green', 's02-failing', 's03-amd64', 's04-nocache', 's05-partial', 's06-broken', 's70007'];
/** A repository as handed in: the example without submission.json (id from the folder name, commands from the report). */
const AS_HANDED_IN = 's70007';

const readResult = async (dir: string): Promise<GradeResult> => JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8'));
const runIdOf = (stderr: string): string => /Przebieg (\S+):/.exec(stderr)?.[1] ?? assert.fail(`no run id in: ${stderr.slice(0, 300)}`);
const verdicts = (r: GradeResult) => r.checks.map((c) => [c.id, c.status, c.points]);

describe('grader batch on the real stack', { skip }, () => {
  let work: string;
  let stamp: Server;
  let green: GradeResult;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'buildx-grader-batch-test-'));
    // Answers with new content on every request: the partial-cache student's ADD misses in build 2.
    let n = 0;
    stamp = createServer((_req, res) => res.end(`stamp ${++n} ${process.hrtime.bigint()}\n`));
    await new Promise<void>((resolve) => stamp.listen(0, '127.0.0.1', resolve));
    const port = (stamp.address() as AddressInfo).port;
    const input = path.join(work, 'in');
    await mkdir(input);
    await cp('submissions/example', path.join(input, 's01-green'), { recursive: true });
    await cp('submissions/example', path.join(input, AS_HANDED_IN), { recursive: true, filter: (src) => !src.endsWith('submission.json') });
    for (const k of KEYS.slice(1, -1)) {
      // These two are the example's app with their own submission.json.
      if (EXAMPLE_BASED.has(k)) await cp('submissions/example', path.join(input, k), { recursive: true });
      await cp(path.join('test/fixtures/batch', k), path.join(input, k), { recursive: true });
    }
    const template = await readFile(path.join(input, 's05-partial', 'submission.template.json'), 'utf8');
    await writeFile(path.join(input, 's05-partial', 'submission.json'), template.replace('@PORT@', String(port)));
  });
  after(async () => {
    stamp?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('seven submissions with -j 2: SIGINT after the first student, then --resume completes without regrading it', async () => {
    const input = path.join(work, 'in');
    const out = path.join(work, 'out');
    const t0 = performance.now();
    let signalled = false;
    const first = await grader(['batch', input, '-j', '2', '--out', out, '--export', 'gradescope'], { onStart: (child) => {
      const poll = setInterval(async () => {
        const done = await finishedKeys(out);
        if (done.length && !signalled) {
          signalled = true;
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 200);
      child.on('close', () => clearInterval(poll));
    } });
    console.log(`interrupted run: ${Math.round(performance.now() - t0)} ms, exit ${first.code}`);
    assert.ok(signalled, `the batch ended before any student finished: ${first.stderr}`);
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /--resume/);
    assert.ok(isEmpty(await scanLeftovers(docker, runIdOf(first.stderr))), 'Docker objects left after Ctrl-C');
    const finished = await finishedKeys(out);
    assert.ok(finished.length >= 1 && finished.length < KEYS.length, `finished: ${finished.join(', ')}`);
    const before = new Map<string, { gradedAt: string; mtimeMs: number }>();
    for (const k of finished) {
      before.set(k, { gradedAt: (await readResult(path.join(out, k))).gradedAt, mtimeMs: (await stat(path.join(out, k, 'results.json'))).mtimeMs });
    }

    // Earlier results are never touched without --resume/--force.
    const refused = await grader(['batch', input, '--out', out]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /zawiera już wyniki.*--resume/s);

    const t1 = performance.now();
    const resumed = await grader(['batch', input, '-j', '2', '--out', out, '--resume', '--export', 'gradescope']);
    console.log(`resumed run: ${Math.round(performance.now() - t1)} ms, exit ${resumed.code}\n${resumed.stdout}`);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(isEmpty(await scanLeftovers(docker, runIdOf(resumed.stderr))), 'Docker objects left after the batch');
    for (const [k, was] of before) {
      const now = { gradedAt: (await readResult(path.join(out, k))).gradedAt, mtimeMs: (await stat(path.join(out, k, 'results.json'))).mtimeMs };
      assert.deepEqual(now, was, `${k} was graded again`);
    }

    for (const k of KEYS) {
      const files = await readdir(path.join(out, k));
      for (const f of ['results.json', 'raport.md', 'raport.pdf', 'logs']) assert.ok(files.includes(f), `${k}/${f} missing`);
      await stat(path.join(out, 'gradescope', k, 'results.json'));
    }
    assert.deepEqual((await readdir(out)).filter((f) => !f.startsWith('.')).sort(),
      [...KEYS, 'gradescope', 'summary.csv', 'summary.md', 'summary.pdf'].sort());

    const csv = await readFile(path.join(out, 'summary.csv'), 'utf8');
    assert.ok(csv.startsWith('\uFEFF'), 'summary.csv starts with a BOM');
    const parsed = parseCsv(csv);
    assert.ok('rows' in parsed);
    const [header, ...rows] = parsed.rows;
    const col = (row: string[], name: string) => row[header!.indexOf(name)];
    const byKey = new Map(rows.map((r) => [r[0]!, r]));
    assert.deepEqual([...byKey.keys()], KEYS);
    const summary = Object.fromEntries(KEYS.map((k) => [k, [col(byKey.get(k)!, 'status'), col(byKey.get(k)!, 'total')]]));
    console.log(JSON.stringify(summary));

    green = await readResult(path.join(out, 's01-green'));
    assert.deepEqual(summary['s01-green'], ['zaliczone', '25.5']);
    assert.equal(col(byKey.get('s01-green')!, 'cache.hit'), '2');

    const failing = await readResult(path.join(out, 's02-failing'));
    assert.equal(failing.checks.find((c) => c.id === 'build.first')?.status, 'fail');
    // Its build fails, but its own docker buildx create (docker-container, --use) earns builder.container's point.
    assert.equal(failing.checks.find((c) => c.id === 'builder.container')?.status, 'pass');
    assert.deepEqual(summary['s02-failing'], ['niezaliczone', '1']);

    const amd64 = await readResult(path.join(out, 's03-amd64'));
    assert.equal(amd64.checks.find((c) => c.id === 'build.first')?.status, 'pass');
    assert.equal(amd64.checks.find((c) => c.id === 'build.index')?.status, 'fail');
    // The student's own --platform and refs, moved into registry7 under <id>/<path>:<tag>.
    const amdArgv = amd64.builds[0]!.argv;
    assert.equal(amdArgv[amdArgv.indexOf('--platform') + 1], 'linux/amd64', amdArgv.join(' '));
    assert.equal(amd64.reproduced?.image, `${amd64.environment.registry7}/s10003/lab7:multiarch`);
    assert.equal(summary['s03-amd64']![0], 'niezaliczone');

    const nocache = await readResult(path.join(out, 's04-nocache'));
    assert.equal(nocache.checks.find((c) => c.id === 'cache.published')?.status, 'fail');
    assert.equal(col(byKey.get('s04-nocache')!, 'cache.published'), '0');
    assert.equal(nocache.checks.find((c) => c.id === 'cache.hit')?.status, 'pass');

    const partial = await readResult(path.join(out, 's05-partial'));
    const second = partial.builds.find((b) => b.n === 2);
    console.log(`partial cache, build 2: ${JSON.stringify(second?.steps)}`);
    assert.ok(second && second.steps.length === 2, 'build 2 steps for both platforms');
    for (const s of second.steps) assert.ok(s.cached > 0 && s.cached < s.total, `${s.platform}: ${s.cached}/${s.total} is not partial`);
    assert.equal(partial.checks.find((c) => c.id === 'cache.hit')?.status, 'fail');

    const broken = await readResult(path.join(out, 's06-broken'));
    assert.match(broken.score.grade, /^Niezaliczone — niepoprawny opis pracy \(submission\.json\)/);
    assert.equal(broken.needsRegrade, false);
    assert.ok((broken.checks[0]?.evidence[0] as { text?: string })?.text?.includes('/student/id'));
    assert.deepEqual(summary['s06-broken'], ['niezaliczone', '0']);

    // Graded as handed in: what was inferred is in its results, its commands came from the report.
    const handedIn = await readResult(path.join(out, AS_HANDED_IN));
    assert.deepEqual(handedIn.student, { id: 's70007', name: 's70007' });
    assert.deepEqual(handedIn.submission.inferred?.map((i) => i.field), ['student.id', 'student.name', 'build.commands', 'build.commands', 'build.dockerfile', 'report', 'bonus.deleteScript']);
    assert.match(handedIn.submission.command?.source ?? '', /^sprawozdanie\.md, wiersz \d+$/);
    // Its refs live in registry7 under its own id, whatever id the pasted commands name.
    assert.ok(handedIn.reproduced?.image.startsWith(`${handedIn.environment.registry7}/s70007/`), handedIn.reproduced?.image);
    // No published refs to read (no submission.json): 2 points fewer than the example, everything else passes.
    assert.deepEqual(summary[AS_HANDED_IN], ['zaliczone', '23.5']);

    const md = await readFile(path.join(out, 'summary.md'), 'utf8');
    assert.match(md, /zaliczone: 3, niezaliczone: 4, nie do oceny: 0/);
    // The example's report is in four works (s03 and s04 are example copies too): flagged, not failed.
    assert.match(md, /- identyczne dowody u: `s01-green`, `s03-amd64`, `s04-nocache`, `s70007` \(log budowania: s01-green: sprawozdanie\.md, wiersz \d+;/);
    const gs = JSON.parse(await readFile(path.join(out, 'gradescope', 's01-green', 'results.json'), 'utf8'));
    assert.equal(gs.score, 25.5);
    assert.equal(gs.max_score, 17);
    assert.ok(gs.tests.every((t: { status: string }) => t.status === 'passed'));
  });

  test('roster CSV: a git (file://) source cloned without hooks and a hostile submission.json; same verdicts as the folder', async () => {
    const rosterDir = path.join(work, 'roster');
    const repo = path.join(work, 'repo');
    await cp('submissions/example', repo, { recursive: true });
    const git = (args: string[], cwd = repo) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, timeoutMs: 30_000 });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', 'lab7']);
    const bare = path.join(work, 'lab7.git');
    assert.equal((await git(['clone', '-q', '--bare', repo, bare], work)).exitCode, 0);
    // A hook in the bare repo must not matter: clones never copy hooks, and hooksPath=/dev/null.
    await writeFile(path.join(bare, 'hooks', 'post-checkout'), `#!/bin/sh\ntouch ${path.join(work, 'HOOK-RAN')}\n`, { mode: 0o755 });
    await mkdir(rosterDir);
    await cp('test/fixtures/batch/hostile', path.join(rosterDir, 'hostile'), { recursive: true });
    await writeFile(path.join(rosterDir, 'lista.csv'),
      `id,name,source,image,cache\r\ns99656,"Józef Żółkiewski",file://${bare},,\r\ns10007,"Hakerka Ścieżkowa",hostile,,\r\n`);
    const out = path.join(work, 'out-roster');
    const t0 = performance.now();
    const r = await grader(['batch', path.join(rosterDir, 'lista.csv'), '-j', '2', '--out', out, '--format', 'md']);
    console.log(`roster batch: ${Math.round(performance.now() - t0)} ms, exit ${r.code}\n${r.stdout}`);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(stat(path.join(work, 'HOOK-RAN')), 'a git hook ran');
    await assert.rejects(stat(path.join(out, '.work', 's99656')), 'the clone was not removed');

    const hostile = await readResult(path.join(out, 's10007'));
    assert.match(hostile.score.grade, /niepoprawny opis pracy/);
    const problems = (hostile.checks[0]?.evidence[0] as { text: string }).text;
    assert.match(problems, /\/build\/context: ścieżka „x\/\.\.\/\.\.\/\.\.” zawiera „\.\.”/);
    assert.match(problems, /\/build\/dockerfile: ścieżka „\/etc\/passwd” jest bezwzględna/);
    assert.match(problems, /\/bonus\/deleteScript/);

    // The same submission graded twice (folder above, git clone here): same verdicts and points.
    const again = await readResult(path.join(out, 's99656'));
    if (!green) assert.fail('the first test did not grade s01-green');
    assert.deepEqual(verdicts(again), verdicts(green));
    assert.deepEqual({ ...again.score }, { ...green.score });
  });

  test('grader cleanup removes a leaked labelled container and never the base registry', async () => {
    const runId = `cleanuptest-${Date.now().toString(36)}`;
    const name = `buildx-grader-r7-${runId}`;
    await docker.ok(['run', '-d', '--name', name, '--label', `buildx-grader.run=${runId}`, '--entrypoint', '/bin/busybox', 'registry:2', 'sleep', '300'], 'start a leaked container');
    try {
      const dry = await grader(['cleanup', '--dry-run', '--run', runId]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`Do usunięcia — kontenery: ${name}`));
      assert.ok(await docker.inspectContainer(name), 'dry run removed it');
      const all = await grader(['cleanup', '--dry-run']);
      assert.ok(!all.stdout.split(/[\s,]+/).includes(BASE), `base listed: ${all.stdout}`);

      const real = await grader(['cleanup', '--run', runId]);
      assert.equal(real.code, 0, real.stderr);
      assert.match(real.stdout, /Usunięto 1 obiekt\./);
      assert.equal(await docker.inspectContainer(name), undefined);
      assert.equal((await docker.inspectContainer(BASE))?.running, true);
      const again = await grader(['cleanup', '--run', runId]);
      assert.match(again.stdout, /nic do usunięcia/);
    } finally {
      await docker.removeContainers([name]);
    }
  });
});

async function finishedKeys(out: string): Promise<string[]> {
  const keys = await readdir(out).catch(() => [] as string[]);
  const done: string[] = [];
  for (const k of keys) if (await stat(path.join(out, k, 'results.json')).then(() => true, () => false)) done.push(k);
  return done.filter((k) => KEYS.includes(k));
}

