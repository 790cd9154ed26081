// The student's own `docker buildx build`, planned for reproduction in registry7 (issue 11 point 2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShellText } from '../../grader/commands/parse.ts';
import { planStudentBuild, studentBuildArgv, type StudentBuildPlan } from '../../grader/grade/student-build.ts';

const ID = 's99656';
function plan(script: string): StudentBuildPlan {
  const r = planStudentBuild(parseShellText(script, { file: 'build.sh', style: 'script' }), ID);
  assert.ok(r.ok, JSON.stringify(r));
  return r.plan;
}
const argv = (p: StudentBuildPlan) => studentBuildArgv(p, { builder: 'b1', host: 'registry7:5000', dockerfile: '/w/Dockerfile', contextDir: '/w', metadataPath: '/t/m.json', progress: 'rawjson' });

// The lab's own command (lab7-instrukcja.md), with registry7 in place of Docker Hub.
const LAB = `#!/bin/sh
docker run -d -p 5000:5000 --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2
docker buildx create --driver docker-container --name mybuilder --use --bootstrap
docker buildx build -f Dockerfile_multi --platform linux/amd64,linux/arm64 -t localhost:5000/lab:cachetest --push \\
  --cache-to type=registry,ref=localhost:5000/cachedata1,mode=max \\
  --cache-from type=registry,ref=localhost:5000/cachedata1 .
`;

