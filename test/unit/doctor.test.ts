// `grader doctor`: verdicts from facts (versions, platforms, engine info, image presence), the fixes
// per OS, the text report, and diagnose() on a fake docker (engine down: dependent checks skipped).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allRequiredOk, arm64Verdict, browserFix, buildxVerdict, containerdStoreVerdict, diagnose, engineDetail, errorDetail, FIXES,
  formatReport, hostOs, imageFix, imageVerdict, MIN_BUILDX, type DoctorDocker, type Fix, type Prerequisite,
} from '../../grader/cli/doctor.ts';
import { parseBuildxInspect, type BuilderInfo, type EngineVersion } from '../../grader/docker/docker.ts';
import { InfraError } from '../../grader/errors.ts';
import { installHint } from '../../grader/report/find-browser.ts';

const OSES = ['linux', 'darwin', 'win32'] as const;

// `docker buildx inspect default` on this repository's Linux stack (Docker 28.5.2, QEMU binfmt for arm64).
const LINUX_DEFAULT = parseBuildxInspect(`Name:          default
Driver:        docker
Last Activity: 2026-12-01 07:18:32 +0000 UTC

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.0.0+unknown
Platforms:        linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4, linux/arm64
`);
// Docker Desktop on Apple Silicon: arm64 native, amd64 emulated.
const MAC_DEFAULT = parseBuildxInspect(`Name:          desktop-linux
Driver:        docker

Nodes:
Name:             desktop-linux
Endpoint:         desktop-linux
Status:           running
BuildKit version: v0.25.1
Platforms:        linux/arm64, linux/amd64, linux/amd64/v2, linux/riscv64, linux/ppc64le, linux/s390x, linux/386, linux/arm/v7, linux/arm/v6
`);
// Linux without binfmt: only the host's own platforms.
const NO_EMULATION = parseBuildxInspect('Name: default\nDriver: docker\n\nNodes:\nName: default\nPlatforms: linux/amd64, linux/amd64/v2, linux/386\n');

describe('buildxVerdict', () => {
  test(`accepts ${MIN_BUILDX} and newer, refuses older with the minimum named`, () => {
    assert.equal(buildxVerdict('0.10.0').ok, true);
    assert.equal(buildxVerdict('0.29.1').ok, true);
    assert.equal(buildxVerdict('1.0.0').ok, true);
    const old = buildxVerdict('0.9.1');
    assert.equal(old.ok, false);
    assert.match(old.detail, /0\.9\.1 jest za stary: wymagany co najmniej 0\.10\.0/);
  });
});

