// Pure parts of the bonus: GC output, explanations, verdicts, the check, sandbox argv.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { blockedConnectionsIn } from '../../grader/bonus/blocked.ts';
import { explain, findingOfAnswer, type FindingKey } from '../../grader/bonus/explain.ts';
import { formatBytes } from '../../grader/bonus/format.ts';
import { summarizeGcOutput } from '../../grader/bonus/gc-summary.ts';
import { judgeDeleteFlow, judgeScript } from '../../grader/bonus/judge.ts';
import { resolveScript, sandboxCreateArgs } from '../../grader/bonus/sandbox.ts';
import { DEFAULT_IMAGES, runtimeImage } from '../../grader/docker/runtime-images.ts';
import type { DeleteFlowOutcome, ScriptOutcome } from '../../grader/bonus/types.ts';
import { buildRegistry7DeleteCheck } from '../../grader/checks/bonus-registry7-delete.ts';

// Real `registry garbage-collect` output (registry:2 here, after deleting the example's cache).
const GC_OUTPUT = `s99656/pogoda
s99656/pogoda: marking manifest sha256:ff7564f5dfe6f5504149181cc963a1a623d2a130271b83ff25f49594bfea643b
s99656/pogoda: marking blob sha256:2d3b11235ad0ddf19a29b74c8b379218215b24b0ba0a0d9cb0fff05b5b8607a6

21 blobs marked, 7 blobs and 0 manifests eligible for deletion
blob eligible for deletion: sha256:94570a32cfb6bfeb8182d99fb606e06aff380a7083a2db37b32fb1219bded20e
time="2026-11-23T12:27:27.855956058Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/94/94570a32cfb6bfeb8182d99fb606e06aff380a7083a2db37b32fb1219bded20e" go.version=go1.19.8 service=registry
time="2026-11-23T12:27:27.857198799Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/95/959532fba9a02c9848a9c8a7b1385ed8b1102e45f16e6e0968727cc5d0a8e8a1" go.version=go1.19.8 service=registry`;

const passing: DeleteFlowOutcome = {
  registry: '127.0.0.1:5000', repository: 's99656/pogoda', imageTag: 'multiarch', cacheTag: 'buildcache',
  steps: [
    { title: 'Digest', method: 'HEAD', url: 'http://127.0.0.1:5000/v2/s99656/pogoda/manifests/buildcache', status: 200 },
    { title: 'DELETE', method: 'DELETE', url: 'http://127.0.0.1:5000/v2/s99656/pogoda/manifests/sha256:abc', status: 202 },
  ],
  cacheDigest: 'sha256:abc', deleteStatus: 202, sharedTags: [], cacheStatusAfter: 404, cacheListedAfter: false,
  imageStatusAfter: 200, imageStatusAfterGc: 200, bytesBefore: 5_148_672, bytesAfterDelete: 5_115_904, bytesAfterGc: 5_050_368,
  gc: { deleteUntagged: false, exitCode: 0, durationMs: 300, argv: ['registry', 'garbage-collect', 'config.yml'], summary: summarizeGcOutput(GC_OUTPUT) },
};

describe('bonus: GC output', () => {
  test('summary line and deleted blobs are counted', () => {
    const s = summarizeGcOutput(GC_OUTPUT);
    assert.equal(s.blobsMarked, 21);
    assert.equal(s.blobsEligible, 7);
    assert.equal(s.manifestsEligible, 0);
    assert.equal(s.blobsDeleted, 2);
    assert.deepEqual(s.errors, []);
  });
  test('older format and errors', () => {
    const s = summarizeGcOutput('3 blobs marked, 1 blobs eligible for deletion\ntime="x" level=error msg="failed to delete blob"');
    assert.equal(s.blobsEligible, 1);
    assert.equal(s.manifestsEligible, undefined);
    assert.equal(s.errors.length, 1);
  });
});

