// `grader doctor` through the real CLI on this machine: everything grading needs is there (the
// BuildKit image named by GRADER_BUILDKIT_IMAGE is absent and reported as pulled on first use;
// doctor never pulls), and with DOCKER_HOST at no daemon the engine fails while the checks that
// need it are skipped rather than failed with their own fixes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FIXES, hostOs, type Prerequisite } from '../../grader/cli/doctor.ts';
import { describeRun, grader, type CliRun } from '../helpers/cli.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });
// Loopback only, and no such tag: nothing ever leaves the machine.
const ABSENT_BUILDKIT = '127.0.0.1:5055/moby/buildkit:absent';
const IDS = ['engine', 'buildx', 'docker-container-driver', 'containerd-store', 'arm64', 'registry-image', 'sandbox-image', 'browser', 'ocr'];
const NEEDS_ENGINE = ['docker-container-driver', 'containerd-store', 'arm64', 'registry-image', 'sandbox-image'];

function doctor(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  // The default runtime images, except BuildKit; DOCKER_CONTEXT would compete with a DOCKER_HOST.
  const { GRADER_REGISTRY_IMAGE, GRADER_SANDBOX_IMAGE, DOCKER_CONTEXT, ...base } = process.env;
  return grader(['doctor', ...args], { env: { ...base, GRADER_BUILDKIT_IMAGE: ABSENT_BUILDKIT, ...env }, killAfterMs: 90_000 });
}


function parse(r: CliRun): { ok: boolean; checks: Prerequisite[]; byId: Record<string, Prerequisite> } {
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: Prerequisite[] };
  return { ...out, byId: Object.fromEntries(out.checks.map((c) => [c.id, c])) };
}

describe('grader doctor on this machine', { skip, timeout: 240_000 }, () => {
  test('--json: exit 0, every check present, the missing BuildKit image will be pulled on first grade', async () => {
    const r = await doctor(['--json']);
    assert.equal(r.code, 0, describeRun(r));
    const { ok, checks, byId } = parse(r);
    assert.equal(ok, true);
    assert.deepEqual(checks.map((c) => c.id), IDS);
    // setup.sh installs tesseract with Polish and English data.
    for (const id of ['engine', 'buildx', 'arm64', 'registry-image', 'sandbox-image', 'docker-container-driver', 'ocr']) {
      assert.equal(byId[id]?.ok, true, `${id}: ${byId[id]?.detail}`);
      assert.equal(byId[id]?.fix, undefined, id);
    }
    assert.match(byId.engine!.detail, /^Docker Engine \d+\.\d+/);
    assert.match(byId.buildx!.detail, /^buildx \d+\.\d+\.\d+ \(wymagany co najmniej 0\.10\.0\)$/);
    assert.match(byId.arm64!.detail, /linux\/arm64/);
    assert.equal(byId['registry-image']!.detail, 'registry:2 jest lokalnie');
    assert.equal(byId['sandbox-image']!.detail, 'buildx-grader/sandbox:1 jest lokalnie');
    assert.equal(byId['docker-container-driver']!.detail,
      `${ABSENT_BUILDKIT} nie ma lokalnie: grader pobierze go przy pierwszej ocenie (docker pull ${ABSENT_BUILDKIT}; potrzebny internet)`);
    for (const c of checks) assert.deepEqual(Object.keys(c).filter((k) => !['fix', 'skipped'].includes(k)), ['id', 'title', 'required', 'ok', 'detail']);
  });

  test('--json with DOCKER_HOST at no daemon: exit 3, the engine fails with fixes for all three OSes, dependent checks skipped', async () => {
    const r = await doctor(['--json'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    assert.equal(r.code, 3, describeRun(r));
    const { ok, checks, byId } = parse(r);
    assert.equal(ok, false);
    assert.deepEqual(checks.map((c) => c.id), IDS);
    assert.equal(byId.engine!.ok, false);
    assert.match(byId.engine!.detail, /nie odpowiada/);
    assert.deepEqual(byId.engine!.fix, FIXES.engine);
    for (const id of NEEDS_ENGINE) {
      assert.equal(byId[id]!.ok, false, id);
      assert.equal(byId[id]!.skipped, true, id);
      assert.match(byId[id]!.detail, /^nie sprawdzono/, id);
      assert.equal(byId[id]!.fix, undefined, id);
    }
    // The buildx plugin answers without a daemon.
    assert.equal(byId.buildx!.ok, true, byId.buildx!.detail);
  });

  test('text mode prints only the fix for this OS, once, under the engine', async () => {
    const r = await doctor([], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    assert.equal(r.code, 3, describeRun(r));
    const fixes = r.stdout.split('\n').filter((l) => l.trim().startsWith('naprawa:'));
    assert.deepEqual(fixes, [`        naprawa: ${FIXES.engine[hostOs(process.platform)]}`]);
    assert.match(r.stdout, /^ {2}\? {5}Budowanie linux\/amd64 i linux\/arm64: nie sprawdzono: silnik Dockera nie odpowiada$/m);
  });

  test('--help: Polish, with an example and the JSON shape', async () => {
    const r = await doctor(['--help']);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^Użycie: grader doctor \[--json\]/);
    assert.match(r.stdout, /Przykłady:\n {2}grader doctor\n/);
    assert.match(r.stdout, /"fix": \{"linux", "darwin", "win32"\}/);
  });
});
