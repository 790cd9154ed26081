// reportAnswer: the deletion commands of a student's Markdown report → the script the sandbox runs
// against the registry7 copy. Reports are written the way students write them (Polish prose,
// ```bash blocks with `$ ` prompts, pasted registry answers); line numbers count from the
// report's first line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COPY_HOST, reportAnswer, studentRepository, type ReportAnswer, type ReportAnswerInput } from '../../grader/bonus/report-answer.ts';
import { readMarkdownReport } from '../../grader/student-report/index.ts';

const F = '```';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Every manifest type, as imagetools/crane accept them (the module's MANIFEST_ACCEPT, spelled out). */
const ALL_TYPES = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
/** The pipe that takes Docker-Content-Digest out of a HEAD's output. */
const EXTRACT = String.raw`tr -d '\r' | grep -io 'docker-content-digest: *sha256:[0-9a-f]*' | head -n 1 | sed 's/^[^:]*: *//'`;
const HEADER = (label: string) => `# Odpowiedź ze sprawozdania (${label}), przepisana przez grader na kopię registry7 (registry7:5000).`;

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const D1 = digest('1');
const D3 = digest('3');
const D4 = digest('4');
const D5 = digest('5');
const D6 = digest('6');
const BUILD_CACHE = 'sha256:7c1e0a9f4b2d3e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab';

const REPOSITORIES = [
  { student: 's12345/app', copy: 's12345/app' },
  { student: 'app', copy: 's12345/app' },
];
const CACHE = { repository: 's12345/app', tag: 'buildcache' };

function answer(markdown: string, over: Partial<Omit<ReportAnswerInput, 'commands'>> = {}): ReportAnswer {
  const read = readMarkdownReport(markdown, 'sprawozdanie.md');
  if (!read.ok) throw new Error(`report not read: ${JSON.stringify(read.error)}`);
  return reportAnswer({
    commands: read.report.commands.map((c) => c.parsed),
    repositories: REPOSITORIES,
    cache: CACHE,
    exportedCacheDigests: [],
    ...over,
  });
}

function asScript(a: ReportAnswer): Extract<ReportAnswer, { kind: 'script' }> {
  if (a.kind !== 'script') assert.fail(`expected a script, got ${JSON.stringify(a)}`);
  return a;
}

/** How many times `needle` occurs in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('reportAnswer: nothing to replay', () => {
  test('no DELETE at all: none', () => {
    const md = `# Sprawozdanie – laboratorium 7

## Zadanie dodatkowe – usunięcie obrazu cache

Sprawdziłem, jakie repozytoria są w rejestrze i jaki digest ma cache:

${F}bash
$ curl -s http://localhost:5000/v2/_catalog
{"repositories":["s12345/app"]}
$ curl -sI -H "Accept: ${OCI_MANIFEST}" -H "Accept: ${OCI_INDEX}" http://localhost:5000/v2/s12345/app/manifests/buildcache
HTTP/1.1 200 OK
Docker-Content-Digest: ${D1}
${F}

Usunięcia nie zdążyłem wykonać, uruchomiłem tylko garbage collection:

${F}bash
$ docker exec registry7 bin/registry garbage-collect /etc/docker/registry/config.yml
${F}
`;
    assert.deepEqual(answer(md), { kind: 'none' });
  });

  test('a DELETE of a blob is no DELETE of a manifest: none', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -X DELETE http://localhost:5000/v2/s12345/app/blobs/${D1}
HTTP/1.1 202 Accepted
${F}
`;
    assert.deepEqual(answer(md), { kind: 'none' });
  });
});

describe('reportAnswer: the digest read from the report\'s own HEAD', () => {
  // Line numbers: HEAD on 20, DELETE on 30, the verifying HEAD on 37, garbage-collect on 39.
  const REPORT = `# Sprawozdanie – laboratorium 7

Jan Kowalski, s12345

## Etap 1 – registry7

${F}bash
$ docker run -d -p 5000:5000 --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2
$ docker buildx build --platform linux/amd64,linux/arm64 -t localhost:5000/s12345/app:latest --push \\
    --cache-to type=registry,ref=localhost:5000/s12345/app:buildcache,mode=max \\
    --cache-from type=registry,ref=localhost:5000/s12345/app:buildcache .
${F}

## Zadanie dodatkowe – usunięcie obrazu cache

Najpierw odczytałem digest manifestu cache z nagłówka \`Docker-Content-Digest\`
(BuildKit zapisuje cache jako manifest OCI, więc taki typ podałem w \`Accept\`):

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
HTTP/1.1 200 OK
Content-Length: 1604
Content-Type: ${OCI_MANIFEST}
Docker-Content-Digest: ${D1}
${F}

Potem usunąłem manifest po digeście:

${F}bash
$ curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST
HTTP/1.1 202 Accepted
${F}

Sprawdzenie – tagu już nie ma:

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
HTTP/1.1 404 Not Found
$ docker exec registry7 bin/registry garbage-collect /etc/docker/registry/config.yml
${F}
`;

  test('$DIGEST never set: the HEAD\'s output is captured into GRADER_OUT_DIGEST and DIGEST read from it', () => {
    const a = asScript(answer(REPORT));
    assert.equal(a.label, 'sprawozdanie.md, wiersze 20–30');
    assert.equal(a.text, [
      HEADER('sprawozdanie.md, wiersze 20–30'),
      '# sprawozdanie.md, wiersz 20',
      `GRADER_OUT_DIGEST=$( { curl -sI -H "Accept: ${OCI_MANIFEST}" http://registry7:5000/v2/s12345/app/manifests/buildcache ; } 2>&1 ); printf '%s\\n' "$GRADER_OUT_DIGEST"`,
      `DIGEST=$(printf '%s\\n' "$GRADER_OUT_DIGEST" | ${EXTRACT})`,
      '# sprawozdanie.md, wiersz 30',
      'curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST',
      '',
    ].join('\n'));
    assert.deepEqual(a.notes, [
      'Polecenie (sprawozdanie.md, wiersz 30): digest $DIGEST odczytano z wyjścia polecenia (sprawozdanie.md, wiersz 20), tak jak student przepisał go z ekranu.',
    ]);
  });

  test('the lines keep the student\'s text and source; the HEAD is run once', () => {
    const a = asScript(answer(REPORT));
    assert.deepEqual(a.lines.map((l) => [l.source.file, l.source.line, l.text]), [
      ['sprawozdanie.md', 20, `curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache`],
      ['sprawozdanie.md', 30, 'curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST'],
    ]);
    assert.equal(count(a.text, 'curl -sI'), 1);
    assert.equal(count(a.text, '/manifests/buildcache'), 1);
    assert.equal(count(a.text, 'curl -X DELETE'), 1);
  });

  test('localhost:5000 becomes registry7:5000 everywhere', () => {
    const a = asScript(answer(REPORT));
    assert.equal(COPY_HOST, 'registry7:5000');
    assert.doesNotMatch(a.text, /localhost/);
    assert.equal(count(a.text, 'http://registry7:5000/v2/s12345/app/manifests/'), 2);
  });

  test('lines after the last DELETE (the verifying HEAD, garbage-collect) are not in the script', () => {
    const a = asScript(answer(REPORT));
    assert.ok(a.lines.every((l) => l.source.line <= 30));
    assert.doesNotMatch(a.text, /wiersz 3[7-9]|404|garbage-collect|docker exec/);
  });

  test('requests before the DELETE that read no digest are replayed on the copy', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -s http://localhost:5000/v2/_catalog
{"repositories":["s12345/app"]}
$ curl -s http://localhost:5000/v2/s12345/app/tags/list
{"name":"s12345/app","tags":["buildcache","latest"]}
$ curl -I -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
HTTP/1.1 200 OK
Docker-Content-Digest: ${D1}
$ curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST
HTTP/1.1 202 Accepted
$ curl -s http://localhost:5000/v2/s12345/app/tags/list
{"name":"s12345/app","tags":["latest"]}
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.label, 'sprawozdanie.md, wiersze 4–11');
    assert.deepEqual(a.lines.map((l) => l.source.line), [4, 6, 8, 11]);
    assert.deepEqual(a.lines[0]!.script, ['curl -s http://registry7:5000/v2/_catalog']);
    assert.deepEqual(a.lines[1]!.script, ['curl -s http://registry7:5000/v2/s12345/app/tags/list']);
    assert.match(a.lines[2]!.script[0]!, /^GRADER_OUT_DIGEST=\$\( \{ curl -I -H "Accept: [^"]+" http:\/\/registry7:5000\/v2\/s12345\/app\/manifests\/buildcache ; \} 2>&1 \)/);
    assert.deepEqual(a.lines[3]!.script, ['curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST']);
    // The tags/list after the DELETE (line 13) is not replayed.
    assert.equal(count(a.text, 'tags/list'), 1);
  });

  test('the student\'s own DIGEST=$(curl -sI ... | grep ...) is kept as written, only the URL moved', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Digest zapisałem od razu w zmiennej:

${F}bash
$ DIGEST=$(curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/app/manifests/buildcache | grep -i docker-content-digest | awk '{print $2}' | tr -d '\\r')
$ echo $DIGEST
${D1}
$ curl -X DELETE http://localhost:5000/v2/app/manifests/$DIGEST
HTTP/1.1 202 Accepted
${F}
`;
    const a = asScript(answer(md));
    assert.doesNotMatch(a.text, /GRADER_OUT_/);
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.script]), [
      [6, [`DIGEST=$(curl -sI -H "Accept: ${OCI_MANIFEST}" http://registry7:5000/v2/s12345/app/manifests/buildcache | grep -i docker-content-digest | awk '{print $2}' | tr -d '\\r')`]],
      [9, ['curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST']],
    ]);
    assert.deepEqual(a.notes, []);
  });

  test('a literal sha256 in the DELETE after a HEAD of the same repository → $GRADER_DIGEST_1 read from the HEAD\'s output', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Digest manifestu cache:

${F}
$ curl -I -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/app/manifests/buildcache
HTTP/1.1 200 OK
Content-Type: ${OCI_MANIFEST}
Docker-Content-Digest: ${D3}
${F}

Usunięcie (digest skopiowany z odpowiedzi wyżej):

${F}
$ curl -v -X DELETE http://localhost:5000/v2/app/manifests/${D3}
< HTTP/1.1 202 Accepted
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.label, 'sprawozdanie.md, wiersze 6–15');
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.script]), [
      [6, [
        `GRADER_OUT_GRADER_DIGEST_1=$( { curl -I -H "Accept: ${OCI_MANIFEST}" http://registry7:5000/v2/s12345/app/manifests/buildcache ; } 2>&1 ); printf '%s\\n' "$GRADER_OUT_GRADER_DIGEST_1"`,
        `GRADER_DIGEST_1=$(printf '%s\\n' "$GRADER_OUT_GRADER_DIGEST_1" | ${EXTRACT})`,
      ]],
      [15, ['curl -v -X DELETE http://registry7:5000/v2/s12345/app/manifests/$GRADER_DIGEST_1']],
    ]);
    assert.equal(count(a.text, D3), 0);
    assert.deepEqual(a.notes, [
      `Polecenie (sprawozdanie.md, wiersz 15): digest ${D3} odczytano z wyjścia polecenia (sprawozdanie.md, wiersz 6), tak jak student przepisał go z ekranu.`,
    ]);
  });

  test('a literal sha256 after a HEAD of another repository only: not replayable', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/latest
HTTP/1.1 200 OK
Docker-Content-Digest: ${D3}
$ curl -X DELETE http://localhost:5000/v2/s12345/inne/manifests/${D3}
${F}
`;
    const a = answer(md);
    assert.equal(a.kind, 'unreplayable');
    assert.equal(a.kind === 'unreplayable' && a.status, 'fail');
  });

  test('DIGEST=sha256:... typed by hand: the assignment is dropped with a note, DIGEST read from the earlier HEAD', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
DIGEST=${D4}
curl -X DELETE "http://localhost:5000/v2/s12345/app/manifests/$DIGEST"
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.label, 'sprawozdanie.md, wiersze 4–6');
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.script]), [
      [4, [
        `GRADER_OUT_DIGEST=$( { curl -sI -H "Accept: ${OCI_MANIFEST}" http://registry7:5000/v2/s12345/app/manifests/buildcache ; } 2>&1 ); printf '%s\\n' "$GRADER_OUT_DIGEST"`,
        `DIGEST=$(printf '%s\\n' "$GRADER_OUT_DIGEST" | ${EXTRACT})`,
      ]],
      [6, ['curl -X DELETE "http://registry7:5000/v2/s12345/app/manifests/$DIGEST"']],
    ]);
    assert.equal(count(a.text, D4), 0);
    assert.deepEqual(a.notes, [
      'Polecenie (sprawozdanie.md, wiersz 6): digest $DIGEST odczytano z wyjścia polecenia (sprawozdanie.md, wiersz 4), tak jak student przepisał go z ekranu.',
      'Pominięto polecenie (sprawozdanie.md, wiersz 5): digest wpisany na stałe pochodzi z maszyny studenta; w kopii registry7 odczytuje go polecenie, którym student go poznał.',
    ]);
  });
});

describe('reportAnswer: the digest from a tool or from the build', () => {
  test('a literal digest with no way shown to read it: unreplayable, fail', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Digest odczytałem w Docker Desktop i usunąłem obraz:

${F}bash
curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/${D5}
${F}
`;
    assert.deepEqual(answer(md), {
      kind: 'unreplayable',
      label: 'sprawozdanie.md, wiersz 6',
      status: 'fail',
      reason: 'żadnego polecenia DELETE ze sprawozdania nie da się powtórzyć na kopii registry7 (powody poniżej)',
      notes: [
        `Nie uruchomiono polecenia (sprawozdanie.md, wiersz 6): sprawozdanie nie pokazuje, jak odczytano digest ${D5} (HEAD/GET manifestu z nagłówkiem Accept, docker buildx imagetools inspect); w kopii registry7 obraz cache ma inny digest niż u studenta.`,
      ],
    });
  });

  test('a literal digest the build printed (exportedCacheDigests): the cache digest read with all four manifest types', () => {
    const md = `## Etap 2 – cache w registry7

${F}
$ docker buildx build --push -t localhost:5000/s12345/app:latest --cache-to type=registry,ref=localhost:5000/s12345/app:buildcache,mode=max .
#14 exporting cache to registry
#14 preparing build cache for export
#14 writing layer sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0 done
#14 writing config sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 done
#14 writing cache image manifest ${BUILD_CACHE} done
#14 DONE 0.4s
${F}

## Zadanie dodatkowe – usunięcie obrazu cache

Digest manifestu cache wziąłem z logu budowania powyżej:

${F}
$ curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/${BUILD_CACHE}
HTTP/1.1 202 Accepted
${F}
`;
    const a = asScript(answer(md, { exportedCacheDigests: [BUILD_CACHE] }));
    assert.equal(a.label, 'sprawozdanie.md, wiersz 18');
    assert.equal(a.text, [
      HEADER('sprawozdanie.md, wiersz 18'),
      '# sprawozdanie.md, wiersz 18',
      `GRADER_DIGEST_1=$(curl -sI -H 'Accept: ${ALL_TYPES}' 'http://registry7:5000/v2/s12345/app/manifests/buildcache' | ${EXTRACT})`,
      'curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$GRADER_DIGEST_1',
      '',
    ].join('\n'));
    assert.deepEqual(a.notes, [
      `Polecenie (sprawozdanie.md, wiersz 18): digest ${BUILD_CACHE} to digest manifestu cache wypisany przez budowanie w sprawozdaniu; w kopii odczytano digest tego samego obrazu cache.`,
    ]);
    // The same report without the build's digest has no way to read it.
    const without = answer(md);
    assert.equal(without.kind, 'unreplayable');
    assert.equal(without.kind === 'unreplayable' && without.status, 'fail');
  });

  test('the build\'s digest reads the cache given in the input, wherever it is', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
curl -X DELETE http://localhost:5000/v2/app/manifests/${BUILD_CACHE}
${F}
`;
    const a = asScript(answer(md, { exportedCacheDigests: [D1, BUILD_CACHE], cache: { repository: 's12345/app', tag: 'cache-v2' } }));
    assert.deepEqual(a.lines[0]!.script, [
      `GRADER_DIGEST_1=$(curl -sI -H 'Accept: ${ALL_TYPES}' 'http://registry7:5000/v2/s12345/app/manifests/cache-v2' | ${EXTRACT})`,
      'curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$GRADER_DIGEST_1',
    ]);
  });

  test('docker buildx imagetools inspect localhost:5000/app:buildcache, then DELETE of /v2/app/...: read with all four types from the mapped repository', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}
$ docker buildx imagetools inspect localhost:5000/app:buildcache
Name:      localhost:5000/app:buildcache
MediaType: ${OCI_MANIFEST}
Digest:    ${D6}
${F}

Usuwam manifest o tym digeście:

${F}
$ curl -X DELETE http://localhost:5000/v2/app/manifests/${D6}
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.label, 'sprawozdanie.md, wiersz 13');
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.script]), [
      [13, [
        `GRADER_DIGEST_1=$(curl -sI -H 'Accept: ${ALL_TYPES}' 'http://registry7:5000/v2/s12345/app/manifests/buildcache' | ${EXTRACT})`,
        'curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$GRADER_DIGEST_1',
      ]],
    ]);
    assert.doesNotMatch(a.text, /imagetools/);
    assert.deepEqual(a.notes, [
      `Polecenie (sprawozdanie.md, wiersz 13): digest ${D6} odczytano tak jak docker buildx imagetools inspect (sprawozdanie.md, wiersz 4): z nagłówkiem Accept wszystkich typów manifestu.`,
    ]);
  });
});

describe('reportAnswer: repositories and hosts', () => {
  test('/v2/app/manifests/... becomes /v2/s12345/app/manifests/... (also in the HEAD)', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://127.0.0.1:5000/v2/app/manifests/buildcache
$ curl -X DELETE http://127.0.0.1:5000/v2/app/manifests/$DIGEST
${F}
`;
    const a = asScript(answer(md));
    assert.match(a.lines[0]!.script[0]!, /\{ curl -sI -H "Accept: [^"]+" http:\/\/registry7:5000\/v2\/s12345\/app\/manifests\/buildcache ; \}/);
    assert.deepEqual(a.lines[1]!.script, ['curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST']);
    assert.doesNotMatch(a.text, /\/v2\/app\/|127\.0\.0\.1/);
    assert.deepEqual(a.notes.filter((n) => n.includes('repozytorium')), []);
  });

  test('a repository not in the build command is left as written, with a note per line', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/inne/repo/manifests/buildcache
$ curl -X DELETE http://localhost:5000/v2/inne/repo/manifests/$DIGEST
${F}
`;
    const a = asScript(answer(md));
    assert.deepEqual(a.lines[1]!.script, ['curl -X DELETE http://registry7:5000/v2/inne/repo/manifests/$DIGEST']);
    assert.match(a.lines[0]!.script[0]!, /http:\/\/registry7:5000\/v2\/inne\/repo\/manifests\/buildcache/);
    assert.deepEqual(a.notes.filter((n) => n.includes('repozytorium')), [
      'sprawozdanie.md, wiersz 4: repozytorium inne/repo nie występuje w poleceniu budowania, więc nie ma go w kopii registry7.',
      'sprawozdanie.md, wiersz 5: repozytorium inne/repo nie występuje w poleceniu budowania, więc nie ma go w kopii registry7.',
    ]);
  });

  test('REGISTRY=localhost:5000 and REPO=app are moved onto the copy; URLs using them stay as written', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
REGISTRY=localhost:5000
REPO=app
curl -sI -H "Accept: ${OCI_MANIFEST}" http://$REGISTRY/v2/$REPO/manifests/buildcache
curl -X DELETE http://$REGISTRY/v2/$REPO/manifests/$DIGEST
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.label, 'sprawozdanie.md, wiersze 4–7');
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.script]), [
      [4, ['REGISTRY=registry7:5000']],
      [5, ['REPO=s12345/app']],
      [6, [
        `GRADER_OUT_DIGEST=$( { curl -sI -H "Accept: ${OCI_MANIFEST}" http://$REGISTRY/v2/$REPO/manifests/buildcache ; } 2>&1 ); printf '%s\\n' "$GRADER_OUT_DIGEST"`,
        `DIGEST=$(printf '%s\\n' "$GRADER_OUT_DIGEST" | ${EXTRACT})`,
      ]],
      [7, ['curl -X DELETE http://$REGISTRY/v2/$REPO/manifests/$DIGEST']],
    ]);
    assert.deepEqual(a.notes, [
      'Polecenie (sprawozdanie.md, wiersz 7): digest $DIGEST odczytano z wyjścia polecenia (sprawozdanie.md, wiersz 6), tak jak student przepisał go z ekranu.',
    ]);
  });

  test('a HEAD by $TAG (TAG set in the report) shows how the digest was read', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
REGISTRY=localhost:5000
REPO=app
TAG=buildcache
curl -sI -H "Accept: ${OCI_MANIFEST}" http://$REGISTRY/v2/$REPO/manifests/$TAG
curl -X DELETE http://$REGISTRY/v2/$REPO/manifests/$DIGEST
${F}
`;
    const a = asScript(answer(md));
    assert.deepEqual(a.lines.map((l) => l.source.line), [4, 5, 6, 7, 8]);
    assert.equal(a.lines[3]!.script[1], `DIGEST=$(printf '%s\\n' "$GRADER_OUT_DIGEST" | ${EXTRACT})`);
  });

  test('sudo curl and curl.exe lose sudo and .exe', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Na Linuksie:

${F}
$ sudo curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
$ sudo curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST
${F}

Na Windowsie to samo:

${F}powershell
PS C:\\Users\\student> curl.exe -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST
${F}
`;
    const a = asScript(answer(md));
    assert.deepEqual(a.lines.map((l) => [l.source.line, l.text]), [
      [6, `sudo curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache`],
      [7, 'sudo curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST'],
      [13, 'curl.exe -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST'],
    ]);
    assert.equal(a.lines[0]!.script[0], `GRADER_OUT_DIGEST=$( { curl -sI -H "Accept: ${OCI_MANIFEST}" http://registry7:5000/v2/s12345/app/manifests/buildcache ; } 2>&1 ); printf '%s\\n' "$GRADER_OUT_DIGEST"`);
    assert.deepEqual(a.lines[1]!.script, ['curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST']);
    assert.deepEqual(a.lines[2]!.script, ['curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST']);
    assert.doesNotMatch(a.text, /sudo|curl\.exe/);
    // DIGEST is read once, by the first DELETE's HEAD; the second DELETE uses it as set.
    assert.equal(count(a.text, 'GRADER_OUT_DIGEST='), 1);
  });

  test('a DELETE by tag is replayed as written', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Próba usunięcia po tagu:

${F}
$ curl -i -X DELETE http://localhost:5000/v2/s12345/app/manifests/buildcache
HTTP/1.1 405 Method Not Allowed
Content-Type: application/json; charset=utf-8
{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}
${F}
`;
    const a = asScript(answer(md));
    assert.equal(a.text, [
      HEADER('sprawozdanie.md, wiersz 6'),
      '# sprawozdanie.md, wiersz 6',
      'curl -i -X DELETE http://registry7:5000/v2/s12345/app/manifests/buildcache',
      '',
    ].join('\n'));
    assert.deepEqual(a.notes, []);
  });
});

describe('reportAnswer: tools the sandbox does not run', () => {
  test('Invoke-WebRequest -Method Delete as the only DELETE: unreplayable, manual', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

Pracuję na Windowsie, więc użyłem PowerShella (digest przepisałem z Docker Desktop):

${F}powershell
PS C:\\Users\\student> Invoke-WebRequest -Method Delete -Uri http://localhost:5000/v2/s12345/app/manifests/${D1}

StatusCode        : 202
StatusDescription : Accepted
${F}
`;
    assert.deepEqual(answer(md), {
      kind: 'unreplayable',
      label: 'sprawozdanie.md, wiersz 6',
      status: 'manual',
      notes: [],
      reason: 'usuwanie w sprawozdaniu (sprawozdanie.md, wiersz 6) używa PowerShella (Invoke-WebRequest/Invoke-RestMethod), którego piaskownica nie uruchamia; odpowiedź oceni prowadzący',
    });
  });

  test('the reason names the PowerShell DELETE, not an earlier wget HEAD', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}
$ wget -S --spider --header="Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
PS C:\\> Invoke-WebRequest -Method Delete -Uri http://localhost:5000/v2/s12345/app/manifests/$DIGEST
${F}
`;
    const a = answer(md);
    assert.equal(a.kind, 'unreplayable');
    assert.equal(a.kind === 'unreplayable' && a.status, 'manual');
    assert.equal(a.kind === 'unreplayable' && a.reason, 'usuwanie w sprawozdaniu (sprawozdanie.md, wiersz 5) używa PowerShella (Invoke-WebRequest/Invoke-RestMethod), którego piaskownica nie uruchamia; odpowiedź oceni prowadzący');
  });
  test('a curl DELETE with a PowerShell alternative beside it: the curl answer runs, the PowerShell line is skipped with a note', () => {
    const md = `## Zadanie dodatkowe – usunięcie obrazu cache

${F}bash
$ curl -sI -H "Accept: ${OCI_MANIFEST}" http://localhost:5000/v2/s12345/app/manifests/buildcache
$ curl -X DELETE http://localhost:5000/v2/s12345/app/manifests/$DIGEST
${F}

Na Windowsie to samo:

${F}powershell
PS C:\\> Invoke-WebRequest -Method Delete -Uri http://localhost:5000/v2/s12345/app/manifests/$DIGEST
${F}
`;
    const a = answer(md);
    assert.equal(a.kind, 'script', JSON.stringify(a));
    assert.ok(a.kind === 'script' && a.text.includes('curl -X DELETE http://registry7:5000/v2/s12345/app/manifests/$DIGEST'));
    assert.ok(a.kind === 'script' && !a.text.includes('Invoke-WebRequest'));
    assert.ok(a.kind === 'script' && a.notes.includes('Pominięto polecenie (sprawozdanie.md, wiersz 11): piaskownica uruchamia tylko curl.'), JSON.stringify(a.kind === 'script' && a.notes));
  });
});

describe('studentRepository', () => {
  test('host and tag come off', () => {
    assert.equal(studentRepository('127.0.0.1:5055/s1/app:cache'), 's1/app');
    assert.equal(studentRepository('localhost:5000/s12345/app:buildcache'), 's12345/app');
    assert.equal(studentRepository('localhost/app:1.0'), 'app');
  });

  test('a bare name is the repository', () => {
    assert.equal(studentRepository('app'), 'app');
    assert.equal(studentRepository('s1/app:latest'), 's1/app');
  });

  test('a digest comes off; a bad tag gives undefined', () => {
    assert.equal(studentRepository(`app@${D1}`), 'app');
    assert.equal(studentRepository('app:zły tag'), undefined);
  });
});

describe('deletion with a registry tool instead of curl', () => {
  const report = (command: string) => `## Zadanie dodatkowe – usunięcie cache narzędziem

${'```'}
$ ${command}
${'```'}
`;
  test('skopeo delete is replayed as what it does: a HEAD accepting every type, then DELETE by that digest', () => {
    const a = answer(report('skopeo delete --tls-verify=false docker://localhost:5000/app:buildcache'));
    assert.equal(a.kind, 'script', JSON.stringify(a));
    if (a.kind !== 'script') return;
    assert.deepEqual(a.lines[0]!.script, [
      `GRADER_TOOL_DIGEST_0=$(curl -sI -H 'Accept: ${ALL_TYPES}' 'http://registry7:5000/v2/s12345/app/manifests/buildcache' | ${EXTRACT})`,
      'curl -sS -i -X DELETE "http://registry7:5000/v2/s12345/app/manifests/$GRADER_TOOL_DIGEST_0"',
    ]);
    assert.deepEqual(a.notes, ['Polecenie (sprawozdanie.md, wiersz 4): skopeo delete przetłumaczono na curl tak, jak działa to narzędzie: HEAD z nagłówkiem Accept wszystkich typów manifestu, potem DELETE po digeście.']);
  });
  test('crane, regctl, and skopeo given a digest from the student\'s machine: for the instructor', () => {
    const reason = (command: string) => {
      const a = answer(report(command));
      assert.equal(a.kind === 'unreplayable' && a.status, 'manual', JSON.stringify(a));
      return a.kind === 'unreplayable' ? a.reason : '';
    };
    assert.equal(reason('crane delete localhost:5000/app:buildcache'), 'usuwanie w sprawozdaniu (sprawozdanie.md, wiersz 4) używa narzędzia crane delete, którego piaskownica nie ma; odpowiedź oceni prowadzący');
    assert.equal(reason('regctl tag rm localhost:5000/app:buildcache'), 'usuwanie w sprawozdaniu (sprawozdanie.md, wiersz 4) używa narzędzia regctl, którego piaskownica nie ma; odpowiedź oceni prowadzący');
    assert.equal(reason(`skopeo delete docker://localhost:5000/app@${D1}`), 'usuwanie w sprawozdaniu (sprawozdanie.md, wiersz 4) wskazuje obraz digestem z maszyny studenta, którego w kopii registry7 nie ma; odpowiedź oceni prowadzący');
  });
});