describe('bonus: explanations', () => {
  const ctx = { registry: 'localhost:5000', repository: 's99656/app', tag: 'buildcache' };
  const table: [Parameters<typeof findingOfAnswer>[0], FindingKey | undefined][] = [
    [{ method: 'DELETE', reference: 'digest', status: 405, errorCode: 'UNSUPPORTED' }, 'delete-disabled'],
    [{ method: 'DELETE', reference: 'tag', status: 400, errorCode: 'DIGEST_INVALID' }, 'delete-by-tag'],
    [{ method: 'DELETE', reference: 'digest', status: 404, errorCode: 'MANIFEST_UNKNOWN' }, 'digest-unknown'],
    [{ method: 'DELETE', reference: 'digest', status: 202 }, undefined],
    [{ method: 'HEAD', reference: 'tag', status: 404 }, 'cache-tag-missing'],
    [{ method: 'DELETE', reference: 'digest', status: null }, 'registry-unreachable'],
  ];
  for (const [answer, key] of table) {
    test(`${answer.method} by ${answer.reference} → ${answer.status}: ${key ?? 'no finding'}`, () => assert.equal(findingOfAnswer(answer), key));
  }
  test('405 names the setting, 400 the digest, GC the command; all Polish with docs', () => {
    assert.match(explain('delete-disabled', ctx).fix, /REGISTRY_STORAGE_DELETE_ENABLED=true/);
    assert.match(explain('delete-by-tag', ctx).fix, /Docker-Content-Digest/);
    assert.match(explain('space-not-freed', ctx).fix, /registry garbage-collect/);
    assert.match(explain('space-not-freed', ctx).fix, /--delete-untagged/);
    assert.match(explain('shared-tags', { ...ctx, sharedTags: ['v1'] }).cause, /wszystkie tagi.*v1/s);
    assert.match(explain('shared-tags', ctx).fix, /jednorazowy manifest/);
    for (const key of ['delete-disabled', 'delete-by-tag', 'space-not-freed'] as const) {
      assert.ok(explain(key, ctx).docs.every((d) => d.url.startsWith('https://distribution.github.io/distribution/')));
    }
  });
});

