// Faults on the real stack (Docker, buildx, registry7, base registry 127.0.0.1:5055), through the
// real `grader batch` CLI: one batch (-j 2, --build-timeout 60s) with a build that never ends, a
// build that floods its log, a published cache in a missing repository, a published image on a
// closed port and four absurdly sized submission.json files; then --retry-errors; then Ctrl-C
// during build 2 of a student. Each student gets a clear verdict, the rest are graded, and
// nothing of the run stays: containers, volumes, networks, builders (run label
// buildx-grader.run or name prefix buildx-grader-, never the permanent buildx-grader-base) and
// the run's temp dirs (/tmp/buildx-grader-*, told apart by their owner file).
// Fixtures: test/fixtures/faults/ (see its README).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCsv } from '../../grader/batch/csv.ts';
import { DEFAULT_LOG_CAP_BYTES } from '../../grader/docker/build-runner.ts';
import type { CheckResult, GradeResult } from '../../grader/results/types.ts';
import { run } from '../../grader/util/exec.ts';
import { OWNER_FILE, TEMP_PREFIX } from '../../grader/util/temp-dir.ts';
import { describeRun, grader, ROOT, type CliRun } from '../helpers/cli.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const FAULTS = path.join(ROOT, 'test/fixtures/faults');
const RUN_LABEL = 'buildx-grader.run';
const skip = await stackSkip({ sandboxImage: true });

// ------------------------------------------------------------------ the CLI

const runIdOf = (stderr: string): string => /Przebieg (\S+):/.exec(stderr)?.[1] ?? assert.fail(`no run id in: ${stderr.slice(0, 300)}`);
const readResult = async (dir: string): Promise<GradeResult> => JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as GradeResult;
const exists = (p: string) => stat(p).then(() => true, () => false);

