// Repositories as handed in, without submission.json (issue 12 point 1): what is inferred, from where.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../grader/errors.ts';
import { discoverSubmission, loadOrDiscover } from '../../grader/submission/discover.ts';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'grader-discover-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function repo(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

// A report in the shape of the seed (commands as plain paragraphs and in fences, Polish prose).
const REPORT = `# Laboratorium 7 – zadanie dodatkowe

Najpierw uruchomiono rejestr:

\`\`\`
$ docker run -d -p 5000:5000 --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2
\`\`\`

Utworzono builder poleceniem:
docker buildx create --name lab7 --driver docker-container --use

Obraz zbudowano tak:

\`\`\`bash
docker buildx build -f docker/Dockerfile.prod --platform linux/amd64,linux/arm64 \\
  -t localhost:5000/pogoda:multiarch --push \\
  --cache-to type=registry,ref=localhost:5000/pogoda:buildcache,mode=max \\
  --cache-from type=registry,ref=localhost:5000/pogoda:buildcache .
\`\`\`

![manifest](https://github.com/user-attachments/assets/00000000-0000-0000-0000-000000000000)
`;

describe('discoverSubmission', () => {
  test('a repository with a report, two Dockerfiles and a deletion script: each value with its source', async () => {
    const dir = await repo('s12345-lab7', {
      'README.md': REPORT,
      'Dockerfile': 'FROM busybox\n',
      'docker/Dockerfile.prod': 'FROM busybox\nRUN true\n',
      'scripts/usun-cache.sh': '#!/bin/sh\nd=$(curl -sI -H "Accept: application/vnd.oci.image.manifest.v1+json" http://localhost:5000/v2/pogoda/manifests/buildcache | grep -i docker-content-digest | cut -d" " -f2)\ncurl -X DELETE http://localhost:5000/v2/pogoda/manifests/$d\n',
      'node_modules/x/Dockerfile': 'FROM evil\n',
    });
    const sub = await discoverSubmission(dir);
    assert.deepEqual(sub.student, { id: 's12345', name: 's12345' });
    assert.equal(sub.build.dockerfile, 'docker/Dockerfile.prod');
    assert.equal(sub.build.context, 'docker');
    assert.equal(sub.bonus?.deleteScript, 'scripts/usun-cache.sh');
    const cmds = sub.build.commands;
    assert.equal(cmds?.from, 'repository');
    assert.deepEqual(cmds?.from === 'repository' ? cmds.files : [], ['scripts/usun-cache.sh', 'README.md']);
    const kinds = cmds!.parsed.filter((c) => c.source.file === 'README.md').map((c) => `${c.kind}@${c.source.line}`);
    assert.deepEqual(kinds, ['other@6', 'buildx-create@10', 'buildx-build@15']);
    assert.deepEqual(sub.inferred?.map((i) => i.field), ['student.id', 'student.name', 'build.commands', 'build.commands', 'build.dockerfile', 'report', 'bonus.deleteScript']);
    assert.deepEqual(sub.report, { files: ['README.md'], from: 'repository' });
    assert.equal(sub.inferred?.find((i) => i.field === 'student.id')?.from, 'nazwa katalogu s12345-lab7');
    assert.match(sub.inferred?.find((i) => i.field === 'build.dockerfile')?.from ?? '', /^opcja -f w poleceniu studenta \(README\.md, wiersz 15\)$/);
    assert.deepEqual(sub.inferred?.filter((i) => i.field === 'build.commands').map((i) => i.value), ['5 poleceń', '3 polecenia']);
  });

  test('the roster\'s id and name win; without a command the shallowest Dockerfile is used', async () => {
    const dir = await repo('repo-bez-numeru', { 'app/Dockerfile': 'FROM busybox\n', 'docs/sprawozdanie.pdf': '%PDF-1.4\n', 'notes.txt': 'nic\n' });
    const sub = await discoverSubmission(dir, { id: 's777', name: 'Ola Nowak' });
    assert.deepEqual(sub.student, { id: 's777', name: 'Ola Nowak' });
    assert.equal(sub.build.dockerfile, 'app/Dockerfile');
    assert.equal(sub.build.commands, undefined);
    assert.deepEqual(sub.inferred?.map((i) => `${i.field}: ${i.from}`), ['build.dockerfile: pierwszy znaleziony Dockerfile', 'report: nazwy plików w repozytorium (.md, .txt, .pdf, .docx)']);
    // A PDF is a report too, read by grader/documents; it is not searched for commands here.
    assert.deepEqual(sub.report?.files, ['notes.txt', 'docs/sprawozdanie.pdf']);
  });

  test('no student id anywhere, no Dockerfile: a clear message saying what to do', async () => {
    const noId = await repo('moje-repo', { Dockerfile: 'FROM busybox\n' });
    await assert.rejects(discoverSubmission(noId), (e: unknown) => e instanceof InputError && /nie da się odczytać numeru albumu/.test(e.message) && /grader init/.test(e.problems.join()));
    const noDockerfile = await repo('s55555', { 'README.md': '# nic\n' });
    await assert.rejects(discoverSubmission(noDockerfile), (e: unknown) => e instanceof InputError && /ani pliku Dockerfile/.test(e.message));
  });

  test('submission.json, when present, overrides: only the commands it lacks are taken from the report', async () => {
    const dir = await repo('s24680', {
      'submission.json': JSON.stringify({ student: { id: 's24680', name: 'Jan Kowalski' } }),
      Dockerfile: 'FROM busybox\n',
      'README.md': REPORT,
    });
    const sub = await loadOrDiscover(dir);
    assert.deepEqual(sub.inferred?.map((i) => i.field), ['build.commands']);
    assert.equal(sub.student.name, 'Jan Kowalski');
    assert.equal(sub.build.dockerfile, 'Dockerfile');
  });

  test('submission.json without build commands: they come from its report, each with its line, and say so', async () => {
    const dir = await repo('s13579', {
      'submission.json': JSON.stringify({ student: { id: 's13579', name: 'Jan Kowalski' }, report: ['sprawozdanie.md'] }),
      Dockerfile: 'FROM busybox\n',
      'docker/Dockerfile.prod': 'FROM busybox\n',
      'sprawozdanie.md': REPORT,
    });
    const sub = await loadOrDiscover(dir);
    assert.equal(sub.student.name, 'Jan Kowalski');
    const cmds = sub.build.commands;
    assert.equal(cmds?.from, 'repository');
    assert.deepEqual(cmds!.parsed.map((c) => `${c.kind}@${c.source.file}:${c.source.line}`), ['other@sprawozdanie.md:6', 'buildx-create@sprawozdanie.md:10', 'buildx-build@sprawozdanie.md:15']);
    assert.deepEqual(sub.inferred, [{ field: 'build.commands', value: '3 polecenia', from: 'sprawozdanie.md (submission.json nie podaje poleceń)' }]);
    // What submission.json says stays: its Dockerfile, not the report's -f.
    assert.equal(sub.build.dockerfile, 'Dockerfile');
  });

  test('a deletion script whose DELETE names the URL through a variable is still the bonus answer', async () => {
    const dir = await repo('s11223', {
      Dockerfile: 'FROM busybox\n',
      // The bundled example's form: no /v2/ literal after DELETE.
      'delete-cache.sh': '#!/bin/sh\nstatus=$(curl -sS -o /dev/null -w "%{http_code}" -X DELETE "$manifest_url/$digest")\n',
      'notes.sh': '#!/bin/sh\necho "curl -X DELETED is not a request"\n',
    });
    const sub = await discoverSubmission(dir);
    assert.equal(sub.bonus?.deleteScript, 'delete-cache.sh');
  });
});