describe('bonus: verdicts and the check', () => {
  const script: ScriptOutcome = {
    script: 'rm.sh', image: DEFAULT_IMAGES.sandbox, exitCode: 0, timedOut: false, timeLimitMs: 60_000, durationMs: 100,
    output: 'DELETE sha256:abc -> 202', blockedConnections: [], verification: passing,
    registryDelete: { enabled: true, basis: 'registry7 z włączonym usuwaniem (test)' },
    gcBy: 'sprawozdanie.md, wiersz 151',
  };
  test('the student\'s script that deletes by digest with GC passes, with http, log, table and text evidence', () => {
    const check = buildRegistry7DeleteCheck({ reference: passing, script });
    assert.equal(check.status, 'pass');
    assert.equal(check.metrics?.bytesFreed, 98_304);
    assert.equal(check.metrics?.answer, 'skrypt');
    assert.equal(check.hint, undefined);
    assert.deepEqual([...new Set(check.evidence.map((e) => e.kind))].sort(), ['http', 'log', 'table', 'text']);
    assert.match(check.message, /^Skrypt studenta \(rm\.sh\) usunął obraz cache w kopii registry7: .*zwolniono 96,0 KiB \(98\u00a0304 B\)\.$/);
  });
  test('no answer: 0 points and "brak odpowiedzi", however well the grader\'s own model deletion went', () => {
    const check = buildRegistry7DeleteCheck({ reference: passing });
    assert.equal(check.status, 'fail');
    assert.match(check.message, /^Brak odpowiedzi: /);
    assert.match(check.hint ?? '', /"deleteScript": "delete-cache\.sh"/);
    assert.equal(check.metrics?.answer, 'brak');
    assert.equal(check.metrics?.referenceStatus, 'pass');
    // The model answer is still shown, marked as worth nothing.
    assert.ok(check.evidence.some((e) => e.kind === 'http' && e.title.startsWith('Wzorcowe usuwanie (grader, bez punktów)')));
    assert.ok(check.evidence.some((e) => e.kind === 'text' && /ten przebieg nie daje punktów/.test(e.text)));
  });
  test('the reference\'s fate never changes the student\'s verdict', () => {
    const down = { ...passing, steps: [{ title: 'x', method: 'HEAD' as const, url: 'u', status: null }], infraError: 'ECONNREFUSED' };
    const withScript = buildRegistry7DeleteCheck({ reference: down, script });
    assert.equal(withScript.status, 'pass');
    assert.ok(withScript.evidence.some((e) => e.kind === 'text' && /Wzorcowego usuwania .* nie udało się wykonać \(awaria środowiska\)\. Nie wpływa to na ocenę/.test(e.text)));
    assert.equal(buildRegistry7DeleteCheck({ reference: down }).status, 'fail', 'no answer stays no answer');
  });
  test('each missing condition fails with its finding', () => {
    const cases: [Partial<DeleteFlowOutcome>, FindingKey][] = [
      [{ cacheStatusAfter: 200 }, 'tag-still-present'],
      [{ cacheListedAfter: true }, 'tag-still-present'],
      [{ imageStatusAfterGc: 404 }, 'image-broken'],
      [{ bytesAfterGc: 5_148_672 }, 'nothing-freed'],
      [{ gc: { ...passing.gc!, exitCode: 1 } }, 'gc-failed'],
    ];
    for (const [change, key] of cases) {
      const v = judgeDeleteFlow({ ...passing, ...change });
      assert.equal(v.status, 'fail', key);
      assert.ok(v.findings.includes(key), key);
      const check = buildRegistry7DeleteCheck({ reference: passing, script: { ...script, verification: { ...passing, ...change } } });
      assert.equal(check.status, 'fail', `script: ${key}`);
    }
  });
  test('405 is the student\'s failure in their registry, a grader fault (error) in the grader\'s', () => {
    const refused = { ...passing, deleteStatus: 405, deleteCode: 'UNSUPPORTED', cacheStatusAfter: undefined, gc: undefined, bytesAfterGc: undefined };
    assert.deepEqual(judgeDeleteFlow(refused, 'student'), { status: 'fail', findings: ['delete-disabled'], bytesFreedByDelete: 32_768 });
    assert.equal(judgeDeleteFlow(refused, 'grader').status, 'error');
  });
  test('script: judged by the effect, errors from the output explained; an infrastructure fault is not gradable', () => {
    const byTag: ScriptOutcome = {
      ...script,
      output: '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}',
      verification: { ...passing, cacheStatusAfter: 200, cacheListedAfter: true, deleteStatus: undefined },
    };
    const v = judgeScript(byTag);
    assert.equal(v.status, 'fail');
    assert.deepEqual(v.findings, ['delete-by-tag']);
    const check = buildRegistry7DeleteCheck({ reference: passing, script: byTag });
    assert.equal(check.status, 'fail');
    assert.match(check.hint ?? '', /400 DIGEST_INVALID/);
    assert.equal(judgeScript({ ...byTag, output: '', verification: passing }).status, 'pass');
    const broken = buildRegistry7DeleteCheck({ reference: passing, script: { ...byTag, infraError: 'docker down' } });
    assert.equal(broken.status, 'error');
    assert.match(broken.message, /ponownej oceny/);
  });
});