describe('planStudentBuild', () => {
  test('the lab command: both platforms, push, cache to and from one separate ref with mode=max, source line kept', () => {
    const p = plan(LAB);
    assert.deepEqual(p.source, { file: 'build.sh', line: 4 });
    assert.deepEqual(p.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(p.output, 'push');
    assert.equal(p.file, 'Dockerfile_multi');
    assert.deepEqual(p.tags, [{ student: 'localhost:5000/lab:cachetest', repository: 's99656/lab', tag: 'cachetest' }]);
    assert.equal(p.cacheTo.length, 1);
    assert.equal(p.cacheTo[0]!.mode, 'max');
    // The export and the import name the same ref: they map to one registry7 ref.
    assert.deepEqual(p.cacheFrom[0]!.ref, p.cacheTo[0]!.ref);
    assert.deepEqual(p.cacheTo[0]!.ref, { student: 'localhost:5000/cachedata1', repository: 's99656/cachedata1', tag: 'latest' });
    assert.deepEqual(argv(p), [
      'buildx', 'build', '--builder', 'b1', '--progress=rawjson', '--platform', 'linux/amd64,linux/arm64', '-f', '/w/Dockerfile',
      '-t', 'registry7:5000/s99656/lab:cachetest', '--push',
      '--cache-to', 'type=registry,ref=registry7:5000/s99656/cachedata1:latest,mode=max',
      '--cache-from', 'type=registry,ref=registry7:5000/s99656/cachedata1:latest',
      '--metadata-file', '/t/m.json', '/w',
    ]);
  });

  test('keeps what the student got wrong: mode=min, no --cache-from, the cache under the image\'s own ref, --load, one platform', () => {
    const min = plan('docker buildx build --platform linux/amd64,linux/arm64 -t r:5000/app:1 --push --cache-to type=registry,ref=r:5000/app:cache .');
    assert.equal(min.cacheTo[0]!.mode, 'min');
    assert.equal(min.cacheTo[0]!.modeWritten, false);
    assert.deepEqual(min.cacheFrom, []);
    assert.ok(argv(min).includes('type=registry,ref=registry7:5000/s99656/app:cache'), 'no mode= added');
    const same = plan('docker buildx build -t r:5000/app:1 --push --cache-to type=registry,ref=r:5000/app:1,mode=max .');
    assert.deepEqual(same.cacheTo[0]!.ref, same.tags[0]);
    const load = plan('docker buildx build --platform linux/arm64 -t app:1 --load .');
    assert.equal(load.output, 'load');
    assert.deepEqual(load.platforms, ['linux/arm64']);
    assert.ok(argv(load).includes('type=cacheonly'));
    assert.ok(!argv(load).includes('--load'), 'nothing is loaded into the grader\'s image store');
    assert.match(load.notes.join('\n'), /--load/);
  });

  test('different refs stay different, equal refs stay equal, across hosts and variables', () => {
    const p = plan('REG=localhost:5000\ndocker buildx build -t $REG/app:1 -t other.example:5000/app:1 -t app:2 --push --cache-to type=registry,ref=$REG/app:1 .');
    assert.deepEqual(p.tags.map((t) => `${t.repository}:${t.tag}`), ['s99656/app:1', 's99656/app-2:1', 's99656/app:2']);
    assert.deepEqual(p.cacheTo[0]!.ref, p.tags[0]);
    // Spelled differently, the same ref; a variable named like a literal component, a different one.
    const q = plan('docker buildx build -t app/${X} -t app/var-x -t app --push --cache-to type=registry,ref=app/$X --cache-from app:latest .');
    assert.deepEqual(q.tags.map((t) => `${t.repository}:${t.tag}`), ['s99656/app/var-x:latest', 's99656/app/var-x-2:latest', 's99656/app:latest']);
    assert.deepEqual([q.cacheTo[0]!.ref!.repository, q.cacheFrom[0]!.ref.repository], ['s99656/app/var-x', 's99656/app']);
    // A repository already under the student's id is not nested again.
    assert.equal(plan('docker buildx build -t localhost:5000/s99656/pogoda:1 .').tags[0]!.repository, 's99656/pogoda');
  });

  test('the lab\'s most complete command is reproduced; the others are listed', () => {
    const p = plan('docker buildx build -t app:dev --load .\ndocker buildx build --platform linux/amd64,linux/arm64 -t r/app:1 --push --cache-to type=registry,ref=r/app:c,mode=max .\ndocker buildx build -t app:x .');
    assert.equal(p.source.line, 2);
    assert.deepEqual(p.others.map((s) => s.line), [1, 3]);
  });

  test('never lets the grader\'s environment, host paths or services into the build', () => {
    const p = plan('docker buildx build --build-arg GITHUB_TOKEN --build-arg V=1 --secret id=x,src=/etc/shadow --network host --allow security.insecure --output type=local,dest=/etc -t a:1 --cache-to type=local,dest=/tmp/c --cache-from type=gha .');
    assert.deepEqual(p.buildArgs, [{ name: 'V', value: '1' }]);
    const a = argv(p);
    for (const bad of ['GITHUB_TOKEN', '/etc/shadow', 'host', 'security.insecure', '/etc', '/tmp/c', 'gha']) assert.ok(!a.some((x) => x.includes(bad)), `${bad} reached the argv: ${a.join(' ')}`);
    assert.equal(p.output, 'local-files');
    const notes = p.notes.join('\n');
    assert.match(notes, /GITHUB_TOKEN bez wartości: buildx wziąłby ją ze zmiennych środowiska gradera/);
    assert.match(notes, /--cache-to „type=local,dest=\/tmp\/c”/);
  });

  test('hostile values never reach the argv as written', () => {
    const p = plan(`docker buildx build --platform 'linux/amd64;rm -rf /' --target '../x' -t 'Evil Name:1' -t "a:$(id)" --build-arg 'A=x\u0007y' --push .`);
    assert.deepEqual(p.platforms, []);
    assert.equal(p.target, undefined);
    assert.deepEqual(p.tags, []);
    assert.deepEqual(p.buildArgs, []);
    assert.equal(p.notes.length >= 5, true, p.notes.join('\n'));
  });

  test('no build command, or one that cannot be reproduced, is said so', () => {
    assert.deepEqual(planStudentBuild(parseShellText('docker buildx ls\n', { file: 'build.sh', style: 'script' }), ID), { ok: false, kind: 'no-command' });
    const stdin = planStudentBuild(parseShellText('docker buildx build -t a:1 - < Dockerfile\n', { file: 'build.sh', style: 'script' }), ID);
    assert.equal(stdin.ok, false);
    assert.match(!stdin.ok && stdin.kind === 'unusable' ? stdin.reason : '', /standardowe wejście/);
    const url = planStudentBuild(parseShellText('docker buildx build https://github.com/x/y.git\n', { file: 'build.sh', style: 'script' }), ID);
    assert.match(!url.ok && url.kind === 'unusable' ? url.reason : '', /adres zdalny/);
  });
});