describe('arm64Verdict', () => {
  test('Linux amd64 with QEMU: amd64 native, arm64 emulated', () => {
    const v = arm64Verdict(LINUX_DEFAULT, 'amd64');
    assert.equal(v.ok, true);
    assert.match(v.detail, /^linux\/amd64 natywnie, linux\/arm64 przez emulację \(platformy buildera default: linux\/amd64, /);
  });

  test('Apple Silicon: arm64 native, amd64 emulated', () => {
    const v = arm64Verdict(MAC_DEFAULT, 'arm64');
    assert.equal(v.ok, true);
    assert.match(v.detail, /^linux\/arm64 natywnie, linux\/amd64 przez emulację/);
  });

  test('unknown engine architecture: both present is enough, the platforms are listed', () => {
    const v = arm64Verdict(LINUX_DEFAULT);
    assert.equal(v.ok, true);
    assert.match(v.detail, /^platformy buildera default: /);
  });

  test('no emulation: names the missing platform', () => {
    const v = arm64Verdict(NO_EMULATION, 'amd64');
    assert.equal(v.ok, false);
    assert.match(v.detail, /nie buduje linux\/arm64; platformy buildera default: linux\/amd64, linux\/amd64\/v2, linux\/386$/);
  });

  test('a builder with no platforms (Windows containers) or no default builder fails', () => {
    const empty: BuilderInfo = { name: 'default', driver: 'docker', nodes: [] };
    assert.match(arm64Verdict(empty, 'amd64').detail, /nie buduje linux\/amd64 ani linux\/arm64; platformy buildera default: brak/);
    assert.deepEqual(arm64Verdict(undefined, 'amd64'), { ok: false, detail: 'brak buildera „default” (docker buildx ls)' });
  });
});

describe('containerdStoreVerdict', () => {
  test('on: prune possible; off: only prune needs it', () => {
    assert.deepEqual(containerdStoreVerdict({ containerdStore: true, storageDriver: 'overlayfs' }), {
      ok: true, detail: 'włączony (sterownik overlayfs): można użyć --isolation prune',
    });
    const off = containerdStoreVerdict({ containerdStore: false, storageDriver: 'overlay2' });
    assert.equal(off.ok, false);
    assert.match(off.detail, /^wyłączony \(sterownik overlay2\): potrzebny tylko do --isolation prune/);
  });
});

describe('imageVerdict', () => {
  test('a local image is ok', () => {
    assert.deepEqual(imageVerdict('registry', 'registry:2', true), { ok: true, detail: 'registry:2 jest lokalnie' });
    assert.match(imageVerdict('buildkit', 'moby/buildkit:buildx-stable-1', true).detail, /domyślna izolacja \(container\) gotowa/);
  });

  test('a missing image is no failure: pulled on first grade, with the pull command', () => {
    for (const [kind, ref] of [['buildkit', 'moby/buildkit:buildx-stable-1'], ['registry', 'registry:2'], ['sandbox', 'mirror:5000/sandbox:1']] as const) {
      const v = imageVerdict(kind, ref, false);
      assert.equal(v.ok, true, kind);
      assert.equal(v.detail, `${ref} nie ma lokalnie: grader pobierze go przy pierwszej ocenie (docker pull ${ref}; potrzebny internet)`);
    }
  });

  test('the default sandbox is built from alpine instead', () => {
    const v = imageVerdict('sandbox', 'buildx-grader/sandbox:1', false);
    assert.equal(v.ok, true);
    assert.equal(v.detail, 'buildx-grader/sandbox:1 nie ma lokalnie: grader zbuduje go z alpine:3.20 przy pierwszej ocenie (potrzebny internet)');
  });
});

describe('fixes per OS', () => {
  const complete = (fix: Fix) => {
    assert.deepEqual(Object.keys(fix).sort(), ['darwin', 'linux', 'win32']);
    for (const os of OSES) assert.ok(fix[os].length > 20, os);
  };

  test('every check that can fail has a fix for Linux, macOS and Windows', () => {
    for (const fix of Object.values(FIXES)) complete(fix);
    complete(imageFix('registry', 'registry:2'));
  });

  test('containerd store: daemon.json on Linux, the Docker Desktop setting elsewhere', () => {
    assert.match(FIXES['containerd-store'].linux, /\/etc\/docker\/daemon\.json .*"containerd-snapshotter": true.*sudo systemctl restart docker/);
    for (const os of ['darwin', 'win32'] as const) {
      assert.match(FIXES['containerd-store'][os], /Settings → General → „Use containerd for pulling and storing images”/);
    }
  });

  test('arm64: tonistiigi/binfmt or Debian packages on Linux, built-in emulation of Docker Desktop elsewhere', () => {
    assert.match(FIXES.arm64.linux, /docker run --privileged --rm tonistiigi\/binfmt --install arm64/);
    assert.match(FIXES.arm64.linux, /apt-get install qemu-user-static binfmt-support/);
    assert.match(FIXES.arm64.darwin, /Docker Desktop ma emulację wbudowaną/);
    assert.match(FIXES.arm64.win32, /Docker Desktop \(WSL 2\) ma emulację QEMU wbudowaną/);
  });

  test('engine and buildx: systemctl and packages on Linux, Docker Desktop elsewhere', () => {
    assert.match(FIXES.engine.linux, /sudo systemctl start docker/);
    assert.match(FIXES.engine.darwin, /open -a Docker/);
    assert.match(FIXES.engine.win32, /winget install Docker\.DockerDesktop/);
    assert.match(FIXES.buildx.linux, new RegExp(`co najmniej ${MIN_BUILDX.replaceAll('.', '\\.')}.*apt-get install docker-buildx`));
    assert.match(FIXES.buildx.darwin, /Zaktualizuj Docker Desktop/);
  });

  test('images: pull or a mirror named in the variable, in the syntax of the OS shell', () => {
    const fix = imageFix('buildkit', 'moby/buildkit:buildx-stable-1');
    assert.match(fix.linux, /^Pobierz obraz: docker pull moby\/buildkit:buildx-stable-1; .*export GRADER_BUILDKIT_IMAGE=HOST\/ŚCIEŻKA:TAG\.$/);
    assert.match(fix.win32, /\$env:GRADER_BUILDKIT_IMAGE = "HOST\/ŚCIEŻKA:TAG" \(PowerShell\)\.$/);
    assert.match(imageFix('sandbox', 'buildx-grader/sandbox:1').darwin, /^Grader sam zbuduje obraz buildx-grader\/sandbox:1 .*alpine:3\.20/);
  });

  test('browser: install hints per OS, a wrong variable fixed the same way everywhere', () => {
    const missing = { found: false, problem: 'brak', fix: 'Popraw ścieżkę w CHROME_PATH.' } as const;
    assert.deepEqual(browserFix(missing, true), { linux: missing.fix, darwin: missing.fix, win32: missing.fix });
    assert.deepEqual(browserFix(missing, false), { linux: installHint('linux'), darwin: installHint('darwin'), win32: installHint('win32') });
  });
});

describe('details', () => {
  test('engine version line', () => {
    const v: EngineVersion = { client: '28.2.2', server: '28.5.2+dfsg4', apiVersion: '1.51', os: 'linux', arch: 'amd64' };
    assert.equal(engineDetail(v), 'Docker Engine 28.5.2+dfsg4 (API 1.51, linux/amd64; klient 28.2.2)');
  });

  test("DockerCli's Debian setup advice is dropped: the per-OS fix replaces it", () => {
    assert.equal(errorDetail(new InfraError('Silnik Dockera nie odpowiada (Cannot connect). Uruchom go: npm run setup')), 'Silnik Dockera nie odpowiada (Cannot connect).');
    assert.equal(errorDetail(new InfraError('Brak wtyczki buildx (exit 1). Zainstaluj: npm run setup')), 'Brak wtyczki buildx (exit 1).');
    assert.equal(errorDetail(new InfraError('Nie można uruchomić klienta Dockera (docker): ENOENT. Zainstaluj stos: npm run setup')), 'Nie można uruchomić klienta Dockera (docker): ENOENT.');
    assert.equal(errorDetail('plain'), 'plain');
  });

  test('hostOs: other Unixes get the Linux fixes', () => {
    assert.equal(hostOs('darwin'), 'darwin');
    assert.equal(hostOs('win32'), 'win32');
    assert.equal(hostOs('linux'), 'linux');
    assert.equal(hostOs('freebsd'), 'linux');
  });
});

describe('formatReport', () => {
  const fix: Fix = { linux: 'naprawa linuksowa', darwin: 'naprawa macOS', win32: 'naprawa Windows' };
  const checks: Prerequisite[] = [
    { id: 'engine', title: 'Silnik Dockera', required: true, ok: false, detail: 'nie odpowiada', fix },
    { id: 'buildx', title: 'Docker Buildx', required: true, ok: true, detail: 'buildx 0.29.1' },
    { id: 'arm64', title: 'Budowanie', required: true, ok: false, detail: 'nie sprawdzono: silnik Dockera nie odpowiada', skipped: true },
    { id: 'browser', title: 'Przeglądarka', required: false, ok: false, detail: 'brak', fix },
  ];

  test('prints the fix for the current OS only, marks skipped checks, says what is missing', () => {
    const text = formatReport(checks, allRequiredOk(checks), 'darwin');
    assert.equal(text, [
      'Wymagania buildx-grader (macOS):',
      '  BRAK  Silnik Dockera: nie odpowiada',
      '        naprawa: naprawa macOS',
      '  ok    Docker Buildx: buildx 0.29.1',
      '  ?     Budowanie: nie sprawdzono: silnik Dockera nie odpowiada',
      '  brak  Przeglądarka: brak (opcjonalne)',
      '        naprawa: naprawa macOS',
      '',
      'Brakuje wymaganych elementów: ocenianie nie zadziała, dopóki ich nie naprawisz.',
      'Elementów oznaczonych „?” nie sprawdzono: uruchom grader doctor ponownie, gdy silnik Dockera zacznie odpowiadać.',
    ].join('\n'));
    assert.match(formatReport(checks, false, 'win32'), /naprawa: naprawa Windows/);
  });

  test('an optional check failing does not fail the whole', () => {
    const onlyOptional = checks.filter((c) => !c.required || c.ok);
    assert.equal(allRequiredOk(onlyOptional), true);
    assert.match(formatReport(onlyOptional, true, 'linux'), /Wszystkie wymagane elementy działają\.$/);
  });
});

/** A docker that answers with these facts and records what it was asked. */
function fakeDocker(facts: { up: boolean; images?: string[]; inspectFails?: boolean }): DoctorDocker & { calls: string[] } {
  const calls: string[] = [];
  const engineCall = <T>(name: string, value: () => T) => async (): Promise<T> => {
    calls.push(name);
    if (!facts.up) throw new InfraError('Silnik Dockera nie odpowiada (Cannot connect). Uruchom go: npm run setup');
    return value();
  };
  return {
    calls,
    version: engineCall('version', () => ({ client: '28.2.2', server: '28.5.2', apiVersion: '1.51', os: 'linux', arch: 'amd64' })),
    info: engineCall('info', () => ({ serverVersion: '28.5.2', storageDriver: 'overlay2', containerdStore: false })),
    buildxVersion: async () => ({ version: '0.29.1', raw: 'github.com/docker/buildx v0.29.1 abc' }),
    inspectBuilder: async (name: string) => {
      calls.push(`inspectBuilder ${name}`);
      if (facts.inspectFails) throw new InfraError('Docker: nie udało się sprawdzić buildera default: boom');
      return LINUX_DEFAULT;
    },
    imageExists: async (ref: string) => {
      calls.push(`imageExists ${ref}`);
      return (facts.images ?? []).includes(ref);
    },
  };
}

// A browser variable naming a missing file: the same answer on every machine.
const ENV = { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome', GRADER_BUILDKIT_IMAGE: 'mirror:5000/moby/buildkit:1' };
const IDS = ['engine', 'buildx', 'docker-container-driver', 'containerd-store', 'arm64', 'registry-image', 'sandbox-image', 'browser', 'ocr'];
// Mock: tesseract's answer is the machine's; these tests are about diagnose's logic (the real probe runs in test/itg/doctor-cli.test.ts).
const NO_OCR = async () => ({ ok: false as const, message: 'Na komputerze prowadzącego nie ma programu tesseract (OCR).' });

describe('diagnose', () => {
  test('engine up, images absent: every required check ok, the overridden BuildKit image will be pulled', async () => {
    const docker = fakeDocker({ up: true, images: ['registry:2'] });
    const checks = await diagnose({ docker, env: ENV, platform: 'linux', ocr: NO_OCR });
    assert.deepEqual(checks.map((c) => c.id), IDS);
    assert.equal(allRequiredOk(checks), true);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    assert.match(byId['docker-container-driver']!.detail, /docker pull mirror:5000\/moby\/buildkit:1/);
    assert.ok(docker.calls.includes('imageExists mirror:5000/moby/buildkit:1'));
    assert.match(byId['sandbox-image']!.detail, /zbuduje go z alpine/);
    assert.equal(byId['registry-image']!.detail, 'registry:2 jest lokalnie');
    // Optional failures carry their fix; the JSON keys stay in the documented order.
    assert.deepEqual(Object.keys(byId['containerd-store']!), ['id', 'title', 'required', 'ok', 'detail', 'fix']);
    assert.deepEqual(byId['containerd-store']!.fix, FIXES['containerd-store']);
    assert.match(byId.browser!.detail, /PUPPETEER_EXECUTABLE_PATH wskazuje „\/nonexistent\/chrome”/);
    assert.deepEqual(Object.keys(byId.engine!), ['id', 'title', 'required', 'ok', 'detail']);
    // OCR is optional: without it screenshots go to the instructor, grading still works.
    assert.deepEqual([byId.ocr!.required, byId.ocr!.ok, byId.ocr!.fix], [false, false, FIXES.ocr]);
  });

  test('engine down: the engine fails with its fix, dependent checks are skipped without fixes or docker calls', async () => {
    const docker = fakeDocker({ up: false });
    const checks = await diagnose({ docker, env: ENV, platform: 'linux', ocr: NO_OCR });
    assert.equal(allRequiredOk(checks), false);
    const [engine, ...rest] = checks;
    assert.deepEqual(engine, {
      id: 'engine', title: 'Silnik Dockera', required: true, ok: false, detail: 'Silnik Dockera nie odpowiada (Cannot connect).', fix: FIXES.engine,
    });
    for (const c of rest.filter((r) => !['buildx', 'browser', 'ocr'].includes(r.id))) {
      assert.deepEqual(Object.keys(c), ['id', 'title', 'required', 'ok', 'detail', 'skipped'], c.id);
      assert.equal(c.ok, false);
      assert.equal(c.detail, 'nie sprawdzono: silnik Dockera nie odpowiada');
    }
    assert.equal(rest.find((c) => c.id === 'buildx')?.ok, true);
    assert.deepEqual(docker.calls, ['version']);
  });

  test('a probe that throws fails its own check with the error and the fix', async () => {
    const checks = await diagnose({ docker: fakeDocker({ up: true, inspectFails: true }), env: ENV, platform: 'linux', ocr: NO_OCR });
    const arm64 = checks.find((c) => c.id === 'arm64');
    assert.deepEqual(arm64, {
      id: 'arm64', title: 'Budowanie linux/amd64 i linux/arm64', required: true, ok: false,
      detail: 'Docker: nie udało się sprawdzić buildera default: boom', fix: FIXES.arm64,
    });
    assert.equal(allRequiredOk(checks), false);
  });
});