describe('bonus: the report\'s deletion commands as the answer', () => {
  const fromReport: ScriptOutcome = {
    script: 'sprawozdanie.md, wiersze 139–145', image: DEFAULT_IMAGES.sandbox, exitCode: 0, timedOut: false, timeLimitMs: 60_000, durationMs: 900,
    output: 'HTTP/1.1 404 Not Found\r\nContent-Length: 122\r\n\r\n404 page not found', blockedConnections: [],
    verification: { ...passing, cacheStatusAfter: 200, cacheListedAfter: true, deleteStatus: undefined },
    registryDelete: { enabled: true, basis: 'registry7 z włączonym usuwaniem (test)' },
    gcBy: 'sprawozdanie.md, wiersz 151',
    fromReport: { text: '# sprawozdanie.md, wiersz 139\ncurl -sI -H "Accept: application/vnd.oci.image.index.v1+json" http://registry7:5000/v2/s1/app/manifests/buildcache\n', notes: ['Polecenie (sprawozdanie.md, wiersz 145): digest $DIGEST odczytano z wyjścia polecenia (sprawozdanie.md, wiersz 139), tak jak student przepisał go z ekranu.'] },
  };
  test('a HEAD answered 404 with no digest anywhere in the output: the Accept header is the explained cause, and no 202 is claimed', () => {
    const v = judgeScript(fromReport);
    assert.deepEqual(v.findings, ['no-digest-header']);
    const check = buildRegistry7DeleteCheck({ reference: passing, script: fromReport });
    assert.equal(check.status, 'fail');
    assert.equal(check.message, 'Polecenia usuwania ze sprawozdania (sprawozdanie.md, wiersze 139–145) nie usunęły poprawnie obrazu cache.');
    assert.match(check.hint ?? '', /nie zawiera nagłówka `Docker-Content-Digest`/);
    assert.doesNotMatch(check.hint ?? '', /202/);
    assert.equal(check.metrics?.answer, 'sprawozdanie');
    const script = check.evidence.find((e) => e.kind === 'log' && e.title === 'Polecenia ze sprawozdania: uruchomiony skrypt');
    assert.ok(script && script.kind === 'log' && script.lines[0]!.text === '# sprawozdanie.md, wiersz 139', JSON.stringify(script));
    assert.ok(check.evidence.some((e) => e.kind === 'text' && e.title === 'Polecenia ze sprawozdania: co grader zmienił' && /tak jak student przepisał go z ekranu/.test(e.text)));
  });
  test('a 404 on the way (the check after a working DELETE) fails nothing', () => {
    const worked = { ...fromReport, output: 'HTTP/1.1 202 Accepted\r\n\r\nHTTP/1.1 404 Not Found\r\n', verification: passing };
    const v = judgeScript(worked);
    assert.equal(v.status, 'pass', v.findings.join(', '));
    assert.match(buildRegistry7DeleteCheck({ reference: passing, script: worked }).message, /^Polecenia usuwania ze sprawozdania \(sprawozdanie\.md, wiersze 139–145\) usunęły obraz cache/);
  });
  test('no garbage-collect anywhere in the answer: the cache is gone, but no space came back, so 0 points with the GC explanation', () => {
    const noGc: ScriptOutcome = { ...fromReport, gcBy: null, output: 'HTTP/1.1 202 Accepted', verification: { ...passing, gc: undefined, bytesAfterGc: undefined, imageStatusAfterGc: undefined } };
    const v = judgeScript(noGc);
    assert.deepEqual(v.findings, ['space-not-freed']);
    assert.equal(v.status, 'fail');
    const check = buildRegistry7DeleteCheck({ reference: passing, script: noGc });
    assert.equal(check.status, 'fail');
    assert.match(check.hint ?? '', /garbage-collect/);
    assert.ok(check.evidence.some((e) => e.kind === 'text' && /Odpowiedź nie uruchamia registry garbage-collect, więc grader go nie uruchomił/.test(e.text)));
    const withGc = buildRegistry7DeleteCheck({ reference: passing, script: { ...noGc, gcBy: 'sprawozdanie.md, wiersz 151', verification: passing } });
    assert.equal(withGc.status, 'pass');
    assert.ok(withGc.evidence.some((e) => e.kind === 'text' && /Garbage-collect z odpowiedzi studenta \(sprawozdanie\.md, wiersz 151\) grader uruchomił na kopii/.test(e.text)));
  });
  test('an answer the sandbox cannot run: manual for PowerShell, fail for a digest with no source; the model answer stays context', () => {
    const manual = buildRegistry7DeleteCheck({ reference: passing, unreplayable: { label: 'sprawozdanie.md, wiersz 20', status: 'manual', reason: 'usuwanie w sprawozdaniu używa PowerShella', notes: [] } });
    assert.equal(manual.status, 'manual');
    assert.equal(manual.message, 'Polecenia usuwania ze sprawozdania (sprawozdanie.md, wiersz 20) nie zostały uruchomione: usuwanie w sprawozdaniu używa PowerShella.');
    assert.equal(manual.hint, undefined);
    const failed = buildRegistry7DeleteCheck({ reference: passing, unreplayable: { label: 'sprawozdanie.md, wiersz 20', status: 'fail', reason: 'brak odczytu digestu', notes: ['Nie uruchomiono polecenia (sprawozdanie.md, wiersz 20): …'] } });
    assert.equal(failed.status, 'fail');
    assert.match(failed.hint ?? '', /skąd bierzesz digest/);
    assert.ok(failed.evidence.some((e) => e.kind === 'text' && e.title === 'Polecenia ze sprawozdania: co grader z nimi zrobił'));
    assert.ok(failed.evidence.some((e) => e.kind === 'http' && e.title.startsWith('Wzorcowe usuwanie (grader, bez punktów)')));
  });
});