function check(result: GradeResult, id: string): CheckResult {
  const c = result.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in results.json of ${result.student.id}`);
  return c;
}

const evidenceText = (c: CheckResult) => c.evidence.map((e) => ('text' in e ? String(e.text) : '')).join('\n');

// ------------------------------------------------------------------ leftovers of one run

/** A run id also covers its students' ids (`<run>-s3`). */
const ofRun = (value: string, runId: string) => value === runId || value.startsWith(`${runId}-`) || value.startsWith(`${runId}_`);

/** Docker objects of the run: labelled with its id, or named buildx-grader-…<run id>… (never the base registry). */
async function dockerLeftovers(runId: string): Promise<string[]> {
  const list = async (kind: string, args: string[]) => {
    const r = await run('docker', args, { timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).map((line) => {
      const [name = '', label = ''] = line.split('\t').map((s) => s.trim());
      return { name, label };
    }).filter(({ name, label }) => name !== BASE && (ofRun(label, runId) || (/buildx-grader-/.test(name) && name.includes(runId))))
      .map(({ name }) => `${kind} ${name}`);
  };
  const label = `{{.Label "${RUN_LABEL}"}}`;
  return (await Promise.all([
    list('container', ['ps', '-a', '--format', `{{.Names}}\t${label}`]),
    list('volume', ['volume', 'ls', '--format', `{{.Name}}\t${label}`]),
    list('network', ['network', 'ls', '--format', `{{.Name}}\t${label}`]),
    list('builder', ['buildx', 'ls', '--format', '{{.Name}}']),
  ])).flat();
}

/** Temp dirs /tmp/buildx-grader-* of the run (owner file: the grader's pid, the student's run id). */
async function tempLeftovers(runId: string, pid: number): Promise<string[]> {
  const root = tmpdir();
  const found: string[] = [];
  for (const name of (await readdir(root)).filter((n) => n.startsWith(TEMP_PREFIX))) {
    const owner = await readFile(path.join(root, name, OWNER_FILE), 'utf8').then((t) => JSON.parse(t) as { pid?: number; runId?: string }, () => undefined);
    if (owner && (owner.pid === pid || (owner.runId !== undefined && ofRun(owner.runId, runId)))) found.push(path.join(root, name));
  }
  return found;
}

async function assertNoLeftovers(r: CliRun): Promise<void> {
  const runId = runIdOf(r.stderr);
  assert.deepEqual(await dockerLeftovers(runId), [], `Docker objects of run ${runId} left`);
  assert.deepEqual(await tempLeftovers(runId, r.pid), [], `temp dirs of run ${runId} left`);
}

/** `RUN sleep 100000` of the hang fixture, still running in BuildKit (runc or QEMU). */
async function sleepers(): Promise<string[]> {
  const ps = await run('ps', ['-eo', 'pid,args']);
  return ps.stdout.split('\n').filter((l) => /\bsleep 100000\b/.test(l));
}

// ------------------------------------------------------------------ fixtures

const FIXTURE_KEYS = { 'a-hang': 'hang', 'b-flood': 'flood', 'c-missing-cache': 'missing-cache', 'd-unreachable': 'unreachable' } as const;
const ABSURD_KEYS = ['e1-name-1mb', 'e2-args-100k', 'e3-name-60k', 'e4-args-3000'];
const KEYS = [...Object.keys(FIXTURE_KEYS), ...ABSURD_KEYS];
const DOCKERFILE = 'FROM 127.0.0.1:5055/library/busybox:latest\nRUN true\n';

/** Absurd sizes: over the 64 KiB file limit (1 MB name, 100 000 build args) and under it (schema limits). */
async function writeAbsurd(dir: string): Promise<void> {
  const args = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`A${i}`, '1']));
  const files: Record<string, object> = {
    'e1-name-1mb': { student: { id: 's20005', name: 'N'.repeat(1_000_000) } },
    'e2-args-100k': { student: { id: 's20006', name: 'Sto Tysięcy' }, build: { args: args(100_000) } },
    'e3-name-60k': { student: { id: 's20007', name: 'N'.repeat(60_000) } },
    'e4-args-3000': { student: { id: 's20008', name: 'Trzy Tysiące' }, build: { args: args(3000) } },
  };
  for (const [key, data] of Object.entries(files)) {
    await mkdir(path.join(dir, key));
    await writeFile(path.join(dir, key, 'submission.json'), JSON.stringify(data));
    await writeFile(path.join(dir, key, 'Dockerfile'), DOCKERFILE);
  }
}

async function snapshot(out: string, keys: string[]): Promise<Map<string, { gradedAt: string; mtimeMs: number }>> {
  const m = new Map<string, { gradedAt: string; mtimeMs: number }>();
  for (const k of keys) {
    m.set(k, { gradedAt: (await readResult(path.join(out, k))).gradedAt, mtimeMs: (await stat(path.join(out, k, 'results.json'))).mtimeMs });
  }
  return m;
}

// ------------------------------------------------------------------ tests

describe('grader batch: faults on the real stack', { skip, timeout: 420_000 }, () => {
  let work: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-faults-test-'));
    const input = path.join(work, 'in');
    await mkdir(input);
    for (const [key, fixture] of Object.entries(FIXTURE_KEYS)) await cp(path.join(FAULTS, fixture), path.join(input, key), { recursive: true });
    await writeAbsurd(input);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('one batch -j 2: timeout, log flood, missing cache repo, unreachable registry, absurd sizes; then --retry-errors regrades only the unreachable one', async () => {
    const input = path.join(work, 'in');
    const out = path.join(work, 'out');
    // 60 s: the hang fixture's build is stopped at this limit; the flood fixture needs ~15 s.
    const r = await grader(['batch', input, '-j', '2', '--out', out, '--build-timeout', '60s', '--format', 'md']);
    console.log(`fault batch: ${r.ms} ms, exit ${r.code}\n${r.stdout}`);
    // The unreachable registry makes one student "nie do oceny": exit 3, not 0 or 1.
    assert.equal(r.code, 3, describeRun(r));
    await assertNoLeftovers(r);
    assert.deepEqual(await sleepers(), [], 'RUN sleep 100000 still running after the build timeout');

    // (a) never finishes: the build timeout stops it, build.first fails (the student's fault, final).
    const hang = await readResult(path.join(out, 'a-hang'));
    const hangFirst = check(hang, 'build.first');
    assert.equal(hangFirst.status, 'fail', hangFirst.message);
    assert.match(hangFirst.message, /nie skończyło się w limicie czasu/);
    assert.match(hangFirst.hint ?? '', /RUN nie czeka w nieskończoność/);
    assert.equal(hang.builds.length, 1);
    assert.equal(hang.builds[0]!.timedOut, true);
    assert.ok(hang.builds[0]!.durationMs >= 60_000 && hang.builds[0]!.durationMs < 100_000, `build 1 took ${hang.builds[0]!.durationMs} ms`);
    assert.match(await readFile(path.join(out, 'a-hang', 'logs/build-1.log'), 'utf8'), /przekroczono limit czasu budowania \(60 s\)/);
    assert.equal(hang.needsRegrade, false);

    // (b) a flood of log lines (several MB; the cut itself is tested with a small cap in
    // isolation-prune.test.ts): the key lines are there, the grade works.
    const flood = await readResult(path.join(out, 'b-flood'));
    const floodLog = path.join(out, 'b-flood', 'logs/build-1.log');
    const size = (await stat(floodLog)).size;
    console.log(`flood log: ${size} B`);
    assert.ok(size > 1024 * 1024 && size < DEFAULT_LOG_CAP_BYTES + 256 * 1024, `log is ${size} B, cap ${DEFAULT_LOG_CAP_BYTES}`);
    // The verdicts first: a failed flood build says why in its message, not in a 20 MB log dump.
    for (const c of ['build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit']) {
      assert.equal(check(flood, c).status, 'pass', `flood ${c}: ${check(flood, c).message}`);
    }
    const text = await readFile(floodLog, 'utf8');
    for (const key of [/pushing manifest for \S+:multiarch/, /exporting cache to registry/, /^#\d+ \[linux\/arm64 /m]) assert.ok(key.test(text), `${key} not in the kept log`);
    for (const s of flood.builds[1]!.steps) assert.equal(s.cached, s.total, `flood build 2 ${s.platform}: ${s.cached}/${s.total}`);
    // No bonus.deleteScript: the bonus is the student's answer alone, so none is 0 points (and not required).
    const floodBonus = check(flood, 'bonus.registry7.delete');
    assert.equal(floodBonus.status, 'fail', floodBonus.message);
    assert.match(floodBonus.message, /^Brak odpowiedzi: /);
    assert.equal(floodBonus.points, 0);

    // (c) the published cache names a repository that does not exist: 404, a fail; the rest is graded.
    const missing = await readResult(path.join(out, 'c-missing-cache'));
    const cachePublished = check(missing, 'cache.published');
    assert.equal(cachePublished.status, 'fail', cachePublished.message);
    assert.match(cachePublished.message, /nie istnieje w rejestrze \(HTTP 404\)/);
    assert.equal(check(missing, 'image.multiplatform').status, 'pass');
    assert.equal(check(missing, 'build.first').status, 'pass');
    assert.equal(check(missing, 'cache.hit').status, 'pass');
    assert.equal(missing.needsRegrade, false);

    // (d) the published registry is unreachable: not gradable (error), never a fail; listed as such.
    const unreachable = await readResult(path.join(out, 'd-unreachable'));
    const image = check(unreachable, 'image.multiplatform');
    assert.equal(image.status, 'error', image.message);
    assert.equal(unreachable.needsRegrade, true);
    assert.equal(check(unreachable, 'build.first').status, 'pass', 'the builds do not depend on the student\'s registry');

    // (e) absurd sizes: a clear verdict about submission.json, 0 points, final.
    const absurd: Record<string, RegExp> = {
      'e1-name-1mb': /plik jest za duży \(\d+ B, dozwolone najwyżej 65536 B\)/,
      'e2-args-100k': /plik jest za duży/,
      'e3-name-60k': /\/student\/name/,
      'e4-args-3000': /\/build\/args/,
    };
    for (const [key, problem] of Object.entries(absurd)) {
      const res = await readResult(path.join(out, key));
      assert.match(res.score.grade, /^Niezaliczone — niepoprawny opis pracy \(submission\.json\)/, key);
      assert.match(evidenceText(res.checks[0]!), problem, key);
      assert.equal(res.needsRegrade, false, key);
      assert.equal(res.builds.length, 0, key);
      // The verdict must not carry the absurd content along.
      assert.ok((await stat(path.join(out, key, 'results.json'))).size < 64 * 1024, `${key}/results.json is huge`);
    }

    // summary.csv / summary.md: one row per student, the unreachable one "nie do oceny" with its cause.
    const parsed = parseCsv(await readFile(path.join(out, 'summary.csv'), 'utf8'));
    assert.ok('rows' in parsed);
    const [header, ...rows] = parsed.rows;
    const col = (row: string[], name: string) => row[header!.indexOf(name)]!;
    const byKey = new Map(rows.map((row) => [row[0]!, row]));
    assert.deepEqual([...byKey.keys()], KEYS);
    const statuses = Object.fromEntries(KEYS.map((k) => [k, col(byKey.get(k)!, 'status')]));
    assert.deepEqual(statuses, {
      // b and c: the checks that fail or are skipped there are not required ones.
      'a-hang': 'niezaliczone', 'b-flood': 'zaliczone', 'c-missing-cache': 'zaliczone', 'd-unreachable': 'nie do oceny',
      'e1-name-1mb': 'niezaliczone', 'e2-args-100k': 'niezaliczone', 'e3-name-60k': 'niezaliczone', 'e4-args-3000': 'niezaliczone',
    });
    assert.ok(col(byKey.get('d-unreachable')!, 'cause').length > 0, 'no cause for the unreachable student');
    const md = await readFile(path.join(out, 'summary.md'), 'utf8');
    assert.match(md, /nie do oceny: 1/);
    assert.match(md, /## Nie do oceny[\s\S]*`d-unreachable`/);
    assert.match(r.stdout, /nie do oceny: d-unreachable/);

    // --retry-errors: only the unreachable student is graded again; the others' results are untouched.
    const others = KEYS.filter((k) => k !== 'd-unreachable');
    const before = await snapshot(out, others);
    const unreachableBefore = unreachable.gradedAt;
    const retry = await grader(['batch', input, '-j', '2', '--out', out, '--retry-errors', '--build-timeout', '60s', '--format', 'md']);
    console.log(`--retry-errors: ${retry.ms} ms, exit ${retry.code}`);
    assert.equal(retry.code, 3, describeRun(retry)); // still unreachable
    await assertNoLeftovers(retry);
    assert.deepEqual(await snapshot(out, others), before, 'a student other than d-unreachable was graded again');
    assert.notEqual((await readResult(path.join(out, 'd-unreachable'))).gradedAt, unreachableBefore, 'd-unreachable was not graded again');
    const startedKeys = [...retry.stderr.matchAll(/→ (\S+): rozpoczynam ocenę/g)].map((m) => m[1]);
    assert.deepEqual(startedKeys, ['d-unreachable']);
  });

  test('Ctrl-C during build 2 of a student: exit 130, no leftovers, finished students intact, --resume finishes it', async () => {
    const input = path.join(work, 'in-sigint');
    const out = path.join(work, 'out-sigint');
    await mkdir(input);
    await cp(path.join(ROOT, 'submissions/example'), path.join(input, 'a-green'), { recursive: true });
    await cp(path.join(work, 'in', 'e1-name-1mb'), path.join(input, 'b-absurd'), { recursive: true });
    const build2 = path.join(out, 'a-green', 'logs/build-2.log');
    let signalled = false;
    const r = await grader(['batch', input, '-j', '2', '--out', out, '--format', 'md'], { onStart: (child) => {
      const poll = setInterval(() => {
        void exists(build2).then((there) => {
          if (there && !signalled) {
            signalled = true;
            clearInterval(poll);
            child.kill('SIGINT');
          }
        });
      }, 100);
      child.once('close', () => clearInterval(poll));
    } });
    console.log(`interrupted batch: ${r.ms} ms, exit ${r.code}`);
    assert.ok(signalled, `the batch ended before build 2: ${describeRun(r)}`);
    assert.equal(r.code, 130, describeRun(r));
    assert.match(r.stderr, /--resume/);
    await assertNoLeftovers(r);
    // The student in build 2 has no result (it is graded again by --resume); the finished one is intact.
    assert.equal(await exists(path.join(out, 'a-green', 'results.json')), false, 'an interrupted student must not look finished');
    await sleep(200);
    assert.match(await readFile(build2, 'utf8'), /budowanie przerwane przez użytkownika/);
    const absurd = await readResult(path.join(out, 'b-absurd'));
    assert.match(absurd.score.grade, /niepoprawny opis pracy/);
    const before = await snapshot(out, ['b-absurd']);

    const resumed = await grader(['batch', input, '-j', '2', '--out', out, '--resume', '--format', 'md']);
    assert.equal(resumed.code, 0, describeRun(resumed));
    await assertNoLeftovers(resumed);
    assert.deepEqual(await snapshot(out, ['b-absurd']), before);
    const green = await readResult(path.join(out, 'a-green'));
    assert.equal(green.score.passed, true, green.score.grade);
  });

  test('grader cleanup removes temp dirs of dead grader processes only (of the given run)', async () => {
    const runId = `faultstest-${Date.now().toString(36)}`;
    // A pid that surely ended: a finished child of ours.
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('close', resolve));
    const make = async (owner: object | undefined) => {
      const dir = await mkdtemp(path.join(tmpdir(), `${TEMP_PREFIX}cleanuptest-`));
      if (owner) await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
      return dir;
    };
    const stale = await make({ pid: dead.pid, runId: `${runId}-s1` });
    const alive = await make({ pid: process.pid, runId: `${runId}-s2` });
    const otherRun = await make({ pid: dead.pid, runId: 'someone-else' });
    const noOwner = await make(undefined);
    try {
      const dry = await grader(['cleanup', '--dry-run', '--run', runId]);
      assert.equal(dry.code, 0, describeRun(dry));
      assert.match(dry.stdout, new RegExp(`Do usunięcia — katalogi tymczasowe: ${stale.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      assert.ok(await exists(stale), 'the dry run removed it');

      const real = await grader(['cleanup', '--run', runId]);
      assert.equal(real.code, 0, describeRun(real));
      assert.equal(await exists(stale), false, 'the dead run\'s temp dir stayed');
      for (const d of [alive, otherRun, noOwner]) assert.ok(await exists(d), `${d} was removed`);
    } finally {
      for (const d of [stale, alive, otherRun, noOwner]) await rm(d, { recursive: true, force: true });
    }
  });
});