describe('bonus: sandbox pieces', () => {
  test('blocked connections: curl errors to other hosts, not registry7', () => {
    const out = [
      'curl: (7) Failed to connect to 127.0.0.1 port 5055 after 0 ms: Couldn\'t connect to server',
      'curl: (6) Could not resolve host: host.docker.internal',
      'curl: (28) Connection timed out after 3001 milliseconds',
      'curl: (7) Failed to connect to registry7 port 5000: Connection refused',
      'DELETE sha256:abc -> 202',
    ].join('\n');
    assert.equal(blockedConnectionsIn(out).length, 3);
  });
  test('create argv: internal network only, no socket, dropped caps, read-only, limits, env', () => {
    const argv = sandboxCreateArgs({
      runId: 'r1', name: 'bg-r1-sandbox', network: 'bg-r1-internal', image: 'img', scriptVolume: 'bg-r1-script',
      env: { REGISTRY_URL: 'http://registry7:5000', REPOSITORY: 'a/b' }, memory: '128m', pidsLimit: 64,
    });
    const joined = argv.join(' ');
    for (const part of ['--network bg-r1-internal', '--cap-drop ALL', '--read-only', '--tmpfs /tmp', '--pids-limit 64', '--memory 128m',
      '--user 65534:65534', 'type=volume,source=bg-r1-script,target=/sandbox', '-e REGISTRY_URL=http://registry7:5000', 'buildx-grader.run=r1']) {
      assert.ok(joined.includes(part), part);
    }
    assert.ok(!joined.includes('docker.sock'));
    assert.ok(!joined.includes('type=bind'), 'no host path is mounted');
    assert.equal(argv.at(-1), '/sandbox/script.sh');
    assert.equal(argv.filter((a) => a === '--network').length, 1);
  });
  test('sandbox image: option, then GRADER_SANDBOX_IMAGE, then the default', () => {
    assert.equal(runtimeImage('sandbox', 'mine:1', { GRADER_SANDBOX_IMAGE: 'env:1' }), 'mine:1');
    assert.equal(runtimeImage('sandbox', undefined, { GRADER_SANDBOX_IMAGE: 'env:1' }), 'env:1');
    assert.equal(runtimeImage('sandbox', undefined, {}), 'buildx-grader/sandbox:1');
  });
  test('script path must stay inside the submission, also through symlinks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bonus-path-'));
    try {
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'sub', 'ok.sh'), 'echo ok');
      await symlink('/etc/passwd', join(dir, 'sub', 'evil.sh'));
      assert.ok('path' in (await resolveScript(join(dir, 'sub'), 'ok.sh')));
      assert.ok('problem' in (await resolveScript(join(dir, 'sub'), 'evil.sh')));
      assert.ok('problem' in (await resolveScript(join(dir, 'sub'), '../sub/../../etc/passwd')));
      assert.ok('problem' in (await resolveScript(join(dir, 'sub'), '/etc/passwd')));
      assert.ok('problem' in (await resolveScript(join(dir, 'sub'), 'missing.sh')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('bytes in Polish', () => {
    assert.equal(formatBytes(98_304), '96,0 KiB (98\u00a0304 B)');
    assert.equal(formatBytes(512), '512 B');
  });
});
